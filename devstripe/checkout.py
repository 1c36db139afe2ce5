"""Checkout Sessions: created and retrieved through the API; completed (paid now or later, as a
SEPA debit settles), or expired, as the buyer and time would."""

import copy
from typing import Any

from devstripe import coupons, subscriptions
from devstripe.forms import ApiError, integer, missing
from devstripe.page import PAY_PATH, format_amount
from devstripe.signing import checkout_session, event, fixture, random_id
from devstripe.store import Store

# Stripe's smallest charge per currency (https://docs.stripe.com/currencies#minimum-and-maximum-
# charge-amounts); a total of 0 is a no-cost order, which Checkout completes without a payment.
MINIMUM_CHARGE = {"eur": 50, "usd": 50}

RECURRING_INTERVALS = ("day", "week", "month", "year")


def create_session(
    store: Store, params: dict[str, Any], idempotency_key: str | None, *, base_url: str
) -> dict[str, Any]:
    if idempotency_key and idempotency_key in store.idempotent:
        first_params, response = store.idempotent[idempotency_key]
        if first_params != params:
            raise ApiError(
                400,
                "Keys for idempotent requests can only be used with the same "
                "parameters they were first used with.",
                type="idempotency_error",
            )
        return copy.deepcopy(response)
    for param in ("mode", "success_url"):
        if not params.get(param):
            raise missing(param)
    currency, subtotal = _line_items_total(params.get("line_items"))
    discounts = coupons.session_discounts(store, params.get("discounts"))
    discount = sum(
        coupons.discount(store.coupons[d["coupon"]], currency, subtotal) for d in discounts
    )
    total = subtotal - discount
    minimum = MINIMUM_CHARGE.get(currency, 0)
    if 0 < total < minimum:
        raise ApiError(
            400,
            "The Checkout Session's total amount due must add up to at least "
            f"{format_amount(minimum, currency)}.",
            code="amount_too_small",
        )
    _check_mode(params)
    session = checkout_session(
        mode=params["mode"],
        currency=currency,
        amount_subtotal=subtotal,
        amount_total=total,
        total_details={"amount_discount": discount, "amount_shipping": 0, "amount_tax": 0},
        discounts=discounts,
        customer=params.get("customer"),
        customer_email=params.get("customer_email"),
        client_reference_id=params.get("client_reference_id"),
        metadata=params.get("metadata") or {},
        locale=params.get("locale"),
        payment_method_types=params.get("payment_method_types") or ["card", "sepa_debit"],
        # Kept as given, {CHECKOUT_SESSION_ID} included: Stripe fills it in only when it
        # redirects the buyer (see page._success_location).
        success_url=params["success_url"],
        cancel_url=params.get("cancel_url"),
    )
    if params.get("expires_at"):
        session["expires_at"] = integer(params, "expires_at", "", minimum=0)
    session["url"] = f"{base_url}{PAY_PATH}{session['id']}"
    store.sessions[session["id"]] = session
    store.subscription_data[session["id"]] = params.get("subscription_data") or {}
    store.line_items[session["id"]] = params["line_items"]
    if idempotency_key:
        store.idempotent[idempotency_key] = (params, copy.deepcopy(session))
    return copy.deepcopy(session)


def retrieve_session(store: Store, session_id: str) -> dict[str, Any]:
    try:
        session = store.session(session_id)
    except LookupError as error:
        raise ApiError(404, str(error), param="session", code="resource_missing") from None
    return copy.deepcopy(session)


def complete(store: Store, session_id: str, *, paid: bool) -> dict[str, Any]:
    """Buyer finished checkout; the checkout.session.completed event, not sent."""
    session = store.session(session_id)
    if session["status"] != "open":
        raise ValueError(f"checkout.session {session_id} is {session['status']}, not open")
    customer_details = fixture("checkout.session")["customer_details"]
    customer_details["email"] = session["customer_email"] or customer_details["email"]
    free = session["amount_total"] == 0
    coupons.redeem(store, session)
    if session["mode"] == "subscription":
        subscriptions.start(store, session, customer_details)
        return event("checkout.session.completed", session)
    intent = None if free else random_id("pi_")
    if intent:
        store.charges[intent] = random_id("ch_")
    session.update(
        status="complete",
        # A no-cost order: nothing is charged, so there is no PaymentIntent.
        payment_status="no_payment_required" if free else "paid" if paid else "unpaid",
        payment_intent=intent,
        customer_details=customer_details,
        # Stripe's hosted page is gone once the session is no longer open.
        url=None,
    )
    return event("checkout.session.completed", session)


def complete_async_payment(store: Store, session_id: str, *, succeeded: bool) -> dict[str, Any]:
    """The delayed payment of a completed, unpaid session settled; the event, not sent."""
    session = store.session(session_id)
    if session["status"] != "complete" or session["payment_status"] != "unpaid":
        raise ValueError(f"checkout.session {session_id} has no payment pending")
    if succeeded:
        session["payment_status"] = "paid"
        return event("checkout.session.async_payment_succeeded", session)
    return event("checkout.session.async_payment_failed", session)


def expire(store: Store, session_id: str) -> dict[str, Any]:
    """The open session ran out; the checkout.session.expired event, not sent."""
    session = store.session(session_id)
    if session["status"] != "open":
        raise ValueError(f"checkout.session {session_id} is {session['status']}, not open")
    session.update(status="expired", url=None)
    return event("checkout.session.expired", session)


def _line_items_total(line_items: Any) -> tuple[str, int]:
    """Currency and total in cents, computed as Stripe does from `price_data`."""
    if not line_items:
        raise missing("line_items")
    if not isinstance(line_items, list):
        raise ApiError(400, "Invalid array", param="line_items")
    currencies = set()
    total = 0
    for index, item in enumerate(line_items):
        prefix = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise ApiError(400, "Invalid object", param=prefix)
        if "price" in item and "price_data" not in item:
            # No Prices live here: the shop sends its own prices as price_data.
            raise ApiError(
                400,
                f"No such price: '{item['price']}'",
                param=f"{prefix}[price]",
                code="resource_missing",
            )
        price_data = item.get("price_data")
        if not isinstance(price_data, dict):
            raise missing(f"{prefix}[price_data]")
        if not price_data.get("currency"):
            raise missing(f"{prefix}[price_data][currency]")
        currencies.add(price_data["currency"].lower())
        recurring = price_data.get("recurring")
        if recurring is not None and (
            not isinstance(recurring, dict) or recurring.get("interval") not in RECURRING_INTERVALS
        ):
            raise missing(f"{prefix}[price_data][recurring][interval]")
        unit_amount = integer(price_data, "unit_amount", f"{prefix}[price_data]", minimum=0)
        quantity = integer(item, "quantity", prefix, minimum=1)
        total += unit_amount * quantity
    if len(currencies) > 1:
        raise ApiError(400, "All line items must use the same currency.", param="line_items")
    return currencies.pop(), total


def _check_mode(params: dict[str, Any]) -> None:
    """What Stripe refuses about recurring prices and the session's mode."""
    recurring = [item for item in params["line_items"] if item["price_data"].get("recurring")]
    if params["mode"] == "subscription":
        if not recurring:
            raise ApiError(
                400,
                "You must provide at least one recurring price in `subscription` mode when "
                "using prices.",
                param="line_items",
            )
        if "payment_intent_data" in params:
            raise ApiError(
                400,
                "You can not pass `payment_intent_data` in `subscription` mode.",
                param="payment_intent_data",
            )
    elif params["mode"] == "payment" and recurring:
        raise ApiError(
            400,
            "You specified `payment` mode but passed a recurring price. Either switch to "
            "`subscription` mode or use only one-time prices.",
            param="line_items",
        )
    elif params["mode"] != "payment":
        raise ApiError(400, f"Invalid mode: {params['mode']}", param="mode")
