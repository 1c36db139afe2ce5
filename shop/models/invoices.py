from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.orders import Order, OrderLine


class Invoice(models.Model):
    """A snapshot of what was sold or refunded, as the law wants it kept: never edited, numbered
    from a gap-free sequence per year. A cancellation refers to the invoice it corrects."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Rechnung")
        CREDIT_NOTE = "cancellation", _("Rechnungskorrektur")

    number = models.CharField("Nummer", max_length=20, unique=True)
    kind = models.CharField("Art", max_length=20, choices=Kind, default=Kind.INVOICE)
    order = models.ForeignKey(
        Order, verbose_name="Bestellung", on_delete=models.PROTECT, related_name="invoices"
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name="Korrigiert Rechnung",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    # The Stripe refund a cancellation stands for: each refund is invoiced once.
    stripe_refund_id = models.CharField(
        "Stripe-Erstattung", max_length=255, unique=True, null=True, blank=True
    )
    issued_on = models.DateField("Rechnungsdatum")
    seller_name = models.CharField("Verkäufer", max_length=200)
    seller_address = models.TextField("Anschrift Verkäufer")
    seller_vat_id = models.CharField("USt-IdNr.", max_length=40, blank=True)
    seller_tax_number = models.CharField("Steuernummer", max_length=40, blank=True)
    buyer_name = models.CharField("Käufer/in", max_length=200, blank=True)
    buyer_address = models.TextField("Anschrift Käufer/in", blank=True)
    buyer_email = models.EmailField("E-Mail Käufer/in")
    payment_method = models.CharField("Zahlungsart", max_length=100)
    pdf = models.FileField("PDF", upload_to="invoices/%Y/", blank=True)
    emailed_at = models.DateTimeField("Versandt", null=True, blank=True)
    email_error = models.TextField("Versand fehlgeschlagen", blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Rechnung"
        verbose_name_plural = "Rechnungen"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(kind="invoice"),
                name="one_invoice_per_order",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", corrects__isnull=True)
                | models.Q(kind="cancellation", corrects__isnull=False),
                name="cancellation_corrects_an_invoice",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def download_name(self) -> str:
        return f"{self.number}.pdf"

    def vat_summary(self) -> list["VatSum"]:
        """One row per rate: the sums of the lines, so lines and summary agree to the cent."""
        sums = defaultdict(lambda: [0, 0])
        for line in self.lines.all():
            sums[line.vat_rate][0] += line.gross_cents
            sums[line.vat_rate][1] += line.vat_cents
        return [VatSum(rate, gross, vat) for rate, (gross, vat) in sorted(sums.items())]

    def total_gross_cents(self) -> int:
        return sum(line.gross_cents for line in self.lines.all())

    def total_vat_cents(self) -> int:
        return sum(line.vat_cents for line in self.lines.all())

    def total_net_cents(self) -> int:
        return self.total_gross_cents() - self.total_vat_cents()


@dataclass(frozen=True)
class VatSum:
    rate: Decimal
    gross_cents: int
    vat_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.vat_cents


class InvoiceLine(models.Model):
    """One position: gross and VAT in signed cents (negative on a cancellation); net follows."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    # The order line it bills or refunds; none for a partial refund that matched no whole line.
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    position = models.PositiveIntegerField("Pos.")
    description = models.CharField("Bezeichnung", max_length=200)
    # A discount code's reduction, shown on the line; gross is what was paid after it.
    list_price_cents = models.IntegerField("Listenpreis (Cent)")
    discount_cents = models.IntegerField("Rabatt (Cent)", default=0)
    gross_cents = models.IntegerField("Brutto (Cent)")
    vat_rate = models.DecimalField("USt.-Satz (%)", max_digits=4, decimal_places=2)
    vat_cents = models.IntegerField("USt. (Cent)")

    class Meta:
        verbose_name = "Rechnungsposition"
        verbose_name_plural = "Rechnungspositionen"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="one_line_per_position")
        ]

    def __str__(self):
        return self.description

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.vat_cents
