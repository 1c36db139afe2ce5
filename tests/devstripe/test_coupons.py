"""devstripe's coupons and discounted Checkout Sessions, through real stripe-python."""

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from devstripe import StripeServer
from devstripe.signing import fixture
from tests.devstripe.helpers import session_params


@pytest.fixture
def server() -> Iterator[StripeServer]:
    """No webhook endpoint: coupons are only about the API."""
    with StripeServer() as running:
        yield running


def coupon(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    return client.v1.coupons.create(
        params={"amount_off": 300, "currency": "eur", "duration": "once", **params}
    )


def test_a_coupon_has_stripes_shape(client: stripe.StripeClient) -> None:
    created = coupon(client, name="SOMMER", max_redemptions=1)

    assert set(created.to_dict()) == set(fixture("coupon"))
    assert created.object == "coupon"
    assert (created.amount_off, created.currency, created.percent_off) == (300, "eur", None)
    assert (created.name, created.duration, created.max_redemptions) == ("SOMMER", "once", 1)
    assert (created.times_redeemed, created.valid) == (0, True)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"amount_off": 300}, "currency"),
        ({"amount_off": 300, "currency": "eur", "percent_off": 10}, None),
        ({"percent_off": 0}, "percent_off"),
        ({"percent_off": 101}, "percent_off"),
        ({"amount_off": 300, "currency": "eur", "name": "x" * 41}, "name"),
    ],
)
def test_a_coupon_stripe_would_refuse_is_refused(
    client: stripe.StripeClient, params: dict[str, Any], param: str | None
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.coupons.create(params=params)

    assert raised.value.http_status == 400 and raised.value.param == param


def test_a_session_with_a_coupon_totals_the_lines_less_the_discount(
    client: stripe.StripeClient,
) -> None:
    created = coupon(client)

    session = client.v1.checkout.sessions.create(
        params=session_params(discounts=[{"coupon": created.id}])
    )

    assert (session.amount_subtotal, session.amount_total) == (1990, 1690)
    assert session.total_details.amount_discount == 300
    assert [d.to_dict() for d in session.discounts] == [
        {"coupon": created.id, "promotion_code": None}
    ]


def test_a_discount_never_takes_the_session_below_zero_and_a_free_one_needs_no_payment(
    server: StripeServer, client: stripe.StripeClient
) -> None:
    created = coupon(client, amount_off=5000)
    session = client.v1.checkout.sessions.create(
        params=session_params(discounts=[{"coupon": created.id}])
    )

    completed = server.complete(session.id)["data"]["object"]

    assert session.amount_total == 0 and session.total_details.amount_discount == 1990
    assert completed["payment_status"] == "no_payment_required"
    assert completed["payment_intent"] is None


def test_a_total_below_stripes_minimum_charge_is_refused(client: stripe.StripeClient) -> None:
    created = coupon(client, amount_off=1950)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(
            params=session_params(discounts=[{"coupon": created.id}])
        )

    assert raised.value.code == "amount_too_small"


def test_an_unknown_or_used_up_coupon_is_refused(
    server: StripeServer, client: stripe.StripeClient
) -> None:
    once = coupon(client, max_redemptions=1)
    first = client.v1.checkout.sessions.create(
        params=session_params(discounts=[{"coupon": once.id}])
    )
    server.complete(first.id)

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.checkout.sessions.create(params=session_params(discounts=[{"coupon": "NOPE"}]))
    with pytest.raises(stripe.InvalidRequestError) as used:
        client.v1.checkout.sessions.create(params=session_params(discounts=[{"coupon": once.id}]))

    assert unknown.value.code == "resource_missing"
    assert used.value.code == "coupon_expired"
    assert server.coupons[once.id]["times_redeemed"] == 1
