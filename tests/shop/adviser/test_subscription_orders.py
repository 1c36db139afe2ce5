"""The order each KI-Berater month books knows the payment that paid it, so a refund or dispute of
that month reaches it as for any order: a cancellation invoice, and the month no longer counts as
paid while the subscription runs on. Its line writes dates as the reader's language does."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from devstripe import signing
from shop.adviser import services as adviser_services
from shop.models import Invoice, Order, Subscription
from tests import factories
from tests.shop.adviser.subscriber import reads_full_text
from tests.shop.stripe_events import outcome, refund, send

pytestmark = pytest.mark.django_db


def stripe_subscription_id() -> str:
    return Subscription.objects.get().stripe_subscription_id


def test_a_refunded_month_is_cancelled_like_any_order_and_opens_no_more_articles(
    client, paid_month, post_event, stripe_server
):
    article = factories.article()
    assert reads_full_text(client, article)
    # Refunding at Stripe needs the very PaymentIntent Stripe charged the month with.
    event = refund(stripe_server, paid_month, 500)

    assert outcome(post_event(event)).startswith("refunded ST-")

    cancellation = paid_month.invoices.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert cancellation.corrects == paid_month.invoices.get(kind=Invoice.Kind.INVOICE)
    [line] = cancellation.lines.all()
    assert (line.gross_cents, str(line.vat_rate), line.vat_cents) == (-500, "19.00", -80)
    paid_month.refresh_from_db()
    assert not paid_month.needs_review
    assert not reads_full_text(client, article)


def test_a_refunded_month_is_no_notice_the_subscription_runs_on_and_the_next_month_reads_again(
    client, paid_month, post_event, stripe_server
):
    article = factories.article()
    period_end = Subscription.objects.get().current_period_end
    post_event(refund(stripe_server, paid_month, 500))

    assert stripe_server.subscription(stripe_subscription_id())["cancel_at_period_end"] is False
    assert not [r for r in stripe_server.requests if r.path.startswith("/v1/subscriptions/")]
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE
    with time_machine.travel(period_end + timedelta(minutes=5), tick=False):
        assert send(post_event, stripe_server.renew(stripe_subscription_id())) == [
            "paid", "active",
        ]  # fmt: skip
        assert reads_full_text(client, article)


def test_a_refunded_renewal_leaves_the_month_before_paid(paid_month, post_event, stripe_server):
    first_end = Subscription.objects.get().paid_until
    with time_machine.travel(first_end + timedelta(minutes=5), tick=False):
        send(post_event, stripe_server.renew(stripe_subscription_id()))
        renewal = Order.objects.exclude(pk=paid_month.pk).get()

        assert outcome(post_event(refund(stripe_server, renewal, 500))).startswith("refunded")

    assert Subscription.objects.get().paid_until == first_end
    assert not paid_month.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_a_disputed_month_opens_no_more_articles_and_is_flagged(
    client, paid_month, post_event, stripe_server
):
    article = factories.article()
    assert reads_full_text(client, article)

    answer = post_event(stripe_server.dispute(paid_month.stripe_payment_intent))

    assert outcome(answer) == "disputed: revoked and flagged"
    assert not reads_full_text(client, article)
    paid_month.refresh_from_db()
    assert paid_month.needs_review and "angefochten" in paid_month.review_note


START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def invoice_of_a_running_subscription(*, language: str = "de", **fields) -> dict:
    """A paid invoice of a subscription the shop knows, for its month from START."""
    reference = "A2026-000001"
    Subscription.objects.create(
        reference=reference, email="leserin@example.com", product=factories.adviser_product(),
        status=Subscription.Status.ACTIVE, stripe_subscription_id="sub_known", language=language,
    )  # fmt: skip
    start = int(START.timestamp())
    price = {"currency": "eur", "unit_amount": 500, "product": "prod_x"}
    stripe_subscription = signing.subscription(
        id="sub_known", customer="cus_x", price=price, period_start=start,
        period_end=signing.next_month(start), metadata={"subscription_reference": reference},
    )  # fmt: skip
    return signing.invoice(
        stripe_subscription=stripe_subscription, period_start=start,
        period_end=signing.next_month(start), paid=True, **fields,
    )  # fmt: skip


@pytest.mark.parametrize(
    "names_its_payment",
    [
        # Expanded, as Stripe answers when asked: only the paid payment counts, id or object.
        {"payments": {"object": "list", "data": [
            {"status": "canceled", "payment": {"type": "payment_intent",
                                               "payment_intent": "pi_declined"}},
            {"status": "paid", "payment": {"type": "payment_intent",
                                           "payment_intent": {"id": "pi_paid"}}},
        ]}},
        {"payment_intent": "pi_paid"},  # API versions before 2025-03-31
    ],
)  # fmt: skip
def test_an_invoice_naming_its_payment_books_the_month_with_it_without_asking_stripe(
    stripe_server, names_its_payment
):
    invoice = invoice_of_a_running_subscription(**names_its_payment)

    assert adviser_services.record_paid_invoice(invoice=invoice) == "paid"

    order = Order.objects.get()
    assert order.stripe_payment_intent == "pi_paid" and not order.needs_review
    assert not stripe_server.requests


def test_a_month_whose_payment_stripe_cannot_name_is_booked_and_flagged_for_staff(stripe_server):
    invoice = invoice_of_a_running_subscription()  # one the stand-in never made

    assert adviser_services.record_paid_invoice(invoice=invoice) == "paid"

    order = Order.objects.get()
    assert order.is_paid and order.stripe_payment_intent == ""
    assert order.needs_review and invoice["id"] in order.review_note
    assert Subscription.objects.get().has_access


@pytest.mark.parametrize(
    ("language", "description"),
    [
        ("de", "KI-Berater-Abo 23. November 2026–23. Dezember 2026"),
        ("en", "AI adviser subscription Nov. 23, 2026–Dec. 23, 2026"),
    ],
)
def test_the_months_line_writes_its_dates_as_the_readers_language_does(language, description):
    invoice = invoice_of_a_running_subscription(language=language, payment_intent="pi_paid")

    adviser_services.record_paid_invoice(invoice=invoice)

    order = Order.objects.get()
    assert order.lines.get().description == description
    assert order.invoices.get().lines.get().description == description
