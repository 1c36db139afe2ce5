"""Invoices travel as attachments; a credit note has an e-mail of its own."""

from django.conf import settings
from django.urls import reverse

from plumbing.mail import Attachment, send_email, send_once
from shop.models import Invoice


def invoice_attachment(invoice: Invoice) -> Attachment:
    with invoice.pdf.open("rb") as pdf:
        return (invoice.download_name, pdf.read(), "application/pdf")


def email_credit_note(*, invoice_id: int) -> str:
    """The credit note to the buyer, once, with its PDF."""

    def send(credit_note: Invoice) -> str | None:
        if not credit_note.pdf:
            return "not rendered yet"
        send_email(
            to=credit_note.buyer_email,
            language=credit_note.order.language,
            template="shop/emails/credit_note",
            context={
                "invoice": credit_note,
                "refunded_cents": -credit_note.total_gross_cents(),
                "library_url": settings.SITE_URL + reverse("shop:library"),
            },
            attachments=[invoice_attachment(credit_note)],
        )
        return None

    rows = Invoice.objects.select_related("order")
    return send_once(rows, pk=invoice_id, mark="emailed_at", error="email_error", send=send)
