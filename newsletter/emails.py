"""The newsletter's e-mails: the confirmation request and the issues, text with HTML, in the
subscriber's language. An issue's own subject and body are what staff wrote, in German."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from newsletter import links
from newsletter.models import Issue, Subscriber


def _send(*, to: str, subject: str, template: str, context: dict, headers=None) -> None:
    """Renders in the active language: callers build the subject and call this inside
    `translation.override(subscriber.language)`."""
    context = {**context, "publisher_name": settings.PUBLISHER_NAME}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}.txt", context),
        to=[to],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string(f"newsletter/email/{template}.html", context), "text/html"
    )
    message.send()


def send_confirmation_request(*, subscriber: Subscriber) -> None:
    with translation.override(subscriber.language):
        _send(
            to=subscriber.email,
            subject=_("Bitte bestätigen Sie Ihre Anmeldung zum Newsletter"),
            template="confirm",
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
    with translation.override(subscriber.language):
        _send(
            to=subscriber.email,
            subject=issue.subject,
            template="issue",
            context={
                "issue": issue,
                "body_html": issue.body_html,
                "unsubscribe_url": unsubscribe_url,
            },
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
