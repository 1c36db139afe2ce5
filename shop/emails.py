"""The shop's e-mails, in German, as text with an HTML alternative."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from shop.models import Delivery, Order


def _send(*, to: str, subject: str, template: str, context: dict, attachments=()) -> None:
    context = {**context, "publisher_name": settings.PUBLISHER_NAME}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


def send_order_delivery(*, order: Order, deliveries: list[Delivery], courses: list) -> None:
    attachments = []
    for delivery in deliveries:
        with delivery.file.open("rb") as pdf:
            attachments.append((delivery.download_name, pdf.read(), "application/pdf"))
    _send(
        to=order.email,
        subject=f"Ihre Bestellung {order.reference}: "
        + ("Ihr PDF ist da" if deliveries else "Ihr Kurs ist freigeschaltet"),
        template="order_delivery",
        context={
            "order": order,
            "deliveries": deliveries,
            "courses": [(c.title, settings.SITE_URL + c.get_absolute_url()) for c in courses],
            "library_url": settings.SITE_URL + reverse("shop:library"),
        },
        attachments=attachments,
    )


def send_sign_in_link(*, email: str, url: str) -> None:
    _send(
        to=email,
        subject="Ihr Anmeldelink für die Bibliothek",
        template="sign_in_link",
        context={"url": url, "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
    )
