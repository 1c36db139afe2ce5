"""The custom eBook's e-mails, in the language of its order."""

from django.conf import settings
from django.urls import reverse

from plumbing.mail import send_email
from shop.models import CustomEbook


def wish_url(ebook: CustomEbook) -> str:
    return settings.SITE_URL + reverse("shop:ebook_wish", kwargs={"ebook_id": ebook.pk})


def send_wish_reminder(*, ebook: CustomEbook) -> None:
    order = ebook.order_line.order
    send_email(
        to=order.email,
        language=order.language,
        template="shop/emails/ebook_wish_reminder",
        context={"order": order, "wish_url": wish_url(ebook)},
    )


def send_ebook_ready(*, ebook: CustomEbook) -> None:
    order = ebook.order_line.order
    send_email(
        to=order.email,
        language=order.language,
        template="shop/emails/ebook_ready",
        context={
            "order": order,
            "ebook": ebook,
            "library_url": settings.SITE_URL + reverse("shop:library"),
        },
    )
