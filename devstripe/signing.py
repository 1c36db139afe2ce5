"""Stripe-shaped objects and the Stripe-Signature header, for webhook payloads built in tests.

Object shapes come from Stripe's own example objects (fixtures3.json from Stripe's public OpenAPI
repository), so a field the shop reads exists where Stripe puts it; only the fields that carry
meaning here are overridden.
"""

import calendar
import copy
import hashlib
import hmac
import json
import secrets
import string
import time
from functools import cache
from pathlib import Path
from typing import Any

# The API version stripe==16.1.0 pins (stripe._api_version._ApiVersion.CURRENT); a test compares
# them so a stripe upgrade cannot leave events claiming an older version unnoticed.
API_VERSION = "2026-10-28.endive"

# Stripe's default lifetime of a Checkout Session.
SESSION_LIFETIME_SECONDS = 24 * 60 * 60

_ID_ALPHABET = string.ascii_letters + string.digits


# Stripe's example objects ship beside this module, with their MIT licence (fixtures3.LICENSE).
FIXTURES = Path(__file__).resolve().parent / "fixtures3.json"


@cache
def _resources() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text(encoding="utf-8"))["resources"]


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of Stripe's example object `name` (e.g. "checkout.session", "charge")."""
    return copy.deepcopy(_resources()[name])


def random_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def sign(payload: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header value: t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>."""
    if timestamp is None:
        timestamp = int(time.time())
    signed_payload = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode("utf-8"), signed_payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(
    type: str,
    data_object: dict[str, Any],
    *,
    event_id: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """A Stripe event of `type` carrying a snapshot of `data_object`."""
    result = fixture("event")
    result.update(
        id=event_id or random_id("evt_"),
        type=type,
        data={"object": copy.deepcopy(data_object)},
        api_version=API_VERSION,
        livemode=False,
        created=int(time.time()) if created is None else created,
        # One endpoint (the shop) is waiting for it.
        pending_webhooks=1,
    )
    return result


def checkout_session(**overrides: Any) -> dict[str, Any]:
    """An open, unpaid checkout.session; `overrides` replace top-level fields."""
    session = fixture("checkout.session")
    session_id = overrides.get("id") or random_id("cs_test_a1", 56)
    now = int(time.time())
    session.update(
        id=session_id,
        created=now,
        expires_at=now + SESSION_LIFETIME_SECONDS,
        url=f"https://checkout.stripe.com/c/pay/{session_id}",
        status="open",
        payment_status="unpaid",
        payment_intent=None,
        # Filled by Stripe only once the buyer has entered them.
        customer_details=None,
        collected_information=None,
        # The example carries made-up shipping, discount and currency-conversion figures; a shop
        # that sums amounts must not find them in a session that never had any.
        shipping_cost=None,
        shipping_address_collection=None,
        shipping_options=[],
        currency_conversion=None,
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        after_expiration=None,
        custom_text={
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
    )
    session.update(overrides)
    return session


def completed_session(
    *, reference: str, amount: int, currency: str, email: str, **overrides: Any
) -> dict[str, Any]:
    """The checkout.session Stripe sends once the buyer has paid for the shop's order `reference`,
    which the shop passes as client_reference_id and metadata.order_reference."""
    fields = {
        "client_reference_id": reference,
        "metadata": {"order_reference": reference},
        "amount_total": amount,
        "amount_subtotal": amount,
        "currency": currency,
        "customer_email": email,
        "payment_status": "paid",
        "status": "complete",
        "payment_intent": f"pi_{reference}",
    }
    return checkout_session(**{**fields, **overrides})


def next_month(timestamp: int) -> int:
    """The same moment a calendar month later (the 31st becomes the month's last day), as Stripe
    bills monthly prices."""
    moment = time.gmtime(timestamp)
    year, month = (
        (moment.tm_year + 1, 1) if moment.tm_mon == 12 else (moment.tm_year, moment.tm_mon + 1)
    )
    days = calendar.monthrange(year, month)[1]
    return calendar.timegm((year, month, min(moment.tm_mday, days), *moment[3:6], 0, 0, 0))


def subscription(
    *,
    customer: str,
    price: dict[str, Any],
    period_start: int,
    period_end: int,
    status: str = "active",
    metadata: dict[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A subscription of one monthly price; its billing period lives on its item, as Stripe has
    kept it since API version 2025-03-31."""
    result = fixture("subscription")
    subscription_id = overrides.get("id") or random_id("sub_")
    item = result["items"]["data"][0]
    item.update(
        id=random_id("si_", 14),
        created=period_start,
        price=price,
        quantity=1,
        subscription=subscription_id,
        current_period_start=period_start,
        current_period_end=period_end,
        plan=None,
        discounts=[],
        metadata={},
    )
    result.update(
        id=subscription_id,
        customer=customer,
        status=status,
        currency=price["currency"],
        metadata=metadata or {},
        items={
            **result["items"],
            "data": [item],
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
        created=period_start,
        start_date=period_start,
        billing_cycle_anchor=period_start,
        billing_cycle_anchor_config=None,
        cancel_at=None,
        canceled_at=None,
        ended_at=None,
        cancel_at_period_end=False,
        trial_start=None,
        trial_end=None,
        latest_invoice=None,
        next_pending_invoice_item_invoice=None,
        pending_update=None,
        pending_invoice_item_interval=None,
        pause_collection=None,
        transfer_data=None,
        billing_schedules=[],
        discounts=[],
        managed_payments={"enabled": False},
    )
    result.update(overrides)
    return result


def invoice(
    *,
    stripe_subscription: dict[str, Any],
    period_start: int,
    period_end: int,
    paid: bool,
    billing_reason: str = "subscription_cycle",
    customer_email: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The invoice of one period of `stripe_subscription`, paid or open after a failed attempt.
    It names its subscription under parent.subscription_details (API version 2025-03-31 on)."""
    result = fixture("invoice")
    invoice_id = overrides.get("id") or random_id("in_")
    item = stripe_subscription["items"]["data"][0]
    amount = item["price"]["unit_amount"] * item["quantity"]
    line = result["lines"]["data"][0]
    line.update(
        id=random_id("il_"),
        invoice=invoice_id,
        amount=amount,
        currency=stripe_subscription["currency"],
        description=f"1 × {item['price']['product']}",
        period={"start": period_start, "end": period_end},
        subscription=None,
        subtotal=amount,
        discount_amounts=[],
        discounts=[],
        taxes=[],
        pretax_credit_amounts=[],
        metadata={},
        parent={
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": stripe_subscription["id"],
                "subscription_item": item["id"],
            },
        },
    )
    now = int(time.time())
    result.update(
        id=invoice_id,
        customer=stripe_subscription["customer"],
        customer_email=customer_email,
        currency=stripe_subscription["currency"],
        billing_reason=billing_reason,
        status="paid" if paid else "open",
        attempted=True,
        attempt_count=1,
        amount_due=amount,
        amount_paid=amount if paid else 0,
        amount_remaining=0 if paid else amount,
        amount_overpaid=0,
        subtotal=amount,
        subtotal_excluding_tax=amount,
        total=amount,
        total_excluding_tax=amount,
        lines={**result["lines"], "data": [line], "url": f"/v1/invoices/{invoice_id}/lines"},
        # Stripe's quirk: an invoice's own period is the one before the period its lines bill.
        period_start=period_start,
        period_end=period_start,
        created=now,
        effective_at=now,
        due_date=None,
        next_payment_attempt=None if paid else now + 3 * 86400,
        status_transitions={
            "finalized_at": now,
            "marked_uncollectible_at": None,
            "paid_at": now if paid else None,
            "voided_at": None,
        },
        parent={
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": stripe_subscription["metadata"],
                "subscription": stripe_subscription["id"],
            },
        },
        shipping_cost=None,
        from_invoice=None,
        last_finalization_error=None,
        webhooks_delivered_at=None,
        hosted_invoice_url=None,
        invoice_pdf=None,
        number=f"DEV-{invoice_id[-8:]}",
    )
    result.update(overrides)
    return result
