"""Coupons: created through the API, applied to a Checkout Session, redeemed when it completes."""

import copy
import time
from typing import Any

from devstripe.forms import ApiError, integer, missing
from devstripe.signing import fixture, random_id
from devstripe.store import Store


def create_coupon(
    store: Store, params: dict[str, Any], idempotency_key: str | None
) -> dict[str, Any]:
    """A coupon of `percent_off` or `amount_off` and `currency`, as Stripe validates it."""
    if idempotency_key and idempotency_key in store.idempotent:
        return copy.deepcopy(store.idempotent[idempotency_key][1])
    has_amount, has_percent = "amount_off" in params, "percent_off" in params
    if has_amount == has_percent:
        raise ApiError(400, "Must provide exactly one of amount_off or percent_off.")
    coupon = fixture("coupon")
    coupon.update(
        id=params.get("id") or random_id("", 8), amount_off=None, currency=None,
        percent_off=None, duration=params.get("duration") or "once",
        duration_in_months=None, max_redemptions=None, redeem_by=None,
        name=params.get("name") or None, metadata=params.get("metadata") or {},
        created=int(time.time()), times_redeemed=0, valid=True,
    )  # fmt: skip
    if has_amount:
        coupon["amount_off"] = integer(params, "amount_off", "", minimum=1)
        if not params.get("currency"):
            raise missing("currency")
        coupon["currency"] = params["currency"].lower()
    else:
        try:
            percent = float(params["percent_off"])
        except ValueError:
            raise ApiError(400, "Invalid decimal", param="percent_off") from None
        if not 0 < percent <= 100:
            raise ApiError(400, "Invalid percent_off: must be in (0, 100]", param="percent_off")
        coupon["percent_off"] = percent
    if coupon["duration"] not in ("once", "forever", "repeating"):
        raise ApiError(400, "Invalid duration", param="duration")
    if coupon["name"] is not None and len(coupon["name"]) > 40:
        raise ApiError(400, "Invalid name: must be at most 40 characters", param="name")
    if "max_redemptions" in params:
        coupon["max_redemptions"] = integer(params, "max_redemptions", "", minimum=1)
    if coupon["id"] in store.coupons:
        raise ApiError(400, "Coupon already exists.", param="id", code="resource_already_exists")
    store.coupons[coupon["id"]] = coupon
    if idempotency_key:
        store.idempotent[idempotency_key] = (params, copy.deepcopy(coupon))
    return copy.deepcopy(coupon)


def session_discounts(store: Store, discounts: Any) -> list[dict[str, Any]]:
    """A new session's `discounts`: at most one coupon, as Stripe's Checkout takes it."""
    if discounts in (None, ""):
        return []
    if not isinstance(discounts, list) or len(discounts) > 1:
        raise ApiError(400, "You may only specify one discount.", param="discounts")
    coupon_id = discounts[0].get("coupon") if isinstance(discounts[0], dict) else None
    if not coupon_id:
        raise missing("discounts[0][coupon]")
    coupon = store.coupons.get(coupon_id)
    if coupon is None:
        raise ApiError(
            400, f"No such coupon: '{coupon_id}'", param="discounts[0][coupon]",
            code="resource_missing",
        )  # fmt: skip
    if not coupon["valid"]:
        raise ApiError(
            400, f"Coupon '{coupon_id}' is no longer valid.", param="discounts[0][coupon]",
            code="coupon_expired",
        )  # fmt: skip
    return [{"coupon": coupon_id, "promotion_code": None}]


def discount(coupon: dict[str, Any], currency: str, subtotal: int) -> int:
    """What a coupon takes off a session's subtotal, never more than the subtotal."""
    if coupon["amount_off"] is not None:
        if coupon["currency"] != currency:
            raise ApiError(
                400,
                f"The coupon's currency ({coupon['currency']}) does not match the session's "
                f"currency ({currency}).",
                param="discounts",
            )
        return min(coupon["amount_off"], subtotal)
    return min(subtotal, round(subtotal * coupon["percent_off"] / 100))


def redeem(store: Store, session: dict[str, Any]) -> None:
    """The session's coupons are used once more; one used up is no longer valid."""
    for applied in session["discounts"] or []:
        coupon = store.coupons[applied["coupon"]]
        coupon["times_redeemed"] += 1
        if coupon["max_redemptions"] is not None:
            coupon["valid"] = coupon["times_redeemed"] < coupon["max_redemptions"]
