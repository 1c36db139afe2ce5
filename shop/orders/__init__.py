"""Orders: checkout (a pending order with a price snapshot, its Stripe Checkout Session),
discount codes, paying an order once (from the webhook, the success page or a KI-Berater
invoice), the entitlements payment grants, fulfilment (each line's licensed copy, then one
e-mail per order), the success page, and the signed download links of the copies. Uses catalog,
accounts, ebooks, invoicing, legal, payments, and courses' services (enrolment)."""
