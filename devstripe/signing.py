"""Stripe-shaped objects and the Stripe-Signature header, for webhook payloads built in tests.

Object shapes come from Stripe's own example objects (fixtures3.json from Stripe's public OpenAPI
repository), so a field the shop reads exists where Stripe puts it; only the fields that carry
meaning here are overridden.
"""

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
