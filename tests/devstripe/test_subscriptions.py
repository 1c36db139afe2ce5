"""devstripe's subscriptions through real stripe-python: subscription-mode checkout, the
subscription, its invoices and events, cancelling at period end or at once."""

import pytest
import stripe

from devstripe import StripeServer
from tests.devstripe.helpers import WebhookReceiver, press, session_params, verified_events


def monthly(**overrides):
    params = session_params(
        mode="subscription",
        client_reference_id="A2026-000001",
        metadata={"subscription_reference": "A2026-000001"},
        subscription_data={"metadata": {"subscription_reference": "A2026-000001"}},
    )
    params["line_items"][0]["price_data"].update(
        unit_amount=500, recurring={"interval": "month"}, product_data={"name": "Ratgeber"}
    )
    params.update(overrides)
    return params


def subscribed(server: StripeServer, client: stripe.StripeClient) -> stripe.Subscription:
    session = client.v1.checkout.sessions.create(params=monthly())
    server.complete(session.id)
    return client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).subscription
    )


def test_card_payment_starts_the_subscription_and_sends_its_three_events(
    server: StripeServer,
    client: stripe.StripeClient,
    receiver: WebhookReceiver,
) -> None:
    session = client.v1.checkout.sessions.create(params=monthly())
    assert press(server, session.id, "card").status == 303

    completed, created, paid = verified_events(receiver)
    assert [completed.type, created.type, paid.type] == [
        "checkout.session.completed", "customer.subscription.created", "invoice.paid",
    ]  # fmt: skip
    session = completed.data.object
    assert (session.mode, session.payment_status) == ("subscription", "paid")
    subscription = created.data.object
    assert session.subscription == subscription.id and session.customer == subscription.customer
    assert subscription.status == "active"
    assert subscription.metadata.to_dict() == {"subscription_reference": "A2026-000001"}
    item = subscription["items"].data[0]
    assert item.price.recurring.interval == "month" and item.price.unit_amount == 500
    assert 28 * 86400 <= item.current_period_end - item.current_period_start <= 31 * 86400
    invoice = paid.data.object
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == (
        "paid", 500, "subscription_create",
    )  # fmt: skip
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert invoice.lines.data[0].period.end == item.current_period_end
    assert client.v1.customers.retrieve(session.customer).email == "alice@example.com"
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"mode": "payment"}, "passed a recurring price"),
        ({"payment_intent_data": {"metadata": {"x": "y"}}}, "payment_intent_data"),
    ],
)
def test_stripe_refuses_what_does_not_fit_the_mode(client, params, message) -> None:
    with pytest.raises(stripe.InvalidRequestError, match=message):
        client.v1.checkout.sessions.create(params=monthly(**params))


def test_subscription_mode_needs_a_recurring_price(client) -> None:
    with pytest.raises(stripe.InvalidRequestError, match="at least one recurring price"):
        client.v1.checkout.sessions.create(params=session_params(mode="subscription"))


def test_cancel_at_period_end_keeps_it_active_then_renewal_ends_it(server, client) -> None:
    subscription = subscribed(server, client)

    updated = client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})

    assert (updated.status, updated.cancel_at_period_end) == ("active", True)
    assert server.events[-1]["type"] == "customer.subscription.updated"
    (deleted,) = server.renew(subscription.id)
    assert deleted["type"] == "customer.subscription.deleted"
    assert deleted["data"]["object"]["status"] == "canceled"
    assert deleted["data"]["object"]["ended_at"] == subscription["items"].data[0].current_period_end


def test_a_failed_renewal_is_past_due_until_the_retry_pays(server, client) -> None:
    subscription = subscribed(server, client)
    failed, updated = server.renew(subscription.id, paid=False)
    assert failed["type"] == "invoice.payment_failed"
    assert failed["data"]["object"]["status"] == "open"
    assert updated["data"]["object"]["status"] == "past_due"

    paid, recovered = server.pay_invoice(failed["data"]["object"]["id"])
    assert (paid["type"], paid["data"]["object"]["amount_paid"]) == ("invoice.paid", 500)
    assert recovered["data"]["object"]["status"] == "active"


def test_cancel_ends_it_at_once_and_a_second_cancel_finds_no_such_subscription(
    server, client
) -> None:
    subscription = subscribed(server, client)

    cancelled = client.v1.subscriptions.cancel(
        subscription.id, params={"invoice_now": False, "prorate": False}
    )

    assert (cancelled.status, cancelled.cancel_at_period_end) == ("canceled", False)
    assert cancelled.ended_at == cancelled.canceled_at
    assert cancelled.ended_at < subscription["items"].data[0].current_period_end
    assert cancelled.cancellation_details.reason == "cancellation_requested"
    deleted = server.events[-1]
    assert deleted["type"] == "customer.subscription.deleted"
    assert (deleted["data"]["object"]["id"], deleted["data"]["object"]["ended_at"]) == (
        subscription.id, cancelled.ended_at,
    )  # fmt: skip
    with pytest.raises(stripe.InvalidRequestError, match="No such subscription") as refused:
        client.v1.subscriptions.cancel(subscription.id)
    assert (refused.value.http_status, refused.value.code) == (404, "resource_missing")
    assert client.v1.subscriptions.retrieve(subscription.id).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})
    with pytest.raises(ValueError, match="canceled"):
        server.renew(subscription.id)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"at_period_end": True}, "unknown parameter: at_period_end"),
        ({"invoice_now": True}, "without invoice_now"),
        ({"cancellation_details": {"reason": "x"}}, "Invalid cancellation_details"),
    ],
)
def test_a_cancel_devstripe_cannot_carry_out_is_refused_and_ends_nothing(
    server, client, params, message
) -> None:
    subscription = subscribed(server, client)

    with pytest.raises(stripe.InvalidRequestError, match=message):
        client.v1.subscriptions.cancel(subscription.id, params=params)

    assert server.subscription(subscription.id)["status"] == "active"


def test_unknown_subscription_and_unknown_parameter_are_refused(server, client) -> None:
    with pytest.raises(stripe.InvalidRequestError, match="No such subscription"):
        client.v1.subscriptions.retrieve("sub_missing")
    subscription = subscribed(server, client)
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter"):
        client.v1.subscriptions.update(subscription.id, params={"trial_end": "now"})


def test_an_invoice_names_its_payment_only_when_asked_and_it_refunds_as_a_checkout_does(
    server, client
) -> None:
    subscription = subscribed(server, client)
    paid = server.events[-1]["data"]["object"]
    # Includable since API version 2025-03-31: never in an event, and payment_intent is gone.
    assert "payments" not in paid and "payment_intent" not in paid

    invoice = client.v1.invoices.retrieve(paid["id"], params={"expand": ["payments"]})

    [payment] = invoice.payments.data
    assert (payment.invoice, payment.status, payment.amount_paid) == (paid["id"], "paid", 500)
    assert payment.payment.type == "payment_intent"
    intent = payment.payment.payment_intent
    assert client.v1.refunds.create(params={"payment_intent": intent}).amount == 500
    charge = server.charge_refunded(intent)["data"]["object"]
    assert (charge["payment_intent"], charge["amount"], charge["amount_refunded"]) == (
        intent, 500, 500,
    )  # fmt: skip
    assert server.dispute(intent)["data"]["object"]["charge"] == charge["id"]
    assert server.subscription(subscription.id)["status"] == "active"
    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.invoices.retrieve(paid["id"], params={"expand": ["charge"]})


def test_a_failed_renewals_payment_stays_open_and_unrefundable_until_the_retry_pays(
    server, client
) -> None:
    subscription = subscribed(server, client)
    failed, _updated = server.renew(subscription.id, paid=False)
    invoice_id = failed["data"]["object"]["id"]

    def payment():
        invoice = client.v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]})
        [only] = invoice.payments.data
        return only

    assert (payment().status, payment().amount_paid) == ("open", None)
    intent = payment().payment.payment_intent
    with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent"):
        client.v1.refunds.create(params={"payment_intent": intent})

    server.pay_invoice(invoice_id)

    assert (payment().status, payment().payment.payment_intent) == ("paid", intent)
    assert client.v1.refunds.create(params={"payment_intent": intent}).amount == 500
