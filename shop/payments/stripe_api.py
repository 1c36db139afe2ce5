"""The shop's only door to Stripe: every call and every signature check goes through here,
and it is the only module that imports stripe."""

import json
import math
from collections.abc import Sequence
from datetime import timedelta
from functools import cache, wraps

import stripe
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from shop.models import Order, StripeEvent, Subscription

# A discounted Checkout Session, and the redemption its pending order holds, lasts Stripe's
# shortest lifetime (30 minutes after the session is made) from the order's creation, with a
# minute for the time between the two and for clocks that differ.
DISCOUNTED_CHECKOUT_LIFETIME = timedelta(minutes=31)


class InvalidWebhook(Exception):
    """The request did not come from Stripe, or not in a form we can read."""


class StripeUnavailable(Exception):
    """Stripe did not do what was asked: unreachable, or it refused. The message says which."""


def _calls_stripe(call):
    """Every error stripe-python raises reaches the shop as StripeUnavailable."""

    @wraps(call)
    def calling(*args, **kwargs):
        try:
            return call(*args, **kwargs)
        except stripe.StripeError as exc:
            raise StripeUnavailable(str(exc)) from exc

    return calling


@cache
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    base_addresses = {"api": api_base} if api_base else None
    return stripe.StripeClient(api_key, base_addresses=base_addresses, max_network_retries=2)


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


@_calls_stripe
def create_checkout_session(*, order: Order, success_url: str, cancel_url: str) -> dict:
    """Lines at their list price; a discount as a one-off coupon for this order, so Stripe's page
    names the code and its amount_total is the order's total. A total of 0 is a no-cost order:
    Stripe completes it without a payment method, with payment_status no_payment_required."""
    lines = list(order.lines.all())
    params = {
        "mode": "payment",
        "currency": order.currency,
        "customer_email": order.email,
        "client_reference_id": order.reference,
        "metadata": {"order_reference": order.reference},
        "payment_intent_data": {"metadata": {"order_reference": order.reference}},
        "success_url": success_url,
        "cancel_url": cancel_url,
        # Stripe's payment page speaks the buyer's language too.
        "locale": order.language,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.currency,
                    "unit_amount": line.list_price_cents,
                    "tax_behavior": "inclusive",
                    "product_data": {
                        "name": line.description,
                        # Stripe's page shows it under the name: prices are gross.
                        "description": _("inkl. %s %% MwSt.") % floatformat(line.vat_rate, -2),
                    },
                },
            }
            for line in lines
        ],
    }
    discount_cents = sum(line.discount_cents for line in lines)
    if discount_cents:
        coupon = client().v1.coupons.create(
            params={
                "amount_off": discount_cents,
                "currency": order.currency,
                "duration": "once",
                "max_redemptions": 1,
                "name": order.discount_code_text,
                "metadata": {"order_reference": order.reference},
            },
            options={"idempotency_key": f"coupon-{order.reference}"},
        )
        params["discounts"] = [{"coupon": coupon.id}]
        # An abandoned checkout holds its redemption until Stripe expires the session (24
        # hours by default); a scarce code comes back sooner. Stripe allows 30 min to 24 h.
        params["expires_at"] = int((order.created_at + DISCOUNTED_CHECKOUT_LIFETIME).timestamp())
    session = client().v1.checkout.sessions.create(
        params=params, options={"idempotency_key": f"checkout-{order.reference}"}
    )
    return session.to_dict()


@_calls_stripe
def create_subscription_checkout_session(
    *, subscription: Subscription, success_url: str, cancel_url: str
) -> dict:
    """Checkout in subscription mode: a monthly price made inline from the product's own."""
    product = subscription.product
    # Every object Stripe makes from this session (subscription, invoices) carries the reference,
    # so the shop finds its subscription whichever event comes first.
    metadata = {"subscription_reference": subscription.reference}
    params = {
        "mode": "subscription",
        "customer_email": subscription.email,
        "client_reference_id": subscription.reference,
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": subscription.language,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": settings.SHOP_CURRENCY,
                    "unit_amount": product.price_cents,
                    "tax_behavior": "inclusive",
                    "product_data": {"name": product.name},
                    "recurring": {"interval": "month", "interval_count": 1},
                },
            }
        ],
    }
    session = client().v1.checkout.sessions.create(
        params=params, options={"idempotency_key": f"checkout-{subscription.reference}"}
    )
    return session.to_dict()


@_calls_stripe
def cancel_subscription_at_period_end(*, subscription_id: str) -> dict:
    """The subscription runs to the end of its paid period and does not renew."""
    return (
        client()
        .v1.subscriptions.update(subscription_id, params={"cancel_at_period_end": True})
        .to_dict()
    )


@_calls_stripe
def cancel_subscription_now(*, subscription_id: str) -> dict:
    """Ends the subscription at once: Stripe charges nothing more. No final invoice and no
    proration credit: what the reader gets back, the shop refunds itself. Stripe answers a
    second cancel with "No such subscription" (it keeps the object), so a subscription already
    ended is asked for and returned as it is: cancelling twice ends it once and fails on nothing."""
    subscriptions = client().v1.subscriptions
    try:
        return subscriptions.cancel(
            subscription_id, params={"invoice_now": False, "prorate": False}
        ).to_dict()
    except stripe.InvalidRequestError as exc:
        if exc.code != "resource_missing":
            raise
        found = subscriptions.retrieve(subscription_id).to_dict()
        if found.get("status") != "canceled":
            raise
        return found


@_calls_stripe
def refund_payment(
    *,
    payment_intent: str,
    amount_cents: int,
    idempotency_key: str,
    order_line_ids: Sequence[int] = (),
) -> dict:
    """Refunds `amount_cents` of a payment; the same key never refunds twice. The metadata names
    the refunded order lines, so the charge.refunded webhook knows what to cancel."""
    params = {"payment_intent": payment_intent, "amount": amount_cents}
    if order_line_ids:
        params["metadata"] = {"order_lines": ",".join(str(pk) for pk in order_line_ids)}
    refund = client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
    return refund.to_dict()


@_calls_stripe
def retrieve_checkout_session(session_id: str) -> dict:
    return client().v1.checkout.sessions.retrieve(session_id).to_dict()


@_calls_stripe
def retrieve_invoice_with_payments(invoice_id: str) -> dict:
    """The invoice with its `payments`, which name the PaymentIntent that paid it. Stripe
    includes them only when asked, so the invoice of an event never has them."""
    return client().v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]}).to_dict()


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
        event = json.loads(payload, parse_constant=_refuse_number, parse_float=_finite_number)
    # RecursionError: brackets nested deeper than the JSON parser goes.
    except (
        stripe.SignatureVerificationError,
        UnicodeDecodeError,
        ValueError,
        RecursionError,
    ) as exc:
        raise InvalidWebhook(str(exc).splitlines()[0]) from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
        # What the database cannot store is no event of Stripe's either.
        and len(event["id"]) <= StripeEvent._meta.get_field("event_id").max_length
        and len(event["type"]) <= StripeEvent._meta.get_field("type").max_length
        # Only the escape \u0000 can put a NUL into parsed JSON; most events need no walk.
        and not (b"\\u0000" in payload and _contains_nul(event))
    ):
        raise InvalidWebhook("not a Stripe event")
    return event


def _refuse_number(text: str) -> float:
    raise ValueError(f"{text} is no JSON number")


def _finite_number(text: str) -> float:
    # NaN and Infinity (or 1e999) are Python's extensions of JSON; PostgreSQL's JSON has none.
    number = float(text)
    if not math.isfinite(number):
        _refuse_number(text)
    return number


def _contains_nul(value) -> bool:
    """Whether a NUL character is in any key or string of `value`: PostgreSQL stores none."""
    pending = [value]
    while pending:  # a loop, not recursion: the JSON may nest as deep as the parser allowed
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
