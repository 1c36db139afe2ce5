"""A local stand-in for Stripe's API and hosted Checkout, for tests and the offline demo.

Plain Python, no Django: tests start a StripeServer and point stripe-python at its url.

Modules:
- server: StripeServer, which starts and stops it, holds the state and the methods tests call
- handler: the HTTP request handler, routing /v1/ API calls and /pay/ pages
- checkout: Checkout Sessions: create, retrieve, complete, expire, delayed (SEPA) payments
- payments: PaymentIntents and their charges, refunds and disputes
- coupons: coupons and the discounts they give a session
- subscriptions: subscriptions, customers and invoices: start, renew, pay, cancel
- page: the hosted payment page's HTML and what its buttons do
- webhooks: events kept as /v1/events lists them, and delivered as signed webhooks
- forms: Stripe's form encoding parsed, integer params checked, Stripe's error (ApiError)
- store: the in-memory state behind one lock, and RecordedRequest
- signing: Stripe-shaped objects (from Stripe's fixtures) and the Stripe-Signature header
"""

from devstripe.server import StripeServer
from devstripe.signing import checkout_session, event, sign
from devstripe.store import RecordedRequest

__all__ = ["RecordedRequest", "StripeServer", "checkout_session", "event", "sign"]
