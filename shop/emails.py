"""The shop's e-mails, as text with an HTML alternative, in the language of the order."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shop.models import (
    CancellationNotice,
    CustomEbook,
    Delivery,
    Invoice,
    Order,
    WithdrawalDeclaration,
)


def _send(*, to: str, subject: str, template: str, context: dict, attachments=()) -> None:
    """Renders in the active language: callers build the subject and call this inside
    `translation.override(order.language)`."""
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


def wish_url(ebook: CustomEbook) -> str:
    return settings.SITE_URL + reverse("shop:ebook_wish", kwargs={"ebook_id": ebook.pk})


def _invoice_attachment(invoice: Invoice) -> tuple[str, bytes, str]:
    with invoice.pdf.open("rb") as pdf:
        return (invoice.download_name, pdf.read(), "application/pdf")


def send_order_delivery(
    *,
    order: Order,
    deliveries: list[Delivery],
    courses: list,
    ebooks: list[CustomEbook] = (),
    invoice: Invoice | None = None,
) -> None:
    """The order's e-mail: article and series PDFs attached, course links, and for a custom
    eBook the link to tell us the wish (the book itself comes later, by its own e-mail); the
    invoice attached to every one."""
    attachments = []
    for delivery in deliveries:
        with delivery.file.open("rb") as pdf:
            attachments.append((delivery.download_name, pdf.read(), "application/pdf"))
    if invoice is not None:
        attachments.append(_invoice_attachment(invoice))
    with translation.override(order.language):
        if deliveries:
            news = _("Ihr PDF ist da")
        elif ebooks:
            news = _("Erzählen Sie uns Ihren Wunsch")
        elif order.lines.filter(product__kind="adviser").exists():
            news = _("Ihre Zahlung für den Ratgeber")
        else:
            news = _("Ihr Kurs ist freigeschaltet")
        _send(
            to=order.email,
            subject=_("Ihre Bestellung %(reference)s: %(news)s")
            % {"reference": order.reference, "news": news},
            template="order_delivery",
            context={
                "order": order,
                "deliveries": deliveries,
                "courses": [(c.title, settings.SITE_URL + c.get_absolute_url()) for c in courses],
                "wish_urls": [wish_url(ebook) for ebook in ebooks],
                "library_url": settings.SITE_URL + reverse("shop:library"),
                "invoice": invoice,
            },
            attachments=attachments,
        )


def send_sign_in_link(*, email: str, url: str) -> None:
    """Sent while the visitor waits, so in the language of the page they asked on."""
    _send(
        to=email,
        subject=_("Ihr Anmeldelink für die Bibliothek"),
        template="sign_in_link",
        context={"url": url, "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
    )


def send_wish_reminder(*, ebook: CustomEbook) -> None:
    order = ebook.order_line.order
    with translation.override(order.language):
        _send(
            to=order.email,
            subject=_("Ihr E-Book (Bestellung %(reference)s): Wir warten auf Ihren Wunsch")
            % {"reference": order.reference},
            template="ebook_wish_reminder",
            context={"order": order, "wish_url": wish_url(ebook)},
        )


def send_ebook_ready(*, ebook: CustomEbook) -> None:
    order = ebook.order_line.order
    with translation.override(order.language):
        _send(
            to=order.email,
            subject=_("Ihr E-Book „%(title)s“ ist fertig") % {"title": ebook.title},
            template="ebook_ready",
            context={
                "order": order,
                "ebook": ebook,
                "library_url": settings.SITE_URL + reverse("shop:library"),
            },
        )


def send_cancellation_confirmation(*, notice: CancellationNotice) -> None:
    """The confirmation § 312k BGB asks for: what was received, when, and the end if known."""
    with translation.override(notice.language):
        _send(
            to=notice.email,
            subject=_("Ihre Kündigung ist bei uns eingegangen"),
            template="subscription_cancellation",
            context={"notice": notice},
        )


def send_cancellation_invoice(*, invoice: Invoice) -> None:
    with translation.override(invoice.order.language):
        _send(
            to=invoice.buyer_email,
            subject=_("Ihre Rechnungskorrektur %(number)s zur Bestellung %(reference)s")
            % {"number": invoice.number, "reference": invoice.order.reference},
            template="cancellation_invoice",
            context={
                "invoice": invoice,
                "refunded_cents": -invoice.total_gross_cents(),
                "library_url": settings.SITE_URL + reverse("shop:library"),
            },
            attachments=[_invoice_attachment(invoice)],
        )


def send_withdrawal_confirmation(*, declaration: WithdrawalDeclaration) -> None:
    """The confirmation of receipt § 356a BGB asks for: what was declared, and when. Sent by the
    worker, in the language of the page it was declared on."""
    with translation.override(declaration.language):
        _send(
            to=declaration.email,
            subject=_("Eingangsbestätigung Ihres Widerrufs vom %(date)s")
            % {"date": date_format(timezone.localtime(declaration.received_at))},
            template="withdrawal_confirmation",
            context={"declaration": declaration},
        )
