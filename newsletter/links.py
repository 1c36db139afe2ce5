"""Signed links in newsletter e-mails. A confirmation link belongs to one sign-up and expires;
an unsubscribe link works for as long as the e-mail it came in exists."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from newsletter.models import Subscriber

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


def confirm_url(subscriber: Subscriber) -> str:
    # The sign-up time binds the link to this sign-up: signing up again makes older links void.
    token = signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(
        {"subscriber": subscriber.pk, "signed_up": subscriber.signed_up_at.isoformat()}
    )
    return settings.SITE_URL + reverse("newsletter:confirm", kwargs={"token": token})


def subscriber_to_confirm(token: str) -> Subscriber | None:
    try:
        data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=settings.NEWSLETTER_CONFIRMATION_MAX_AGE
        )
    except signing.BadSignature:  # expired links too
        return None
    subscriber = Subscriber.objects.filter(pk=data.get("subscriber")).first()
    if subscriber is None or subscriber.signed_up_at.isoformat() != data.get("signed_up"):
        return None
    return subscriber


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"subscriber": subscriber.pk})
    return settings.SITE_URL + reverse("newsletter:unsubscribe", kwargs={"token": token})


def subscriber_to_unsubscribe(token: str) -> Subscriber | None:
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=data.get("subscriber")).first()
