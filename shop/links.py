"""Signed links: downloads that expire and name their owner, and one-time sign-in links."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from shop import emails
from shop.models import Delivery

User = get_user_model()
DOWNLOAD_SALT = "shop.download"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def download_url(*, delivery: Delivery, user) -> str:
    token = signing.TimestampSigner(salt=DOWNLOAD_SALT).sign_object(
        {"delivery": delivery.pk, "user": user.pk}
    )
    return reverse("shop:download", kwargs={"token": token})


def read_download_token(token: str) -> tuple[int, int]:
    """(delivery id, user id), or LinkExpired / LinkInvalid."""
    try:
        data = signing.TimestampSigner(salt=DOWNLOAD_SALT).unsign_object(
            token, max_age=settings.DOWNLOAD_LINK_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    return data["delivery"], data["user"]


class SignInTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, bound to last_login: signing in once spends the link."""

    key_salt = "shop.links.SignInTokenGenerator"


sign_in_tokens = SignInTokenGenerator()


def send_sign_in_link(*, email: str) -> None:
    """Sends a link only to an address that has bought something; the page says the same either
    way, so it does not tell strangers who our customers are."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk").first()
    if user is None:
        return
    path = reverse(
        "shop:sign_in_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": sign_in_tokens.make_token(user),
        },
    )
    emails.send_sign_in_link(email=user.email, url=settings.SITE_URL + path)


def user_for_sign_in(*, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, User.DoesNotExist):
        return None
    return user if sign_in_tokens.check_token(user, token) else None
