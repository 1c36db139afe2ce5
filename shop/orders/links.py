"""Download links: signed, naming their owner, expiring after DOWNLOAD_LINK_MAX_AGE."""

from django.conf import settings
from django.urls import reverse

from plumbing.links import make_token, read_token
from shop.models import Delivery

DOWNLOAD_SALT = "shop.download"


def download_url(*, delivery: Delivery, user) -> str:
    token = make_token({"delivery": delivery.pk, "user": user.pk}, salt=DOWNLOAD_SALT)
    return reverse("shop:download", kwargs={"token": token})


def read_download_token(token: str) -> tuple[int, int]:
    """(delivery id, user id), or plumbing's LinkExpired / LinkInvalid."""
    data = read_token(token, salt=DOWNLOAD_SALT, max_age=settings.DOWNLOAD_LINK_MAX_AGE)
    return data["delivery"], data["user"]
