"""The Stripe door: every call to Stripe and every signature check (`stripe_api`, the only
module that imports stripe), reading what Stripe sends (`payloads`), and what a page answers
when it sends a buyer to Stripe (`responses`). It uses the models only; every other context may
use it."""
