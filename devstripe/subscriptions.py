"""Subscriptions and their customers and invoices: started by a subscription-mode checkout,
renewed, paid on a retry, cancelled at period end or at once; customers and invoices retrieved.

Their events are kept in the store's events, not sent: Stripe delivers them later, on its own.
"""

import copy
import time
from typing import Any

from devstripe import signing
from devstripe.forms import ApiError
from devstripe.signing import fixture, random_id
from devstripe.store import Store
from devstripe.webhooks import log


def start(store: Store, session: dict[str, Any], customer_details: dict) -> None:
    """Checkout in subscription mode, paid by card: a customer, an active subscription and its
    first paid invoice."""
    customer = fixture("customer")
    customer.update(
        id=random_id("cus_", 14),
        email=customer_details["email"],
        name=customer_details.get("name"),
        created=int(time.time()),
        metadata={},
    )
    store.customers[customer["id"]] = customer
    price_data = store.line_items[session["id"]][0]["price_data"]
    price = fixture("price")
    price.update(
        id=random_id("price_"),
        currency=price_data["currency"].lower(),
        type="recurring",
        unit_amount=int(price_data["unit_amount"]),
        unit_amount_decimal=price_data["unit_amount"],
        product=random_id("prod_", 14),
        tax_behavior=price_data.get("tax_behavior", "unspecified"),
        recurring={
            "interval": price_data["recurring"]["interval"],
            "interval_count": int(price_data["recurring"].get("interval_count", 1)),
            "meter": None,
            "usage_type": "licensed",
            "trial_period_days": None,
        },
    )
    now = int(time.time())
    subscription = signing.subscription(
        customer=customer["id"],
        price=price,
        period_start=now,
        period_end=signing.next_month(now),
        metadata=store.subscription_data[session["id"]].get("metadata") or {},
    )
    store.subscriptions[subscription["id"]] = subscription
    invoice = _new_invoice(store, subscription, paid=True, billing_reason="subscription_create")
    session.update(
        status="complete",
        payment_status="paid",
        customer=customer["id"],
        subscription=subscription["id"],
        invoice=invoice["id"],
        customer_details=customer_details,
        url=None,
    )
    log(store, "customer.subscription.created", subscription)
    log(store, "invoice.paid", invoice)


def renew(store: Store, subscription_id: str, *, paid: bool) -> list[dict[str, Any]]:
    """The period ran out: Stripe ends a subscription cancelled at period end, or bills the
    next period; a failed charge leaves it past due."""
    subscription = store.subscription(subscription_id)
    if subscription["status"] == "canceled":
        raise ValueError(f"subscription {subscription_id} is canceled")
    item = subscription["items"]["data"][0]
    if subscription["cancel_at_period_end"]:
        return [_end(store, subscription, at=item["current_period_end"])]
    item["current_period_start"] = item["current_period_end"]
    item["current_period_end"] = signing.next_month(item["current_period_end"])
    invoice = _new_invoice(store, subscription, paid=paid, billing_reason="subscription_cycle")
    subscription["status"] = "active" if paid else "past_due"
    return [
        log(store, "invoice.paid" if paid else "invoice.payment_failed", invoice),
        log(store, "customer.subscription.updated", subscription),
    ]


def pay_invoice(store: Store, invoice_id: str) -> list[dict[str, Any]]:
    """Stripe's retry of an open invoice succeeded: paid, the subscription active again."""
    invoice = store.invoices.get(invoice_id)
    if invoice is None or invoice["status"] != "open":
        raise ValueError(f"invoice {invoice_id} is not open")
    now = int(time.time())
    invoice.update(
        status="paid",
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        attempt_count=invoice["attempt_count"] + 1,
        next_payment_attempt=None,
    )
    invoice["status_transitions"]["paid_at"] = now
    for payment in store.invoice_payments.values():
        if payment["invoice"] == invoice_id:
            _settle(store, payment, at=now)
    subscription = store.subscriptions[invoice["parent"]["subscription_details"]["subscription"]]
    subscription["status"] = "active"
    return [
        log(store, "invoice.paid", invoice),
        log(store, "customer.subscription.updated", subscription),
    ]


def api(store: Store, method: str, subscription_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """GET retrieves; POST sets cancel_at_period_end; DELETE cancels now (Stripe's
    "cancel a subscription")."""
    try:
        subscription = store.subscription(subscription_id)
    except LookupError as error:
        raise ApiError(404, str(error), code="resource_missing") from None
    if method == "POST":
        unknown = set(params) - {"cancel_at_period_end", "metadata"}
        if unknown:
            param = sorted(unknown)[0]
            raise ApiError(400, f"Received unknown parameter: {param}", param=param)
        if subscription["status"] == "canceled":
            raise ApiError(
                400,
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        if "cancel_at_period_end" in params:
            if params["cancel_at_period_end"] not in ("true", "false"):
                raise ApiError(400, "Invalid boolean", param="cancel_at_period_end")
            wanted = params["cancel_at_period_end"] == "true"
            period_end = subscription["items"]["data"][0]["current_period_end"]
            subscription.update(
                cancel_at_period_end=wanted,
                cancel_at=period_end if wanted else None,
                canceled_at=int(time.time()) if wanted else None,
            )
        subscription["metadata"].update(params.get("metadata") or {})
        log(store, "customer.subscription.updated", subscription)
    elif method == "DELETE":
        _cancel_now(store, subscription, params)
    return copy.deepcopy(subscription)


def retrieve(store: Store, kind: str, object_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """A customer or an invoice. An invoice's `payments` are includable: Stripe sends them
    only when asked with expand[]=payments, so never in an event."""
    stores = {"customer": store.customers, "invoice": store.invoices}
    expand = params.get("expand") or []
    if not isinstance(expand, list):
        raise ApiError(400, "Invalid array", param="expand")
    found = stores[kind].get(object_id)
    if found is None:
        raise ApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing")
    found = copy.deepcopy(found)
    for field in expand:
        if (kind, field) != ("invoice", "payments"):
            raise ApiError(
                400, f"This property cannot be expanded because it doesn't exist: {field}.",
                param="expand",
            )  # fmt: skip
        found["payments"] = {
            "object": "list",
            "data": [
                copy.deepcopy(payment)
                for payment in store.invoice_payments.values()
                if payment["invoice"] == object_id
            ],
            "has_more": False,
            "url": f"/v1/invoice_payments?invoice={object_id}",
        }
    return found


def _new_invoice(
    store: Store, subscription: dict[str, Any], *, paid: bool, billing_reason: str
) -> dict[str, Any]:
    item = subscription["items"]["data"][0]
    invoice = signing.invoice(
        stripe_subscription=subscription,
        period_start=item["current_period_start"],
        period_end=item["current_period_end"],
        paid=paid,
        billing_reason=billing_reason,
        customer_email=store.customers[subscription["customer"]]["email"],
    )
    store.invoices[invoice["id"]] = invoice
    subscription["latest_invoice"] = invoice["id"]
    if invoice["amount_due"]:
        # Finalising an invoice makes its default payment: a PaymentIntent, tried at once.
        intent = random_id("pi_")
        payment = fixture("invoice_payment")
        payment.update(
            id=random_id("inpay_"), invoice=invoice["id"], is_default=True, livemode=False,
            amount_requested=invoice["amount_due"], amount_paid=None,
            currency=invoice["currency"], created=invoice["created"], status="open",
            payment={"type": "payment_intent", "payment_intent": intent},
            status_transitions={"canceled_at": None, "paid_at": None},
        )  # fmt: skip
        store.invoice_payments[intent] = payment
        if paid:
            _settle(store, payment, at=invoice["created"])
    return invoice


def _settle(store: Store, payment: dict[str, Any], *, at: int) -> None:
    # The invoice's PaymentIntent succeeded: a charge paid it.
    payment.update(status="paid", amount_paid=payment["amount_requested"])
    payment["status_transitions"]["paid_at"] = at
    store.charges[payment["payment"]["payment_intent"]] = random_id("ch_")


def _end(store: Store, subscription: dict[str, Any], *, at: int) -> dict[str, Any]:
    subscription.update(
        status="canceled", ended_at=at, canceled_at=subscription["canceled_at"] or at
    )
    return log(store, "customer.subscription.deleted", subscription)


def _cancel_now(store: Store, subscription: dict[str, Any], params: dict[str, Any]) -> None:
    if subscription["status"] == "canceled":
        # Stripe keeps the object (GET still finds it) but answers a second cancel so.
        raise ApiError(
            404, f"No such subscription: '{subscription['id']}'", param="id",
            code="resource_missing",
        )  # fmt: skip
    unknown = set(params) - {"invoice_now", "prorate", "cancellation_details"}
    if unknown:
        param = sorted(unknown)[0]
        raise ApiError(400, f"Received unknown parameter: {param}", param=param)
    for flag in ("invoice_now", "prorate"):
        if params.get(flag, "false") not in ("true", "false"):
            raise ApiError(400, "Invalid boolean", param=flag)
        if params.get(flag) == "true":
            # Stripe would bill a final invoice or credit the unused time; neither is made here.
            raise ApiError(400, f"devstripe cancels only without {flag}", param=flag)
    details = params.get("cancellation_details") or {}
    if not isinstance(details, dict) or set(details) - {"comment", "feedback"}:
        raise ApiError(400, "Invalid cancellation_details", param="cancellation_details")
    subscription["cancellation_details"] = {
        "comment": details.get("comment") or None,
        "feedback": details.get("feedback") or None,
        "reason": "cancellation_requested",
    }
    _end(store, subscription, at=int(time.time()))
