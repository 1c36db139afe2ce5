"""The order's e-mail, in the language of its checkout."""

from django.conf import settings
from django.urls import reverse

from plumbing.mail import send_email
from shop.ebooks.emails import wish_url
from shop.invoicing.emails import invoice_attachment
from shop.models import Delivery, Invoice, Order, Product
from shop.orders import selectors


def send_order_delivery(
    *, order: Order, deliveries: list[Delivery], invoice: Invoice | None = None
) -> None:
    """What was bought and paid (the invoice's lines, VAT and total), article and series PDFs
    attached, course links, for a custom eBook the link to tell us the wish (the book itself
    comes later, by its own e-mail), the KI-Berater's next month; the invoice attached to every
    one."""
    attachments = []
    for delivery in deliveries:
        with delivery.file.open("rb") as pdf:
            attachments.append((delivery.download_name, pdf.read(), "application/pdf"))
    if invoice is not None:
        attachments.append(invoice_attachment(invoice))
    courses = selectors.ordered_courses(order=order)
    send_email(
        to=order.email,
        language=order.language,
        template="shop/emails/order_delivery",
        context={
            "order": order,
            "deliveries": deliveries,
            "courses": [(c.title, settings.SITE_URL + c.get_absolute_url()) for c in courses],
            "wish_urls": [wish_url(ebook) for ebook in selectors.ordered_ebooks(order=order)],
            "is_adviser_payment": order.lines.filter(product__kind=Product.Kind.ADVISER).exists(),
            "adviser_url": settings.SITE_URL + reverse("shop:adviser"),
            "library_url": settings.SITE_URL + reverse("shop:library"),
            "invoice": invoice,
        },
        attachments=attachments,
    )
