"""Staff's newsletter admin: the send action sends an issue once to each subscriber however
often it is clicked, and every page opens."""

import pytest
from django.core import mail

from newsletter.models import Issue
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


def test_sending_an_issue_twice_reaches_each_subscriber_once(send, issue):
    factories.subscriber("alice@example.com")

    page = send(issue)
    send(issue)  # staff click twice

    assert "werden gesendet" in page.content.decode()
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert Issue.objects.get().sending_started_at is not None


def test_every_newsletter_admin_page_opens(staff, issue):
    subscriber = factories.subscriber()
    pages = [
        "/admin/newsletter/subscriber/", f"/admin/newsletter/subscriber/{subscriber.pk}/change/",
        "/admin/newsletter/issue/", "/admin/newsletter/issue/add/",
        f"/admin/newsletter/issue/{issue.pk}/change/",
    ]  # fmt: skip

    for page in pages:
        assert staff.get(page).status_code == 200, page
