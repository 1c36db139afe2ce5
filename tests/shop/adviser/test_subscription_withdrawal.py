"""Withdrawing the AI adviser subscription: a declaration naming its Abo-Nummer (or one of its
months' orders) with the subscription's own address is matched, its first 14 days decide, and the
staff's refund ends it at Stripe at once, refunds what it still counts as paid, and does all that
once however often it is clicked or Stripe reports it."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from shop.models import Order, Subscription, WithdrawalDeclaration
from shop.payments import stripe_api
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.shop.adviser.subscriber import EMAIL, reads_full_text, subscribe_by_link
from tests.shop.stripe_events import send
from tests.shop.withdrawals.declarations import ADMIN, declare, main, receipts

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund_action(client, django_user_model):
    """Staff's "Zahlung erstatten" on a declaration in the admin; the page it answers with.
    Signed in anew each time: these tests travel further than a session lasts."""
    staff = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")

    def run(declaration: WithdrawalDeclaration) -> str:
        sign_in_to_admin(client, staff)
        data = {"action": "refund", "_selected_action": [declaration.pk]}
        return client.post(ADMIN, data, follow=True).content.decode()

    return run


def cancels_sent(stripe_server) -> int:
    return sum(request.method == "DELETE" for request in stripe_server.requests)


@pytest.mark.parametrize("typed", [str.upper, str.lower])
def test_an_abo_nummer_with_the_subscriptions_address_matches_it_and_its_first_month(
    client, run_tasks, paid_month, outbox, typed
):
    subscription = Subscription.objects.get()

    declare(client, run_tasks, contract=typed(subscription.reference), email=EMAIL.upper())

    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.subscription == subscription and declaration.order == paid_month
    assert declaration.is_withdrawable
    assert "Innerhalb der Widerrufsfrist bis" in declaration.assessment
    [message] = receipts(outbox)
    assert message.to == [EMAIL] and "Ihr Vertrag kann widerrufen werden" in message.body


def test_a_months_order_reference_names_its_subscription_too(client, run_tasks, paid_month):
    declare(client, run_tasks, contract=paid_month.reference, email=EMAIL)

    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.order == paid_month
    assert declaration.subscription == Subscription.objects.get()


def test_after_its_first_14_days_an_abo_nummer_is_matched_but_no_longer_withdrawable(
    client, run_tasks, paid_month, outbox, refund_action, stripe_server
):
    subscription = Subscription.objects.get()
    with time_machine.travel(paid_month.paid_at + timedelta(days=15), tick=False):
        declare(client, run_tasks, contract=subscription.reference, email=EMAIL)
        declaration = WithdrawalDeclaration.objects.get()

        page = refund_action(declaration)

    assert declaration.subscription == subscription and not declaration.is_withdrawable
    assert "Die Widerrufsfrist endete am" in declaration.assessment
    assert "kein Widerrufsrecht mehr" in outbox[0].body
    assert "Die Widerrufsfrist endete am" in page
    assert stripe_server.refunds == [] and cancels_sent(stripe_server) == 0
    assert stripe_server.subscription(subscription.stripe_subscription_id)["status"] == "active"


def test_an_abo_nummer_with_another_address_withdraws_nothing_and_reads_as_any_unknown_one(
    client, run_tasks, paid_month, outbox
):
    subscription = Subscription.objects.get()
    unknown = declare(client, run_tasks, contract="A2026-999999", email="mallory@example.com")

    stranger = declare(
        client, run_tasks, contract=subscription.reference, email="mallory@example.com"
    )

    assert main(stranger) == main(unknown)
    declaration = WithdrawalDeclaration.objects.get(contract=subscription.reference)
    assert (declaration.order, declaration.subscription) == (None, None)
    assert "Keinem Vertrag zugeordnet" in declaration.assessment
    assert [m.to for m in outbox] == [["mallory@example.com"], ["mallory@example.com"]]
    assert outbox[1].body == outbox[0].body.replace("A2026-999999", subscription.reference)


def test_a_subscription_without_a_paid_month_is_named_for_staff_with_nothing_to_refund(
    client, run_tasks, adviser, refund_action, stripe_server
):
    subscribe_by_link(client, EMAIL)  # Stripe's checkout left unpaid
    subscription = Subscription.objects.get()

    declare(client, run_tasks, contract=subscription.reference, email=EMAIL)

    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.subscription == subscription and declaration.order is None
    assert "ohne bezahlten Monat" in declaration.assessment
    assert "ohne bezahlten Monat" in refund_action(declaration)
    assert stripe_server.refunds == [] and cancels_sent(stripe_server) == 0


@pytest.mark.parametrize("names", ["abo-nummer", "month order"])
def test_refunding_a_withdrawn_subscription_ends_it_at_stripe_at_once_and_charges_no_more(
    client, run_tasks, paid_month, post_event, stripe_server, refund_action, names
):
    article = factories.article()
    subscription = Subscription.objects.get()
    period_end = subscription.current_period_end
    contract = subscription.reference if names == "abo-nummer" else paid_month.reference
    declare(client, run_tasks, contract=contract, email=EMAIL, owner_confirms=True)
    declaration = WithdrawalDeclaration.objects.get()

    page = refund_action(declaration)

    assert "1 Widerruf(e) erstattet und erledigt" in page
    at_stripe = stripe_server.subscription(subscription.stripe_subscription_id)
    assert at_stripe["status"] == "canceled" and at_stripe["ended_at"] < period_end.timestamp()
    [refund] = stripe_server.refunds
    assert (refund["payment_intent"], refund["amount"]) == (paid_month.stripe_payment_intent, 500)
    declaration.refresh_from_db()
    assert declaration.handled_at and declaration.refund_ids == refund["id"]
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELED and subscription.ended_at
    assert not reads_full_text(Client(), article)
    with pytest.raises(ValueError, match="canceled"):
        stripe_server.renew(subscription.stripe_subscription_id)  # the next month: no charge


def test_a_second_click_and_stripes_later_events_change_nothing_more(
    client, run_tasks, paid_month, post_event, stripe_server, refund_action
):
    subscription = Subscription.objects.get()
    declare(client, run_tasks, contract=subscription.reference, email=EMAIL, owner_confirms=True)
    declaration = WithdrawalDeclaration.objects.get()
    made = len(stripe_server.events)
    refund_action(declaration)
    ended = Subscription.objects.get()

    again = refund_action(declaration)
    deleted = [
        e for e in stripe_server.events[made:] if e["type"] == "customer.subscription.deleted"
    ]
    outcomes = send(post_event, [*deleted, *deleted])
    refunded = send(post_event, [stripe_server.charge_refunded(paid_month.stripe_payment_intent)])

    assert "Bereits erledigt" in again
    assert outcomes == ["no change (canceled)", "duplicate"]
    assert refunded[0].startswith("refunded ST-")
    assert len(stripe_server.refunds) == 1 and cancels_sent(stripe_server) == 1
    after = Subscription.objects.get()
    assert (after.status, after.ended_at) == (ended.status, ended.ended_at)
    assert after.paid_until is None and not after.has_access


def test_a_subscription_stripe_has_ended_already_is_refunded_and_ended_here_too(
    client, run_tasks, paid_month, stripe_server, refund_action
):
    subscription = Subscription.objects.get()
    declare(client, run_tasks, contract=subscription.reference, email=EMAIL, owner_confirms=True)
    # Ended in Stripe's dashboard, or by a first click whose transaction then rolled back: its
    # event has not arrived, and Stripe refuses a second cancel.
    stripe_api.client().v1.subscriptions.cancel(subscription.stripe_subscription_id)

    page = refund_action(WithdrawalDeclaration.objects.get())

    assert "1 Widerruf(e) erstattet und erledigt" in page
    assert Subscription.objects.get().status == Subscription.Status.CANCELED
    assert len(stripe_server.refunds) == 1


def test_a_month_charged_before_staff_acted_is_refunded_with_the_first(
    client, run_tasks, paid_month, post_event, stripe_server, refund_action
):
    subscription = Subscription.objects.get()
    declare(client, run_tasks, contract=subscription.reference, email=EMAIL, owner_confirms=True)
    with time_machine.travel(subscription.paid_until + timedelta(minutes=5), tick=False):
        send(post_event, stripe_server.renew(subscription.stripe_subscription_id))
        renewal = Order.objects.exclude(pk=paid_month.pk).get()

        refund_action(WithdrawalDeclaration.objects.get())

    refunded = {(refund["payment_intent"], refund["amount"]) for refund in stripe_server.refunds}
    assert refunded == {
        (paid_month.stripe_payment_intent, 500), (renewal.stripe_payment_intent, 500),
    }  # fmt: skip
    assert len(WithdrawalDeclaration.objects.get().refund_ids.split(", ")) == 2
    assert Subscription.objects.get().status == Subscription.Status.CANCELED


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_the_subscription_of_declarations_matched_to_one_of_its_months():
    before = [("shop", "0016_subscription_payment_revoked_at")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    product = old.get_model("shop", "Product").objects.create(
        kind="adviser", name="KI-Berater", price_cents=500
    )
    month, other = (
        old.get_model("shop", "Order").objects.create(
            reference=reference, email=EMAIL, total_cents=500, status="paid"
        )
        for reference in ("2026-000001", "2026-000002")
    )
    subscription = old.get_model("shop", "Subscription").objects.create(
        reference="A2026-000003", email=EMAIL, product=product
    )
    old.get_model("shop", "SubscriptionPayment").objects.create(
        subscription=subscription, stripe_invoice_id="in_1", order=month,
        period_start=timezone.now(), period_end=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    declarations = old.get_model("shop", "WithdrawalDeclaration").objects
    for order in (month, other):
        declarations.create(name="Lea", email=EMAIL, contract=order.reference, order=order)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    named = dict(WithdrawalDeclaration.objects.values_list("contract", "subscription__reference"))
    assert named == {"2026-000001": "A2026-000003", "2026-000002": None}
