from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plumbing.fields import LanguageField
from shop.models.catalog import Product
from shop.models.discounts import DiscountCode


class ReferenceCounter(models.Model):
    """A per-year counter behind the gap-free invoice numbers (RE-2026-000042, ST-…). Order
    references are drawn at random instead (shop.orders.services.new_order_reference); the
    counters of the sequential ones they once were stay unused."""

    name = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.value}"

    @classmethod
    def take_next(cls, name: str) -> int:
        """The next value of the counter `name`. Its row stays locked until the caller's
        transaction ends, so concurrent callers queue, and a rollback gives the value back."""
        counter, _created = cls.objects.select_for_update().get_or_create(name=name)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value


class InvalidTransition(Exception):
    pass


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Offen")
        AWAITING_PAYMENT = "awaiting_payment", _("Zahlung ausstehend")
        PAID = "paid", _("Bezahlt")
        # Never paid and never will be: the checkout expired or never started, or the delayed
        # payment failed. (Not a refund: a refunded order stays paid and gets a credit note.)
        ABANDONED = "cancelled", _("Abgebrochen")

    TRANSITIONS = {
        Status.PENDING: {Status.AWAITING_PAYMENT, Status.PAID, Status.ABANDONED},
        Status.AWAITING_PAYMENT: {Status.PAID, Status.ABANDONED},
        Status.PAID: set(),
        Status.ABANDONED: set(),
    }

    reference = models.CharField("Bestellnummer", max_length=20, unique=True)
    email = models.EmailField("E-Mail")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Kundenkonto",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    status = models.CharField(
        "Status", max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    currency = models.CharField("Währung", max_length=3, default="eur")
    # The buyer's language at checkout: every e-mail about this order is written in it.
    language = LanguageField()
    total_cents = models.PositiveIntegerField("Summe brutto (Cent)")
    # The code as typed stays with the order; the link counts the code's redemptions.
    discount_code_text = models.CharField("Rabattcode", max_length=40, blank=True)
    discount_code = models.ForeignKey(
        DiscountCode, verbose_name="Rabattcode (Datensatz)", on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders",
    )  # fmt: skip
    # The mailbox behind the checkout address (shop.orders.discounts.counted_buyer): the code's
    # limit per buyer counts it, so name+1@… is the same buyer as name@….
    discount_buyer = models.CharField("Käufer für das Rabattlimit", max_length=254, blank=True)
    stripe_session_id = models.CharField(
        "Stripe Checkout Session", max_length=255, unique=True, null=True, blank=True
    )
    # Refund and dispute events name the payment, not the order.
    stripe_payment_intent = models.CharField(
        "Stripe PaymentIntent", max_length=255, blank=True, db_index=True
    )
    needs_review = models.BooleanField("Prüfen", default=False)
    review_note = models.TextField("Prüfhinweis", blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)
    paid_at = models.DateTimeField("Bezahlt am", null=True, blank=True)
    fulfilled_at = models.DateTimeField("Ausgeliefert am", null=True, blank=True)
    email_error = models.TextField("Liefer-E-Mail fehlgeschlagen", blank=True)

    class Meta:
        verbose_name = "Bestellung"
        verbose_name_plural = "Bestellungen"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "fulfilled_at", "paid_at"])]

    def __str__(self):
        return self.reference

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    def move_to(self, status: "Order.Status") -> None:
        """The only way an order's status changes; callers hold a row lock."""
        if status not in self.TRANSITIONS[self.status]:
            raise InvalidTransition(f"{self.reference}: {self.status} → {status}")
        self.status = status

    def flag_for_review(self, note: str) -> None:
        """Puts the order in front of staff ("Prüfen") with what they should look at; earlier
        notes stay."""
        self.needs_review = True
        self.review_note = f"{self.review_note}\n{note}".strip()
        self.save(update_fields=["needs_review", "review_note"])


class OrderLine(models.Model):
    """What was sold, frozen at checkout: later price changes do not touch it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name="Produkt", on_delete=models.PROTECT)
    description = models.CharField("Bezeichnung", max_length=200)
    list_price_cents = models.PositiveIntegerField("Listenpreis (Cent)")
    discount_cents = models.PositiveIntegerField("Rabatt (Cent)", default=0)
    # What the buyer pays for the line; VAT is computed on it.
    gross_cents = models.PositiveIntegerField("Brutto (Cent)")
    vat_rate = models.DecimalField("USt.-Satz (%)", max_digits=4, decimal_places=2)
    vat_cents = models.PositiveIntegerField("USt. (Cent)")

    class Meta:
        verbose_name = "Position"
        verbose_name_plural = "Positionen"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    gross_cents=models.F("list_price_cents") - models.F("discount_cents")
                ),
                name="line_pays_list_price_less_discount",
            )
        ]

    def __str__(self):
        return self.description


class Entitlement(models.Model):
    """The ledger of what a buyer may have. Views and downloads ask this, nothing else."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entitlements"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="entitlements")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="entitlements")
    granted_at = models.DateTimeField("Erteilt", auto_now_add=True)
    revoked_at = models.DateTimeField("Entzogen", null=True, blank=True)

    class Meta:
        verbose_name = "Berechtigung"
        verbose_name_plural = "Berechtigungen"
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "product"], name="one_entitlement_per_line_and_product"
            )
        ]

    def __str__(self):
        return f"{self.buyer} – {self.product}"


class Delivery(models.Model):
    """The buyer's stamped copy of one order line, one per content version of what was bought."""

    class Status(models.TextChoices):
        RENDERED = "rendered", _("Erstellt")
        FAILED = "failed", _("Fehlgeschlagen")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        EPUB = "epub", "EPUB"

    CONTENT_TYPES = {Format.PDF: "application/pdf", Format.EPUB: "application/epub+zip"}

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="deliveries")
    # What the file is: the line's own product, or one part of a series the line bought.
    product = models.ForeignKey(
        Product, verbose_name="Inhalt", on_delete=models.PROTECT, related_name="deliveries"
    )
    content_version = models.CharField("Inhaltsversion", max_length=64)
    format = models.CharField("Format", max_length=10, choices=Format, default=Format.PDF)
    status = models.CharField("Status", max_length=20, choices=Status)
    file = models.FileField("Datei", upload_to="deliveries/%Y/%m/", blank=True)
    error = models.TextField("Fehler", blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    class Meta:
        verbose_name = "Auslieferung"
        verbose_name_plural = "Auslieferungen"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "product", "content_version", "format"],
                name="one_delivery_per_line_product_version_and_format",
            )
        ]

    def __str__(self):
        return f"{self.order_line} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.product_id is None:
            self.product_id = self.order_line.product_id
        super().save(*args, **kwargs)

    @property
    def download_name(self) -> str:
        name = f"{self.product.slug}-{self.order_line.order.reference}"
        if self.product.kind == Product.Kind.CUSTOM_EBOOK:
            name += f"-{self.content_version}"
        return f"{name}.{self.format}"

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.format]
