"""The newsletter: double opt-in sign-up, confirmation, unsubscribe, and sending an issue once to
each receiving subscriber. Never imports the shop: buying subscribes nobody."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from newsletter import emails, legal
from newsletter.models import Issue, IssueDelivery, Subscriber
from plumbing.mail import describe_failure
from plumbing.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


@transaction.atomic
def sign_up(*, email: str, language: str = settings.LANGUAGE_CODE) -> None:
    """Asks the address to confirm, storing the consent text shown (in the page's `language`, the
    language of every e-mail to it). An address that receives the newsletter already gets
    nothing, and neither does one asked a moment ago (a form sent again and again must not flood
    a stranger's inbox). The answer is the same in every case."""
    email = email.strip().lower()
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None:
        # Every sign-up sends a confirmation request at once: its time is when it was asked.
        recently_asked = (
            now - subscriber.signed_up_at < settings.NEWSLETTER_CONFIRMATION_RESEND_AFTER
        )
        if subscriber.is_receiving or recently_asked:
            return
    subscriber = subscriber or Subscriber(email=email)
    with translation.override(language):
        subscriber.consent_text = str(legal.CONSENT_TEXT)
    subscriber.consent_version = legal.CONSENT_VERSION
    subscriber.language = language
    # A new sign-up makes earlier confirmation links void. An earlier unsubscribe stands until
    # the address confirms this one: the form does not prove who filled it in.
    subscriber.signed_up_at = now
    subscriber.full_clean()
    subscriber.save()
    enqueue_on_commit("newsletter.tasks.send_confirmation_request", subscriber.pk)


def send_confirmation_request(*, subscriber_id: int) -> str:
    subscriber = Subscriber.objects.get(pk=subscriber_id)
    if not subscriber.awaits_confirmation:
        return "already confirmed"
    emails.send_confirmation_request(subscriber=subscriber)
    return "sent"


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """The address confirms its latest sign-up: from now on it receives, whatever it did before.
    A sign-up confirmed already changes nothing, so an old link does not undo an unsubscribe."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.awaits_confirmation:
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at, subscriber.unsubscribed_via = None, ""
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at", "unsubscribed_via"])
    return subscriber


@transaction.atomic
def unsubscribe(
    *, subscriber: Subscriber, via: Subscriber.UnsubscribedVia = Subscriber.UnsubscribedVia.LINK
) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at, subscriber.unsubscribed_via = timezone.now(), via
        subscriber.save(update_fields=["unsubscribed_at", "unsubscribed_via"])
    return subscriber


@transaction.atomic
def start_sending(*, issue: Issue) -> None:
    """The worker sends it; sending an issue again reaches only who has not had it yet."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.sending_started_at is None:
        issue.sending_started_at = timezone.now()
        issue.save(update_fields=["sending_started_at"])
    enqueue_on_commit("newsletter.tasks.send_issue", issue.pk)


def send_issue(*, issue_id: int) -> tuple[int, int]:
    """(sent, failed). Each subscriber is one transaction: lock the subscriber, check they still
    receive and have not had the issue, insert the delivery (unique per issue and subscriber),
    send. A second worker waits on the lock and then finds the delivery; a failed send rolls
    back that claim only, for the task's retry, and the issue shows staff what failed until a
    run sends to everyone."""
    issue = Issue.objects.get(pk=issue_id)
    pending = (
        Subscriber.objects.receiving().exclude(deliveries__issue=issue).values_list("pk", flat=True)
    )
    sent, failures = 0, []
    for subscriber_id in list(pending):
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
                if (
                    not subscriber.is_receiving
                    or IssueDelivery.objects.filter(issue=issue, subscriber=subscriber).exists()
                ):
                    continue
                IssueDelivery.objects.create(issue=issue, subscriber=subscriber)
                emails.send_issue(issue=issue, subscriber=subscriber)
        except Exception as failure:  # one address that fails must not stop the others
            logger.exception("Newsletter %s to subscriber %s failed", issue_id, subscriber_id)
            failures.append(describe_failure(failure))
        else:
            sent += 1
    send_error = f"{len(failures)} nicht gesendet, zuletzt {failures[-1]}" if failures else ""
    Issue.objects.filter(pk=issue_id).update(send_error=send_error)
    return sent, len(failures)
