"""Finding 12: a forged newsletter sign-up (anyone can type any address into the form) cleared
the record of that address's earlier unsubscribe. Now the record (when, and how) stands until
the address confirms the new sign-up; the sign-up only asks it to, within the resend limit."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from newsletter import links, services
from newsletter.models import Issue, Subscriber

pytestmark = pytest.mark.django_db
ONE_CLICK = {
    "data": "List-Unsubscribe=One-Click",
    "content_type": "application/x-www-form-urlencoded",
}


def confirm_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/newsletter/bestaetigen/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def unsubscribed(client, run_tasks):
    """leser@example.com confirmed once and later left with their mail program's button."""
    with run_tasks():
        client.post("/newsletter/", {"email": "leser@example.com"})
    client.post(confirm_path(mail.outbox[-1]))
    subscriber = Subscriber.objects.get(email="leser@example.com")
    unsubscribe = links.unsubscribe_url(subscriber).split("://", 1)[1].split("/", 1)[1]
    client.post("/" + unsubscribe, **ONE_CLICK)
    return Subscriber.objects.get(pk=subscriber.pk)


def test_a_stranger_signing_up_an_unsubscribed_address_only_asks_it_to_confirm(
    client, unsubscribed, run_tasks
):
    assert unsubscribed.unsubscribed_via == Subscriber.UnsubscribedVia.ONE_CLICK
    requests_before = len(mail.outbox)

    with time_machine.travel(timezone.now() + timedelta(hours=1)), run_tasks():
        response = client.post("/newsletter/", {"email": "leser@example.com"})
        again = client.post("/newsletter/", {"email": "leser@example.com"})  # resend limit

    assert response.status_code == again.status_code == 200
    after = Subscriber.objects.get(pk=unsubscribed.pk)
    assert after.unsubscribed_at == unsubscribed.unsubscribed_at
    assert after.unsubscribed_via == Subscriber.UnsubscribedVia.ONE_CLICK
    assert after.confirmed_at == unsubscribed.confirmed_at
    assert not after.is_receiving
    [request] = mail.outbox[requests_before:]  # one confirmation request, nothing else
    assert request.to == ["leser@example.com"]

    issue = Issue.objects.create(subject="Neu im Dezember", body="Text")
    assert services.send_issue(issue_id=issue.pk) == (0, 0)


def test_the_unsubscribe_record_ends_when_the_address_confirms_again(
    client, unsubscribed, run_tasks
):
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        with run_tasks():
            client.post("/newsletter/", {"email": "leser@example.com"})
        client.post(confirm_path(mail.outbox[-1]))

    after = Subscriber.objects.get(pk=unsubscribed.pk)
    assert after.is_receiving and after.confirmed_at > unsubscribed.unsubscribed_at
    assert (after.unsubscribed_at, after.unsubscribed_via) == (None, "")


def test_the_first_confirmation_link_does_not_undo_the_unsubscribe(client, unsubscribed):
    first_request = next(m for m in mail.outbox if "/newsletter/bestaetigen/" in m.body)

    client.post(confirm_path(first_request))

    after = Subscriber.objects.get(pk=unsubscribed.pk)
    assert after.unsubscribed_at == unsubscribed.unsubscribed_at and not after.is_receiving
