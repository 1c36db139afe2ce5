"""The buyer's account and signing in by an e-mailed, one-time link."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from plumbing.mail import send_email
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


class SignInTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, bound to last_login: signing in once spends the link."""

    # The salt of the module it was first written in: links already e-mailed stay valid.
    key_salt = "shop.links.SignInTokenGenerator"


sign_in_tokens = SignInTokenGenerator()


def send_sign_in_link(*, email: str) -> None:
    """Sends a link only to an address that has bought something; the page says the same either
    way, so it does not tell strangers who our customers are. Sent while the visitor waits, so
    in the language of the page they asked on."""
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
    send_email(
        to=user.email,
        language=translation.get_language(),
        template="shop/emails/sign_in_link",
        context={
            "url": settings.SITE_URL + path,
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )


def user_for_sign_in(*, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, User.DoesNotExist):
        return None
    return user if sign_in_tokens.check_token(user, token) else None
