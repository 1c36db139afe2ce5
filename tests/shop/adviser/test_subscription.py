"""The AI adviser subscription through its whole life, as Stripe's signed events tell it over HTTP:
subscribe, paid, payment failed (past due, grace, no access), recovered, renewed, ended; events
replayed and out of order."""

import re
from datetime import timedelta

import pytest
import requests
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from devstripe import signing
from shop.adviser import links
from shop.models import Invoice, Order, Subscription
from shop.payments import stripe_api
from shop.withdrawals import services as withdrawals
from tests import factories
from tests.shop.adviser.subscriber import EMAIL, reads_full_text, subscribe_by_link
from tests.shop.stripe_events import send
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return factories.article(title="Gehalt verhandeln")


def test_subscribe_page_shows_the_monthly_price_with_vat(client, adviser):
    page = client.get("/ki-berater/").content.decode()
    assert "5,00 € / Monat inkl. MwSt." in page
    assert 'name="email"' in page


def test_checkout_is_a_subscription_session_with_a_monthly_price(client, stripe_server, adviser):
    subscribe_by_link(client)
    created = [r for r in stripe_server.requests if r.path == "/v1/checkout/sessions"][0]
    assert created.params["mode"] == "subscription"
    price = created.params["line_items"][0]["price_data"]
    assert price["unit_amount"] == "500"
    assert price["recurring"] == {"interval": "month", "interval_count": "1"}
    reference = Subscription.objects.get().reference
    assert created.params["subscription_data"]["metadata"]["subscription_reference"] == reference


def test_a_bad_email_is_refused_and_nothing_is_created(client, stripe_server, adviser):
    response = client.post("/ki-berater/abonnieren/", {"email": "keine-adresse"})
    assert response.status_code == 400
    assert not Subscription.objects.exists()
    assert not stripe_server.requests


def test_paid_subscription_opens_every_article_and_books_a_paid_order(
    client, subscribe, post_event, article
):
    subscription, events = subscribe()
    assert [e["type"] for e in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    assert send(post_event, events) == ["subscription started", "active", "paid"]

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    order = Order.objects.get(email=EMAIL)
    assert order.is_paid and order.total_cents == 500
    line = order.lines.get()
    assert line.description.startswith("KI-Berater-Abo ")
    assert (line.vat_rate, line.vat_cents) == (19, 80)
    # The reader's own account, as for every purchase: no entitlement, the subscription rules.
    assert not order.buyer.entitlements.exists()
    client.force_login(order.buyer)
    assert reads_full_text(client, article)
    library = client.get("/library/").content.decode()
    assert subscription.reference in library and "Nächste Zahlung am" in library


def test_without_access_the_article_page_shows_the_teaser_and_the_buy_box(client, article):
    client.force_login(factories.buyer_account(email="fremd@example.com"))
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.teaser in page and "Als PDF kaufen" in page
    assert "Zahlen statt Gefühle" not in page


def test_failed_renewal_is_past_due_reads_on_through_grace_then_stops_until_recovered(
    client, subscribe, post_event, stripe_server, article
):
    subscription, events = subscribe()
    send(post_event, events)
    paid_until = Subscription.objects.get().paid_until

    with time_machine.travel(paid_until + timedelta(hours=1), tick=False):
        failed = stripe_server.renew(_sub_id(), paid=False)
        assert send(post_event, failed) == ["past due", "past_due"]
        assert Subscription.objects.get().status == Subscription.Status.PAST_DUE
        assert reads_full_text(client, article)
        assert "Abbuchung ist fehlgeschlagen" in client.get("/library/").content.decode()

    grace_over = paid_until + settings.ADVISER_GRACE_PERIOD + timedelta(hours=1)
    with time_machine.travel(grace_over, tick=False):
        assert not reads_full_text(client, article)
        open_invoice = failed[0]["data"]["object"]["id"]
        assert send(post_event, stripe_server.pay_invoice(open_invoice)) == ["paid", "active"]
        assert Subscription.objects.get().status == Subscription.Status.ACTIVE
        assert reads_full_text(client, article)
    assert Order.objects.filter(status=Order.Status.PAID).count() == 2


def _sub_id() -> str:
    return Subscription.objects.get().stripe_subscription_id


def test_renewal_and_deletion_keep_the_state_current(
    client, subscribe, post_event, stripe_server, article
):
    _, events = subscribe()
    send(post_event, events)
    first_end = Subscription.objects.get().current_period_end

    with time_machine.travel(first_end + timedelta(minutes=5), tick=False):
        assert send(post_event, stripe_server.renew(_sub_id())) == ["paid", "active"]
        renewed = Subscription.objects.get()
        assert renewed.current_period_end > first_end + timedelta(days=27)
        assert renewed.paid_until == renewed.current_period_end

        stripe_api.client().v1.subscriptions.cancel(_sub_id())
        deleted = stripe_server.events[-1]
        assert deleted["type"] == "customer.subscription.deleted"
        assert send(post_event, [deleted]) == ["ended"]
        ended = Subscription.objects.get()
        assert ended.status == Subscription.Status.CANCELED and ended.ended_at
        assert not reads_full_text(client, article)


def test_replayed_events_change_nothing_and_book_no_second_order(subscribe, post_event):
    _, events = subscribe()
    send(post_event, events)
    assert send(post_event, events) == ["duplicate"] * 3
    # The same invoice in a new event (Stripe resends under another id on a manual retry).
    paid_again = signing.event("invoice.paid", events[2]["data"]["object"])
    assert send(post_event, [paid_again]) == ["already recorded"]
    assert Order.objects.count() == 1


def test_events_in_reverse_order_give_the_same_state(client, subscribe, post_event, article):
    _, events = subscribe()
    assert send(post_event, reversed(events)) == ["paid", "active", "subscription started"]
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.buyer is not None and subscription.stripe_customer_id.startswith("cus_")
    assert reads_full_text(client, article)


def test_an_older_past_due_copy_after_recovery_does_not_undo_it(
    subscribe, post_event, stripe_server
):
    _, events = subscribe()
    send(post_event, events)
    paid_until = Subscription.objects.get().paid_until
    with time_machine.travel(paid_until + timedelta(hours=1), tick=False):
        failed = stripe_server.renew(_sub_id(), paid=False)
        recovered = stripe_server.pay_invoice(failed[0]["data"]["object"]["id"])
        # Recovery first, then the failure's events arrive late.
        assert send(post_event, recovered + failed) == [
            "paid", "active", "no change (period paid)", "active",
        ]  # fmt: skip
        assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_an_older_active_copy_does_not_reopen_an_ended_subscription(
    subscribe, post_event, stripe_server
):
    _, events = subscribe()
    send(post_event, events)
    stripe_api.client().v1.subscriptions.cancel(_sub_id())
    send(post_event, [stripe_server.events[-1]])
    created = events[1]
    late_copy = signing.event("customer.subscription.updated", created["data"]["object"])
    assert send(post_event, [late_copy]) == ["no change (canceled)"]
    assert Subscription.objects.get().status == Subscription.Status.CANCELED


def test_events_of_a_subscription_the_shop_does_not_know_are_acknowledged(post_event, adviser):
    price = {"currency": "eur", "unit_amount": 500, "product": "prod_x"}
    now = int(timezone.now().timestamp())
    stranger = signing.subscription(
        customer="cus_x", price=price, period_start=now, period_end=signing.next_month(now)
    )
    outcomes = send(
        post_event,
        [
            signing.event("customer.subscription.updated", stranger),
            signing.event(
                "invoice.paid",
                signing.invoice(stripe_subscription=stranger, period_start=now,
                                period_end=signing.next_month(now), paid=True),
            ),
        ],
    )  # fmt: skip
    assert outcomes == ["unknown subscription"] * 2
    assert not Order.objects.exists()


def test_a_running_subscription_is_not_sold_twice(client, subscribe, post_event, outbox):
    _, events = subscribe()
    send(post_event, events)
    with worker_runs():
        response = client.post("/ki-berater/abonnieren/", {"email": EMAIL.upper()})
    assert response.status_code == 200
    assert outbox[-1].subject == "Sie nutzen den KI-Berater bereits"
    assert "/ki-berater/abonnieren/" not in outbox[-1].body
    assert Subscription.objects.count() == 1


def test_a_subscribe_link_opened_after_subscribing_opens_no_second_checkout(
    client, subscribe, post_event
):
    # A second link, asked for before the first was paid, opened afterwards.
    token = links.subscribe_token(email=EMAIL, language="de")
    _, events = subscribe()
    send(post_event, events)
    response = client.post(f"/ki-berater/abonnieren/{token}/")
    assert response.status_code == 409
    assert "nutzen Sie den KI-Berater bereits" in response.content.decode()
    assert Subscription.objects.count() == 1


def test_an_invoice_in_another_currency_extends_access_but_the_order_waits_for_staff(
    subscribe, post_event
):
    _, events = subscribe()
    invoice = events[2]["data"]["object"]
    invoice["currency"] = "usd"
    assert send(post_event, [events[0], events[1], signing.event("invoice.paid", invoice)]) == [
        "subscription started", "active", "amount mismatch: flagged",
    ]  # fmt: skip
    order = Order.objects.get()
    assert not order.is_paid and order.needs_review
    assert Subscription.objects.get().has_access


def test_an_incomplete_copy_from_checkout_arriving_after_the_payment_keeps_access(
    client, subscribe, post_event, article
):
    _, events = subscribe()
    send(post_event, events)
    # Stripe's customer.subscription.created from Checkout often still says incomplete.
    incomplete = {**events[1]["data"]["object"], "status": "incomplete"}
    late = signing.event("customer.subscription.created", incomplete)
    assert send(post_event, [late]) == ["active"]
    assert reads_full_text(client, article)


def test_our_reference_on_another_stripe_subscription_changes_nothing(subscribe, post_event):
    _, events = subscribe()
    send(post_event, events)
    other = {**events[1]["data"]["object"], "id": "sub_other", "status": "canceled"}
    assert send(post_event, [signing.event("customer.subscription.deleted", other)]) == [
        "unknown subscription"
    ]
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_a_reader_subscribes_in_the_browser_and_stripes_page_starts_it_over_http(
    live_server, stripe, adviser
):
    """The whole way over real HTTP: the page, Stripe's hosted page ("Mit Karte bezahlen"), and
    the three signed webhooks it sends to the running shop, then the welcome page."""
    reader = requests.Session()
    page = f"{live_server.url}/ki-berater/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reader.get(page).text)[1]
    with worker_runs():
        sent = reader.post(
            f"{page}abonnieren/", data={"email": EMAIL, "csrfmiddlewaretoken": token},
            headers={"Referer": page},
        )  # fmt: skip
    assert "Bitte sehen Sie in Ihr Postfach" in sent.text
    link = re.search(r"http://\S+/ki-berater/abonnieren/\S+/", mail.outbox[-1].body).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reader.get(link).text)[1]
    answer = reader.post(
        link, data={"csrfmiddlewaretoken": token}, headers={"Referer": link},
        allow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["Location"].startswith(stripe.url)

    welcome = reader.post(answer.headers["Location"], data={"method": "card"})

    assert welcome.url == f"{live_server.url}/ki-berater/willkommen/"
    assert "Willkommen beim KI-Berater" in welcome.text
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.ACTIVE and subscription.has_access
    assert Order.objects.get().is_paid


def test_every_paid_period_gets_its_own_invoice_at_19_percent(subscribe, post_event, stripe_server):
    _, events = subscribe()
    events[2]["data"]["object"].update(
        customer_name="Lea Leserin",
        customer_address={"line1": "Hauptstraße 5", "line2": None, "postal_code": "10115",
                          "city": "Berlin", "state": None, "country": "DE"},
    )  # fmt: skip
    send(post_event, events)
    paid_until = Subscription.objects.get().paid_until
    with time_machine.travel(paid_until + timedelta(minutes=5), tick=False):
        send(post_event, stripe_server.renew(_sub_id()))

    first, second = Invoice.objects.order_by("number")
    assert first.number != second.number and first.order != second.order
    assert first.buyer_name == "Lea Leserin" and "10115 Berlin" in first.buyer_address
    for invoice in (first, second):
        [line] = invoice.lines.all()
        assert line.description.startswith("KI-Berater-Abo ")
        assert (line.gross_cents, line.vat_rate, line.vat_cents) == (500, 19, 80)


def test_a_subscription_can_be_withdrawn_in_its_first_14_days_and_a_renewal_cannot(
    subscribe, post_event, stripe_server
):
    _, events = subscribe()
    send(post_event, events)
    first = Order.objects.get()

    def withdrawable(order, *, days: int) -> bool:
        at = order.paid_at + timedelta(days=days)
        return withdrawals.withdrawal_right(order=order, at=at).is_withdrawable

    assert withdrawable(first, days=13) and not withdrawable(first, days=15)

    paid_until = Subscription.objects.get().paid_until
    with time_machine.travel(paid_until + timedelta(minutes=5), tick=False):
        send(post_event, stripe_server.renew(_sub_id()))
    renewal = Order.objects.exclude(pk=first.pk).get()
    right = withdrawals.withdrawal_right(order=renewal, at=renewal.paid_at + timedelta(days=1))
    assert not right.is_withdrawable and "Widerrufsfrist endete" in right.reason
