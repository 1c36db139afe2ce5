"""Stripe events: each stored once under its id, then handed to the service for its type."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import IntegrityError, transaction

from shop.adviser import services as adviser
from shop.models import StripeEvent
from shop.orders import services as orders
from shop.refunds import services as refunds


def complete_checkout(*, session: dict) -> str:
    """A session in subscription mode starts a KI-Berater subscription; any other pays an order."""
    if session.get("mode") == "subscription":
        return adviser.complete_checkout(session=session)
    return orders.complete_checkout(session=session)


# Each event type: the service that handles it, and the keyword under which the service takes the
# event's object (a checkout session, a charge, an invoice...).
HANDLERS: dict[str, tuple[Callable[..., str], str]] = {
    "checkout.session.completed": (complete_checkout, "session"),
    "checkout.session.async_payment_succeeded": (orders.confirm_async_payment, "session"),
    "checkout.session.async_payment_failed": (orders.abandon_checkout, "session"),
    "checkout.session.expired": (orders.abandon_checkout, "session"),
    "customer.subscription.created": (adviser.update_from_stripe, "stripe_subscription"),
    "customer.subscription.updated": (adviser.update_from_stripe, "stripe_subscription"),
    "customer.subscription.deleted": (adviser.update_from_stripe, "stripe_subscription"),
    "invoice.paid": (adviser.record_paid_invoice, "invoice"),
    "invoice.payment_failed": (adviser.record_failed_invoice, "invoice"),
    "charge.refunded": (refunds.refund_charge, "charge"),
    "charge.dispute.created": (refunds.dispute_charge, "dispute"),
}


# Stripe retries an event for up to three days.
SEEN_EVENT_SECONDS = 3 * 24 * 3600


def handle_event(event: dict) -> str:
    """Returns what happened. A replayed id does nothing; a failing handler stores nothing, so
    Stripe's retry finds the event new again."""
    # Stripe retries often. Replays are answered from the cache, else by a read outside any
    # transaction; the unique insert in _record_and_handle stays the guard for two copies
    # arriving at the same moment. The cache only learns ids whose record has committed.
    # Hashed, so the key stays short and plain whatever characters the id holds.
    seen_key = "stripe-event:" + hashlib.sha256(event["id"].encode()).hexdigest()
    if cache.get(seen_key):
        return "duplicate"
    if StripeEvent.objects.filter(event_id=event["id"]).exists():
        cache.set(seen_key, True, SEEN_EVENT_SECONDS)
        return "duplicate"
    outcome = _record_and_handle(event)
    transaction.on_commit(lambda: cache.set(seen_key, True, SEEN_EVENT_SECONDS))
    return outcome


@transaction.atomic
def _record_and_handle(event: dict) -> str:
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], payload=event
            )
    except IntegrityError:
        return "duplicate"
    if event["type"] in HANDLERS:
        service, keyword = HANDLERS[event["type"]]
        outcome = service(**{keyword: event["data"]["object"]})
    else:
        outcome = "ignored"
    record.outcome = outcome
    record.save(update_fields=["outcome"])
    return outcome
