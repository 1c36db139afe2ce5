"""Stripe's events at the shop's webhook, as the tests send them (with the `post_event` fixture):
what the webhook answered, and the event of a refund staff make at Stripe."""

from shop.models import Order
from shop.payments import stripe_api


def send(post_event, events) -> list[str]:
    outcomes = []
    for event in events:
        response = post_event(event)
        assert response.status_code == 200, response.content
        outcomes.append(response.json()["outcome"])
    return outcomes


def outcome(response) -> str:
    assert response.status_code == 200
    return response.json()["outcome"]


def refund(stripe_server, order: Order, amount: int, key: str = "r1") -> dict:
    """Refunds at Stripe, as staff would in the dashboard; the charge.refunded event, not sent."""
    stripe_api.refund_payment(
        payment_intent=order.stripe_payment_intent, amount_cents=amount, idempotency_key=key
    )
    return stripe_server.charge_refunded(order.stripe_payment_intent)
