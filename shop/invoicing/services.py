"""Invoices (Rechnungen) and credit notes (Rechnungskorrekturen): issued inside the
transaction that pays or refunds, numbered from gap-free sequences per year, rendered to PDF by
the worker.

The VAT rule, one for all: each line's VAT is taken from its gross with `money.vat_included`,
net is gross minus VAT, and the summary per rate is the sum of the lines. So lines, summary and
totals agree to the cent, whatever the rounding.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import pdf as documents
from shop.models import Invoice, InvoiceLine, Order, OrderLine, ReferenceCounter
from shop.money import vat_included
from shop.payments import payloads

INVOICE_PREFIX = "RE"
CREDIT_NOTE_PREFIX = "ST"

# Stripe's payment method types, as a German invoice names them.
PAYMENT_METHODS = {
    "card": gettext_lazy("Karte"),
    "sepa_debit": gettext_lazy("SEPA-Lastschrift"),
    "paypal": "PayPal",
    "klarna": "Klarna",
    "link": "Link",
    "giropay": "giropay",
    "sofort": gettext_lazy("Sofortüberweisung"),
    "customer_balance": gettext_lazy("Überweisung"),
}
# Those that settle later: Checkout completes unpaid and async_payment_succeeded pays.
DELAYED_METHODS = {"sepa_debit", "sofort", "customer_balance", "bacs_debit", "au_becs_debit"}


def _in_language(order: Order, text: Callable[[], str]) -> str:
    """What an invoice stores as text, in the language of its order: it is the buyer's document,
    like the order's e-mails, whichever request or worker issues it."""
    with translation.override(order.language):
        return str(text())


def _next_number(prefix: str, year: int) -> str:
    """The next number of the sequence, taken in the caller's transaction: a rollback returns it."""
    if not transaction.get_connection().in_atomic_block:
        # Committed on its own, the number would be lost if the invoice then failed: a gap.
        raise RuntimeError("invoice numbers are allocated only inside the paying transaction")
    name = f"{prefix}-{year}"
    return f"{name}-{ReferenceCounter.take_next(name):06d}"


def payment_method_label(session: dict, *, delayed: bool) -> str:
    """What the buyer paid with. A Checkout Session lists the methods it offered, not the one
    used; whether the payment settled at once or later tells them apart (card vs SEPA)."""
    if session.get("payment_status") == "no_payment_required":
        return _("Keine Zahlung nötig")
    offered = session.get("payment_method_types")
    offered = [m for m in offered if isinstance(m, str)] if isinstance(offered, list) else []
    candidates = [m for m in offered if (m in DELAYED_METHODS) == delayed]
    if len(candidates) == 1:
        return str(PAYMENT_METHODS.get(candidates[0], candidates[0]))
    return _("Online-Zahlung über Stripe")


def buyer_details(session: dict) -> tuple[str, str]:
    """Name and postal address as Stripe collected them at checkout; empty when it did not."""
    details = payloads.mapping(session.get("customer_details"))
    name = next(
        (
            payloads.text(details.get(key))
            for key in ("name", "business_name", "individual_name")
            if payloads.text(details.get(key))
        ),
        "",
    )
    address = payloads.mapping(details.get("address"))
    country = payloads.text(address.get("country"))
    lines = [
        payloads.text(address.get("line1")),
        payloads.text(address.get("line2")),
        " ".join(
            filter(
                None,
                [payloads.text(address.get("postal_code")), payloads.text(address.get("city"))],
            )
        ),
        "" if country in ("", "DE") else country,
    ]
    return name[:200], "\n".join(line for line in lines if line)


def _seller() -> dict:
    seller = settings.INVOICE_SELLER
    return {
        "seller_name": seller["name"],
        "seller_address": seller["address"],
        "seller_vat_id": seller["vat_id"],
        "seller_tax_number": seller["tax_number"],
    }


def _save_with_lines(invoice: Invoice, positions: list[dict]) -> Invoice:
    """Stores the invoice and its positions (InvoiceLine fields, signed cents)."""
    invoice.full_clean()
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **fields)
        for position, fields in enumerate(positions, start=1)
    )
    return invoice


def _position(line: OrderLine, *, sign: int) -> dict:
    return {
        "order_line": line,
        "description": line.description,
        "list_price_cents": sign * line.list_price_cents,
        "discount_cents": sign * line.discount_cents,
        "gross_cents": sign * line.gross_cents,
        "vat_rate": line.vat_rate,
        "vat_cents": sign * line.vat_cents,
    }


def issue_invoice(*, order: Order, session: dict, delayed_payment: bool) -> Invoice:
    """The invoice of an order that has just become paid; call it inside the paying transaction,
    which pays an order once (a constraint keeps it to one invoice)."""
    issued_on = timezone.localdate(order.paid_at)
    name, address = buyer_details(session)
    invoice = Invoice(
        number=_next_number(INVOICE_PREFIX, issued_on.year),
        kind=Invoice.Kind.INVOICE,
        order=order,
        issued_on=issued_on,
        buyer_name=name,
        buyer_address=address,
        buyer_email=order.email,
        payment_method=_in_language(
            order, lambda: payment_method_label(session, delayed=delayed_payment)
        ),
        **_seller(),
    )
    return _save_with_lines(
        invoice, [_position(line, sign=1) for line in order.lines.order_by("pk")]
    )


def issue_credit_note(
    *, original: Invoice, refund_id: str, amount_cents: int, lines: list[OrderLine] | None
) -> Invoice:
    """The credit note of one refund, in the refunding transaction. With `lines` it
    cancels those lines in full; without, it cancels `amount_cents` spread over the original's
    VAT rates in proportion to their gross (a partial refund that matched no whole line)."""
    issued_on = timezone.localdate()
    invoice = Invoice(
        number=_next_number(CREDIT_NOTE_PREFIX, issued_on.year),
        kind=Invoice.Kind.CREDIT_NOTE,
        order=original.order,
        corrects=original,
        stripe_refund_id=refund_id,
        issued_on=issued_on,
        buyer_name=original.buyer_name,
        buyer_address=original.buyer_address,
        buyer_email=original.buyer_email,
        payment_method=original.payment_method,
        **_seller(),
    )
    if lines is not None:
        positions = [_position(line, sign=-1) for line in lines]
    else:
        # VAT from each share's gross, as for any line; negated after, so rounding is symmetric.
        positions = [
            {
                "description": _in_language(original.order, lambda: _("Teilerstattung")),
                "list_price_cents": -share,
                "gross_cents": -share,
                "vat_rate": rate,
                "vat_cents": -vat_included(gross_cents=share, rate_percent=rate),
            }
            for rate, share in _share_by_rate(original, amount_cents)
        ]
    return _save_with_lines(invoice, positions)


def _share_by_rate(original: Invoice, amount_cents: int) -> list[tuple]:
    """`amount_cents` split over the original's rates in proportion to their gross, whole cents
    by largest remainder, so the shares add up to the amount exactly."""
    summary = [row for row in original.vat_summary() if row.gross_cents > 0]
    total = sum(row.gross_cents for row in summary)
    exact = [(row.rate, amount_cents * row.gross_cents, total) for row in summary]
    shares = {rate: numerator // denominator for rate, numerator, denominator in exact}
    left = amount_cents - sum(shares.values())
    by_remainder = sorted(exact, key=lambda item: item[1] % item[2], reverse=True)
    for rate, _numerator, _denominator in by_remainder[:left]:
        shares[rate] += 1
    return [(rate, gross) for rate, gross in shares.items() if gross]


def render_pdf(*, invoice_id: int) -> None:
    """Renders the invoice once; it is a snapshot, so an existing PDF stays as it is."""
    invoice = Invoice.objects.select_related("order", "corrects").get(pk=invoice_id)
    if invoice.pdf:
        return
    with translation.override(invoice.order.language):
        html = render_to_string(
            "shop/pdf/invoice.html",
            {"invoice": invoice, "summary": invoice.vat_summary()},
        )
    content = documents.render_pdf(html=html)
    with transaction.atomic():
        # Two workers may render at once; the first to store wins, the other keeps nothing.
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if not invoice.pdf:
            invoice.pdf.save(invoice.download_name, ContentFile(content))


def render_missing_pdfs(*, order_id: int) -> None:
    for invoice_id in Invoice.objects.filter(order_id=order_id, pdf="").values_list(
        "pk", flat=True
    ):
        render_pdf(invoice_id=invoice_id)
