"""POST /stripe/webhook/: who may change an order, and what each Stripe event does to it."""

import json
import time

import pytest

from devstripe import signing
from shop.models import Entitlement, Order, StripeEvent
from tests import factories

pytestmark = pytest.mark.django_db


def completed(order, **overrides):
    return signing.event(
        "checkout.session.completed", factories.completed_session(order, **overrides)
    )


def snapshot():
    return list(Order.objects.values_list("reference", "status", "needs_review", "paid_at"))


def test_paid_checkout_pays_the_order_grants_it_and_enqueues_fulfilment(
    post_event, django_capture_on_commit_callbacks
):
    order = factories.pending_order()

    with django_capture_on_commit_callbacks() as enqueued:
        response = post_event(completed(order))

    assert response.status_code == 200
    assert response.json()["outcome"] == "paid"
    order.refresh_from_db()
    assert (
        order.is_paid and order.paid_at and order.stripe_payment_intent == f"pi_{order.reference}"
    )
    assert order.buyer.email == "alice@example.com"
    assert list(Entitlement.objects.values_list("buyer__email", "product")) == [
        ("alice@example.com", order.lines.get().product_id)
    ]
    # fulfil_order.delay, once the payment is committed
    assert [c.func.__self__.name for c in enqueued if hasattr(c, "func")] == [
        "shop.tasks.fulfil_order"
    ]


def test_replayed_event_answers_200_and_changes_nothing(
    post_event, django_capture_on_commit_callbacks
):
    order = factories.pending_order()
    event = completed(order)
    post_event(event)
    before = snapshot()

    with django_capture_on_commit_callbacks() as enqueued:
        response = post_event(event)

    assert response.status_code == 200
    assert response.json()["outcome"] == "duplicate"
    assert snapshot() == before
    assert enqueued == []
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert Entitlement.objects.count() == 1


def test_a_replay_of_a_known_event_is_answered_without_the_database(
    post_event, django_assert_num_queries
):
    event = completed(factories.pending_order())
    post_event(event)
    post_event(event)  # the database answers, and the cache learns the id

    with django_assert_num_queries(0):
        response = post_event(event)

    assert response.json()["outcome"] == "duplicate"


def test_same_payment_in_a_new_event_does_not_pay_twice(post_event):
    order = factories.pending_order()
    post_event(completed(order))

    response = post_event(completed(order))

    assert response.json()["outcome"] == "already paid"
    assert Entitlement.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "t=1700000000,v1=" + "0" * 64,
        "garbage",
    ],
    ids=["missing", "forged", "unreadable"],
)
def test_request_without_a_valid_signature_is_refused(client, signature):
    order = factories.pending_order()
    headers = {"Stripe-Signature": signature} if signature else {}

    response = client.post(
        "/stripe/webhook/", json.dumps(completed(order)), content_type="application/json",
        headers=headers,
    )  # fmt: skip

    assert response.status_code == 400
    assert order.status == Order.objects.get().status == Order.Status.PENDING
    assert not StripeEvent.objects.exists()


def test_signature_made_with_another_secret_is_refused(post_event):
    order = factories.pending_order()

    response = post_event(completed(order), secret="whsec_someone_else")

    assert response.status_code == 400
    assert Order.objects.get().status == Order.Status.PENDING


def test_stale_timestamp_is_refused_even_with_a_valid_signature(post_event):
    order = factories.pending_order()

    response = post_event(completed(order), timestamp=int(time.time()) - 600)

    assert response.status_code == 400
    assert b"timestamp" in response.content.lower()
    assert Order.objects.get().status == Order.Status.PENDING


def test_body_changed_after_signing_is_refused(client):
    order = factories.pending_order()
    body, header = factories.signed_body(completed(order))

    response = client.post(
        "/stripe/webhook/", body.replace(b'"paid"', b'"unpaid"'), content_type="application/json",
        headers={"Stripe-Signature": header},
    )  # fmt: skip

    assert response.status_code == 400


def test_signed_but_malformed_json_is_refused(client):
    factories.pending_order()
    body = b'{"id": "evt_1", "type": "checkout.session.completed", '
    header = signing.sign(body, secret="whsec_test_shop")

    response = client.post(
        "/stripe/webhook/", body, content_type="application/json",
        headers={"Stripe-Signature": header},
    )  # fmt: skip

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_amount_mismatch_leaves_the_order_unpaid_and_flags_it_for_staff(post_event):
    order = factories.pending_order()

    response = post_event(completed(order, amount_total=order.total_cents - 1))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.needs_review and "489" in order.review_note
    assert not Entitlement.objects.exists()


def test_currency_mismatch_leaves_the_order_unpaid(post_event):
    order = factories.pending_order()

    post_event(completed(order, currency="usd"))

    order.refresh_from_db()
    assert not order.is_paid and order.needs_review


def test_unknown_order_reference_is_acknowledged_and_changes_nothing(post_event):
    order = factories.pending_order()
    before = snapshot()
    session = factories.completed_session(
        order, metadata={"order_reference": "2026-999999"}, client_reference_id="2026-999999"
    )

    response = post_event(signing.event("checkout.session.completed", session))

    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown order"
    assert snapshot() == before


def test_unknown_event_type_is_acknowledged_and_ignored(post_event):
    factories.pending_order()
    before = snapshot()

    response = post_event(signing.event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert snapshot() == before


def test_sepa_debit_waits_then_pays(post_event):
    order = factories.pending_order()

    post_event(completed(order, payment_status="unpaid"))
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert not Entitlement.objects.exists()

    post_event(
        signing.event(
            "checkout.session.async_payment_succeeded", factories.completed_session(order)
        )
    )
    order.refresh_from_db()
    assert order.is_paid
    assert Entitlement.objects.count() == 1


def test_async_success_arriving_before_completed_pays_once(post_event):
    order = factories.pending_order()

    post_event(
        signing.event(
            "checkout.session.async_payment_succeeded", factories.completed_session(order)
        )
    )
    late = post_event(completed(order, payment_status="unpaid"))

    order.refresh_from_db()
    assert order.is_paid
    assert late.json()["outcome"] == "no change (paid)"


def test_failed_sepa_debit_cancels_the_order(post_event):
    order = factories.pending_order()
    post_event(completed(order, payment_status="unpaid"))

    post_event(
        signing.event(
            "checkout.session.async_payment_failed",
            factories.completed_session(order, payment_status="unpaid"),
        )
    )

    order.refresh_from_db()
    assert order.status == Order.Status.ABANDONED
    assert not Entitlement.objects.exists()


def test_expired_session_cancels_a_pending_order_but_never_a_paid_one(post_event):
    pending, paid = factories.pending_order(), factories.pending_order()
    post_event(completed(paid))

    for order in (pending, paid):
        post_event(
            signing.event(
                "checkout.session.expired",
                factories.completed_session(order, status="expired", payment_status="unpaid"),
            )
        )

    pending.refresh_from_db()
    paid.refresh_from_db()
    assert pending.status == Order.Status.ABANDONED
    assert paid.is_paid
