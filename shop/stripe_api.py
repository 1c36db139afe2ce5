"""The shop's only door to Stripe: every call and every signature check goes through here."""

import json
from functools import cache

import stripe
from django.conf import settings

from shop.models import Order


class InvalidWebhook(Exception):
    """The request did not come from Stripe, or not in a form we can read."""


class StripeUnavailable(Exception):
    pass


@cache
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    base_addresses = {"api": api_base} if api_base else None
    return stripe.StripeClient(api_key, base_addresses=base_addresses, max_network_retries=2)


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def create_checkout_session(*, order: Order, success_url: str, cancel_url: str) -> dict:
    params = {
        "mode": "payment",
        "currency": order.currency,
        "customer_email": order.email,
        "client_reference_id": order.reference,
        "metadata": {"order_reference": order.reference},
        "payment_intent_data": {"metadata": {"order_reference": order.reference}},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": "de",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.currency,
                    "unit_amount": line.gross_cents,
                    "tax_behavior": "inclusive",
                    "product_data": {"name": line.description},
                },
            }
            for line in order.lines.all()
        ],
    }
    try:
        session = client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"checkout-{order.reference}"}
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return session.to_dict()


def retrieve_checkout_session(session_id: str) -> dict:
    try:
        return client().v1.checkout.sessions.retrieve(session_id).to_dict()
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def verify_webhook(*, payload: bytes, signature: str | None) -> dict:
    """Checks the Stripe-Signature header as Stripe specifies, then reads the event."""
    if not signature:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidWebhook(str(exc).splitlines()[0]) from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise InvalidWebhook("not a Stripe event")
    return event
