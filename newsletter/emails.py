"""The newsletter's e-mails, each in the subscriber's language: the confirmation request, and an
issue framed around what staff wrote (its subject and body, in German, as they wrote them)."""

from django.conf import settings

from newsletter import links
from newsletter.models import Issue, Subscriber
from plumbing.mail import send_email


def send_confirmation_request(*, subscriber: Subscriber) -> None:
    send_email(
        to=subscriber.email,
        language=subscriber.language,
        template="newsletter/emails/confirm",
        context={
            "url": links.confirm_url(subscriber),
            "consent_text": subscriber.consent_text,
            "valid_days": settings.NEWSLETTER_CONFIRMATION_MAX_AGE.days,
        },
    )


def send_issue(*, issue: Issue, subscriber: Subscriber) -> None:
    """With a one-click unsubscribe (RFC 8058): mail programs show their own button, which POSTs
    "List-Unsubscribe=One-Click" to the URL; the same link is visible in the text."""
    unsubscribe_url = links.unsubscribe_url(subscriber)
    send_email(
        to=subscriber.email,
        language=subscriber.language,
        template="newsletter/emails/issue",
        context={"issue": issue, "body_html": issue.body_html, "unsubscribe_url": unsubscribe_url},
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
