"""Sending an issue: once to each receiving subscriber, again only to who has not had it, a failed
e-mail retried alone; and buying in the shop subscribes nobody."""

import pytest
from django.core import mail

from newsletter import services
from newsletter.models import IssueDelivery, Subscriber
from tests import factories as shop_factories
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


def test_an_issue_goes_only_to_subscribers_who_confirmed_and_did_not_unsubscribe(issue, run_tasks):
    alice = factories.subscriber("alice@example.com")
    factories.subscriber("unbestaetigt@example.com", confirmed=False)
    services.unsubscribe(subscriber=factories.subscriber("weg@example.com"))

    with run_tasks():
        services.start_sending(issue=issue)

    [message] = mail.outbox
    assert message.to == ["alice@example.com"] and message.subject == "Neu im November"
    assert "Drei neue Texte" in message.body
    assert "<h2>Gehalt</h2>" in message.alternatives[0][0]
    assert list(IssueDelivery.objects.values_list("subscriber", flat=True)) == [alice.pk]


def test_a_subscriber_who_confirms_later_gets_the_issue_when_it_is_sent_again(issue, run_tasks):
    factories.subscriber("alice@example.com")
    with run_tasks():
        services.start_sending(issue=issue)
    factories.subscriber("bob@example.com")
    mail.outbox.clear()

    with run_tasks():
        services.start_sending(issue=issue)

    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_a_failed_email_is_retried_alone(issue, mail_server_down, settings):
    factories.subscriber("alice@example.com")

    assert services.send_issue(issue_id=issue.pk) == (0, 1)
    assert not IssueDelivery.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_issue(issue_id=issue.pk) == (1, 0)
    assert services.send_issue(issue_id=issue.pk) == (0, 0)
    assert len(mail.outbox) == 1


def test_signing_up_stores_the_consent_in_the_language_of_the_page():
    factories.subscriber("reader@example.com", language="en", confirmed=False)

    subscriber = Subscriber.objects.get()
    assert subscriber.language == "en"
    assert subscriber.consent_text.startswith("Yes, I would like")


def test_a_purchase_subscribes_nobody():
    shop_factories.paid_order(shop_factories.article().product, buyer_email="kaeufer@example.com")

    assert not Subscriber.objects.exists()
