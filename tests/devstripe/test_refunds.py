"""The stand-in refunds a paid session's payment as Stripe does, and only what is left."""

import pytest

from shop.legal import texts as legal
from shop.orders import services
from shop.payments import stripe_api
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_intent(stripe_server):
    url = services.start_checkout(
        product=factories.article().product,
        email="a@example.com",
        lapse_consent_version=legal.LAPSE_CONSENT_VERSION,
    )
    session = stripe_server.complete(url.rsplit("/", 1)[-1])["data"]["object"]
    return session["payment_intent"]


def test_a_refund_returns_stripes_refund_object(paid_intent, stripe_server):
    refund = stripe_api.refund_payment(
        payment_intent=paid_intent, amount_cents=200, idempotency_key="r-1"
    )

    assert refund["object"] == "refund" and refund["id"].startswith("re_")
    assert (refund["amount"], refund["payment_intent"], refund["status"]) == (
        200, paid_intent, "succeeded",
    )  # fmt: skip
    assert stripe_server.refunds == [refund]


def test_the_same_key_refunds_once(paid_intent, stripe_server):
    first = stripe_api.refund_payment(
        payment_intent=paid_intent, amount_cents=200, idempotency_key="r-1"
    )
    again = stripe_api.refund_payment(
        payment_intent=paid_intent, amount_cents=200, idempotency_key="r-1"
    )

    assert first["id"] == again["id"] and len(stripe_server.refunds) == 1


def test_more_than_was_paid_or_an_unknown_payment_is_refused(paid_intent):
    with pytest.raises(stripe_api.StripeUnavailable, match="greater than unrefunded"):
        stripe_api.refund_payment(
            payment_intent=paid_intent, amount_cents=491, idempotency_key="r-2"
        )
    with pytest.raises(stripe_api.StripeUnavailable, match="No such payment_intent"):
        stripe_api.refund_payment(
            payment_intent="pi_unknown", amount_cents=1, idempotency_key="r-3"
        )
