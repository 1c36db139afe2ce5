"""The buyer's account and signing in by an e-mailed, one-time link."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)

from plumbing.mail import send_email
from plumbing.tasks import enqueue_on_commit
from shop.accounts.selectors import account_for

User = get_user_model()


def buyer_account(*, email: str):
    """The buyer's account is their e-mail address: no password, they sign in by link."""
    user = account_for(email=email)
    if user is None:
        # Two first purchases paid at the same moment: the unique username lets one payment
        # create the account and the other find it.
        user, _ = User.objects.get_or_create(
            username=email.lower(),
            defaults={"email": email.lower(), "password": make_password(None)},
        )
    return user


def may_sign_in_by_link(user) -> bool:
    """The link is for customers: whoever reads a staff mailbox must not get past the admin's
    password and second factor."""
    return user.is_active and not (user.is_staff or user.is_superuser)


class SignInTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, bound to last_login: signing in once spends the link. It is bound to
    the staff flags too, so a link made before its owner became staff signs nobody in."""

    # The salt of the module it was first written in: links already e-mailed stay valid.
    key_salt = "shop.links.SignInTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        # A customer's hash input is Django's, unchanged, so their links in flight still work.
        value = super()._make_hash_value(user, timestamp)
        return value if may_sign_in_by_link(user) else f"{value}staff"


sign_in_tokens = SignInTokenGenerator()


def return_path(value: str) -> str:
    """Where a reader was going, if it is a page of the shop's own: a path, never another site
    ("//evil.example" or "https://…" are refused), so a link can't be turned into a redirect."""
    value = (value or "").strip()
    is_local = value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    return value if is_local and len(value) <= 500 else ""


def ask_for_sign_in_link(*, email: str, language: str, next_path: str = "") -> None:
    """The sign-in form: whatever the address, the same step (the worker is asked to send the
    link), so neither the answer nor its time tells strangers who our customers are."""
    enqueue_on_commit(
        "shop.tasks.send_sign_in_link", email.strip(), language, return_path(next_path)
    )


def send_sign_in_link(*, email: str, language: str, next_path: str = "") -> str:
    """The worker's step: a link only to an address that has bought something, in the language
    of the page it was asked on; signing in by it returns to `next_path`."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk").first()
    if user is None or not may_sign_in_by_link(user):
        return "no customer"
    path = reverse(
        "shop:sign_in_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": sign_in_tokens.make_token(user),
        },
    )
    if return_path(next_path):
        path += "?" + urlencode({"next": return_path(next_path)})
    send_email(
        to=user.email,
        language=language,
        template="shop/emails/sign_in_link",
        context={
            "url": settings.SITE_URL + path,
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )
    return "sent"


def user_for_sign_in(*, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, User.DoesNotExist):
        return None
    if not may_sign_in_by_link(user):
        return None
    return user if sign_in_tokens.check_token(user, token) else None
