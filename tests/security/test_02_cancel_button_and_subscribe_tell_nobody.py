"""Finding 2: a stranger could cancel anyone's KI-Berater subscription with the cancel button
(the notice fell back to the address's newest subscription), and learn first who subscribes
(409 against 303 on the subscribe form; the Stripe call in the request made a matching notice
slower). Now a notice acts at once only when the Abo-Nummer and the address fit; one with the
address alone is confirmed by a link e-mailed to that address; Stripe and every e-mail are the
worker's; and the subscribe form answers everyone alike."""

import re
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from celery.signals import task_prerun
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from shop.adviser import services
from shop.models import CancellationNotice, Subscription
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.shop.adviser.subscriber import EMAIL
from tests.shop.stripe_events import send
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db

NOTICE = {"name": "Mallory", "email": EMAIL, "contract": "", "kind": "ordinary",
          "effective": "next_possible", "reason": ""}  # fmt: skip


@pytest.fixture
def running(stripe_server, post_event, outbox):
    product = factories.adviser_product()
    made = len(stripe_server.events)
    services.start_subscription(product=product, email=EMAIL)
    subscription = Subscription.objects.get()
    send(post_event, [stripe_server.complete(subscription.stripe_session_id)])
    send(post_event, stripe_server.events[made:])
    outbox.clear()
    subscription.refresh_from_db()
    assert subscription.has_access and not subscription.cancel_at_period_end
    return subscription


@contextmanager
def the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks):
    """What the request itself does: the Stripe requests and e-mails it makes, and the tasks it
    leaves for the worker (by name, as the worker then runs them)."""
    stripe_before, emails_before = len(stripe_server.requests), len(outbox)
    seen = {"tasks": []}
    with django_capture_on_commit_callbacks() as enqueued:
        yield seen
    seen["stripe"] = len(stripe_server.requests) - stripe_before
    seen["emails"] = len(outbox) - emails_before

    def record(sender=None, **_):
        seen["tasks"].append(sender.name)

    task_prerun.connect(record)
    try:
        with worker_runs():
            for callback in enqueued:
                callback()
    finally:
        task_prerun.disconnect(record)


def give(client, data):
    client.post("/vertraege-kuendigen/", data)
    return client.post("/vertraege-kuendigen/", {**data, "confirm": "1"})


def main(response) -> str:
    return response.content.decode().split("<main>")[1].split("</main>")[0]


def test_a_notice_with_a_subscribers_address_alone_cancels_nothing_until_that_mailbox_confirms(
    client, running, stripe_server, outbox, django_capture_on_commit_callbacks
):
    with the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks) as alone:
        response = give(client, NOTICE)

    assert response.status_code == 200
    assert alone["stripe"] == 0 and alone["emails"] == 0
    assert alone["tasks"] == ["shop.tasks.send_cancellation_confirmation"]
    running.refresh_from_db()
    assert not running.cancel_at_period_end
    assert not stripe_server.subscription(running.stripe_subscription_id)["cancel_at_period_end"]
    # The notice is kept as received; its receipt, sent to the address, asks to confirm it.
    notice = CancellationNotice.objects.get()
    assert notice.subscription is None and notice.received_at and notice.link_sent_at
    [receipt] = outbox
    assert receipt.to == [EMAIL] and "bestätigen Sie sie bitte mit diesem Link" in receipt.body
    link = urlsplit(re.search(r"http://\S+/vertraege-kuendigen/bestaetigen/\S+/", receipt.body)[0])

    # A mail scanner opening the link changes nothing; the reader's click cancels.
    assert client.get(link.path).status_code == 200
    assert not CancellationNotice.objects.get().link_confirmed_at
    with the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks) as alone:
        assert client.post(link.path).status_code == 200
    assert alone["stripe"] == 0 and alone["tasks"] == ["shop.tasks.cancel_at_period_end"]
    running.refresh_from_db()
    assert running.cancel_at_period_end
    assert stripe_server.subscription(running.stripe_subscription_id)["cancel_at_period_end"]
    assert "Ihr KI-Berater-Abo endet zum" in outbox[-1].body
    # Confirming twice cancels nothing twice.
    client.post(link.path)
    assert len(outbox) == 2


def test_an_abo_nummer_and_address_that_fit_act_at_once_but_through_the_worker(
    client, running, stripe_server, outbox, django_capture_on_commit_callbacks
):
    with the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks) as alone:
        give(client, {**NOTICE, "contract": running.reference})

    assert alone["stripe"] == 0 and alone["emails"] == 0
    assert alone["tasks"] == ["shop.tasks.cancel_at_period_end"]
    running.refresh_from_db()
    assert running.cancel_at_period_end
    [receipt] = outbox
    assert "Ihr KI-Berater-Abo endet zum" in receipt.body and "Link" not in receipt.body


def test_everyone_gets_the_same_page_whatever_matched(
    client, running, stripe_server, outbox, django_capture_on_commit_callbacks
):
    pages = []
    for data in [
        {**NOTICE, "contract": running.reference},
        NOTICE,
        {**NOTICE, "email": "niemand@example.com"},
    ]:
        with the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks):
            response = give(client, data)
        notice = CancellationNotice.objects.order_by("-pk").first()
        received = timezone.localtime(notice.received_at)
        page = main(response).replace(notice.email, "")
        pages.append(page.replace(received.strftime("%H:%M"), ""))
    assert pages[0] == pages[1] == pages[2]


def test_a_notice_unconfirmed_after_48_hours_is_shown_to_staff_never_dropped(
    client, admin_client, running, stripe_server, outbox, django_capture_on_commit_callbacks
):
    with the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks):
        give(client, NOTICE)
    overdue = "/admin/shop/cancellationnotice/?awaiting=overdue"

    assert "Mallory" not in admin_client.get(overdue).content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        # Two days on, staff sign in again: a staff session lasts 8 hours.
        staff = get_user_model().objects.get(username="admin")
        page = sign_in_to_admin(Client(), staff).get(overdue).content.decode()
    assert "Mallory" in page and "Bestätigung ausstehend &gt; 48 h" in page
    assert CancellationNotice.objects.filter(subscription__isnull=True).count() == 1


def test_the_subscribe_form_answers_a_subscriber_and_a_stranger_alike_and_calls_no_stripe(
    client, running, stripe_server, outbox, django_capture_on_commit_callbacks
):
    answers = {}
    for email in [EMAIL, "neu@example.com"]:
        with the_request_alone(stripe_server, outbox, django_capture_on_commit_callbacks) as alone:
            response = client.post("/ki-berater/abonnieren/", {"email": email})
        assert alone["stripe"] == 0 and alone["emails"] == 0
        assert alone["tasks"] == ["shop.tasks.send_subscription_link"]
        answers[email] = (response.status_code, main(response).replace(email, ""))

    assert answers[EMAIL] == answers["neu@example.com"]
    assert answers[EMAIL][0] == 200
    subscriber, stranger = outbox
    assert subscriber.to == [EMAIL] and subscriber.subject == "Sie nutzen den KI-Berater bereits"
    assert stranger.to == ["neu@example.com"] and "/ki-berater/abonnieren/" in stranger.body
    assert Subscription.objects.count() == 1
