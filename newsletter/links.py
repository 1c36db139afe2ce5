"""Signed links in newsletter e-mails. A confirmation link belongs to one sign-up and expires;
an unsubscribe link works for as long as the e-mail it came in exists. Reading one raises
plumbing.links.LinkInvalid (LinkExpired for an expired confirmation link)."""

from django.conf import settings
from django.urls import reverse

from newsletter.models import Subscriber
from plumbing.links import LinkInvalid, make_token, read_token

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


def confirm_url(subscriber: Subscriber) -> str:
    # The sign-up time binds the link to this sign-up: signing up again makes older links void.
    token = make_token(
        {"subscriber": subscriber.pk, "signed_up": subscriber.signed_up_at.isoformat()},
        salt=CONFIRM_SALT,
    )
    return settings.SITE_URL + reverse("newsletter:confirm", kwargs={"token": token})


def subscriber_to_confirm(token: str) -> Subscriber:
    data = read_token(token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRMATION_MAX_AGE)
    subscriber = Subscriber.objects.filter(pk=data.get("subscriber")).first()
    if subscriber is None or subscriber.signed_up_at.isoformat() != data.get("signed_up"):
        raise LinkInvalid
    return subscriber


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = make_token({"subscriber": subscriber.pk}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("newsletter:unsubscribe", kwargs={"token": token})


def subscriber_to_unsubscribe(token: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(
        pk=read_token(token, salt=UNSUBSCRIBE_SALT).get("subscriber")
    ).first()
    if subscriber is None:
        raise LinkInvalid
    return subscriber
