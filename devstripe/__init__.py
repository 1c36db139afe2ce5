"""A local stand-in for Stripe's API and hosted Checkout, for tests and the offline demo.

Plain Python, no Django: tests start a StripeServer and point stripe-python at its url.
"""

from devstripe.server import RecordedRequest, StripeServer
from devstripe.signing import checkout_session, event, sign

__all__ = ["RecordedRequest", "StripeServer", "checkout_session", "event", "sign"]
