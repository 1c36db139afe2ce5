"""PaymentIntents that paid a session or an invoice, their charges, refunds and disputes."""

import copy
import time
from typing import Any

from devstripe.forms import ApiError, integer, missing
from devstripe.signing import event, fixture, random_id
from devstripe.store import Store


def create_refund(
    store: Store, params: dict[str, Any], idempotency_key: str | None
) -> dict[str, Any]:
    """A refund of a paid session's or invoice's PaymentIntent, at most what is left
    unrefunded."""
    if idempotency_key and idempotency_key in store.idempotent:
        return copy.deepcopy(store.idempotent[idempotency_key][1])
    intent = params.get("payment_intent")
    if not intent:
        raise missing("payment_intent")
    try:
        paid = _paid(store, intent)
    except LookupError as error:
        raise ApiError(400, str(error), param="payment_intent", code="resource_missing") from None
    refunded = sum(r["amount"] for r in store.refunds if r["payment_intent"] == intent)
    left = paid["amount"] - refunded
    amount = integer(params, "amount", "", minimum=1) if "amount" in params else left
    if amount > left:
        raise ApiError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            param="amount",
            code="amount_too_large",
        )
    refund = fixture("refund")
    refund.update(
        id=random_id("re_"), amount=amount, currency=paid["currency"],
        payment_intent=intent, charge=store.charges[intent],
        metadata=params.get("metadata") or {}, reason=params.get("reason"),
        created=int(time.time()), status="succeeded",
    )  # fmt: skip
    store.refunds.append(refund)
    if idempotency_key:
        store.idempotent[idempotency_key] = (params, copy.deepcopy(refund))
    return copy.deepcopy(refund)


def charge_refunded(store: Store, payment_intent: str) -> dict[str, Any]:
    """The charge.refunded event after the refunds made so far of `payment_intent`, not sent:
    the charge with `amount_refunded` and its refunds, newest first, as Stripe lists them."""
    charge = _charge(store, payment_intent)
    refunds = [r for r in store.refunds if r["payment_intent"] == payment_intent]
    if not refunds:
        raise ValueError(f"payment_intent {payment_intent} has no refund")
    refunded = sum(r["amount"] for r in refunds)
    charge.update(
        amount_refunded=refunded,
        refunded=refunded == charge["amount"],
        refunds={
            "object": "list",
            "data": copy.deepcopy(refunds[::-1]),
            "has_more": False,
            "url": f"/v1/charges/{charge['id']}/refunds",
        },
    )
    return event("charge.refunded", charge)


def dispute(store: Store, payment_intent: str) -> dict[str, Any]:
    """The buyer's bank disputes the whole payment: charge.dispute.created, not sent."""
    charge = _charge(store, payment_intent)
    dispute = fixture("dispute")
    dispute.update(
        id=random_id("dp_"), amount=charge["amount"], currency=charge["currency"],
        charge=charge["id"], payment_intent=payment_intent, created=int(time.time()),
        status="needs_response",
    )  # fmt: skip
    return event("charge.dispute.created", dispute)


def _paid(store: Store, payment_intent: str) -> dict[str, Any]:
    """Amount, currency, time and payer of a PaymentIntent that paid a session or an
    invoice; LookupError for any other."""
    session = next(
        (s for s in store.sessions.values() if s.get("payment_intent") == payment_intent),
        None,
    )
    if session is not None and session["payment_status"] == "paid":
        return {
            "amount": session["amount_total"], "currency": session["currency"],
            "created": session["created"], "email": session["customer_email"],
            "details": session.get("customer_details") or {}, "metadata": session["metadata"],
        }  # fmt: skip
    payment = store.invoice_payments.get(payment_intent)
    if payment is not None and payment["status"] == "paid":
        invoice = store.invoices[payment["invoice"]]
        return {
            "amount": payment["amount_paid"], "currency": payment["currency"],
            "created": payment["status_transitions"]["paid_at"],
            "email": invoice["customer_email"],
            "details": {"email": invoice["customer_email"], "name": invoice["customer_name"],
                        "address": invoice["customer_address"]},
            # Stripe puts no metadata of the subscription's on the invoice's payment.
            "metadata": {},
        }  # fmt: skip
    raise LookupError(f"No such payment_intent: '{payment_intent}'")


def _charge(store: Store, payment_intent: str) -> dict[str, Any]:
    """The charge that paid a session or an invoice, as Stripe's charge object."""
    paid = _paid(store, payment_intent)
    charge = fixture("charge")
    charge.update(
        id=store.charges[payment_intent], amount=paid["amount"],
        amount_captured=paid["amount"], captured=True, paid=True, status="succeeded",
        currency=paid["currency"], payment_intent=payment_intent, created=paid["created"],
        receipt_email=paid["email"], metadata=paid["metadata"],
        description=None, transfer_data=None, source=None,
    )  # fmt: skip
    details = paid["details"]
    charge["billing_details"].update(
        email=details.get("email"), name=details.get("name"), address=details.get("address")
    )
    return charge
