"""Signed subscription events with fields of any type and value: never a 500, and a subscription
never gains access from an event that does not pay for it."""

import json

import pytest
from django.conf import settings
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from devstripe import signing
from shop.models import Subscription
from tests import factories

pytestmark = pytest.mark.django_db

TYPES = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
]
REFERENCE = "A2026-000001"
STRIPE_ID = "sub_fuzz"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=12,
)
timestamps = st.integers(min_value=0, max_value=2**40) | json_values
metadata = st.fixed_dictionaries({"subscription_reference": st.just(REFERENCE) | json_values})
period = st.fixed_dictionaries({"start": timestamps, "end": timestamps}) | json_values
objects = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from([STRIPE_ID, "in_fuzz", "cs_fuzz"]) | json_values,
        "mode": st.just("subscription") | json_values,
        "status": st.sampled_from([*Subscription.Status.values, "complete"]) | json_values,
        "subscription": st.just(STRIPE_ID) | json_values,
        "customer": st.just("cus_fuzz") | json_values,
        "metadata": metadata | json_values,
        "cancel_at_period_end": st.booleans() | json_values,
        "ended_at": timestamps,
        "items": st.fixed_dictionaries(
            {"data": st.lists(st.fixed_dictionaries({"current_period_end": timestamps}), max_size=2)
             | json_values}
        ) | json_values,
        "amount_paid": st.integers() | json_values,
        "currency": st.sampled_from(["eur", "usd"]) | json_values,
        "lines": st.fixed_dictionaries(
            {"data": st.lists(st.fixed_dictionaries({"period": period}), max_size=2) | json_values}
        ) | json_values,
        "parent": st.fixed_dictionaries(
            {"subscription_details": st.fixed_dictionaries(
                {"subscription": st.just(STRIPE_ID) | json_values,
                 "metadata": metadata | json_values}
            ) | json_values}
        ) | json_values,
    },
)  # fmt: skip
events = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"evt_[A-Za-z0-9]{1,30}", fullmatch=True),
        "type": st.sampled_from(TYPES),
        "data": st.fixed_dictionaries({"object": objects}),
    }
)


@pytest.fixture
def subscription():
    return Subscription.objects.create(
        reference=REFERENCE, email="leserin@example.com", product=factories.adviser_product(),
        status=Subscription.Status.ACTIVE, stripe_subscription_id=STRIPE_ID,
    )  # fmt: skip


# An invoice that pays makes the shop ask Stripe for its payment: the stand-in answers.
@pytest.mark.usefixtures("stripe_server")
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stripe_event=events)
@example(  # each of these once answered 500
    stripe_event={"id": "evt_1", "type": "invoice.paid", "data": {"object": {"lines": [1]}}}
)
@example(
    stripe_event={
        "id": "evt_2",
        "type": "customer.subscription.updated",
        "data": {
            "object": {
                "id": STRIPE_ID,
                "status": "active",
                "items": {"data": [{"current_period_end": 2**40}]},
            }
        },
    }  # fmt: skip
)
@example(
    stripe_event={
        "id": "evt_3",
        "type": "customer.subscription.deleted",
        "data": {"object": {"id": STRIPE_ID, "status": {"x" * 300: None}}},
    }
)
def test_signed_subscription_event_of_any_shape_never_fails_with_a_server_error(
    client, subscription, stripe_event
):
    payload = json.dumps(stripe_event).encode()
    response = client.post(
        "/stripe/webhook/", payload, content_type="application/json",
        headers={"Stripe-Signature": signing.sign(payload, secret=settings.STRIPE_WEBHOOK_SECRET)},
    )  # fmt: skip
    assert response.status_code in {200, 400}  # 400: what PostgreSQL cannot store (a NUL)
    subscription.refresh_from_db()
    if subscription.paid_until is not None:
        assert subscription.payments.filter(period_end=subscription.paid_until).exists()
