from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from shop.models.catalog import Product


class DiscountCode(models.Model):
    """A code a buyer types at checkout: a percentage or a fixed amount off, for a while, for
    some or all products, a limited number of times. Its orders are its redemptions."""

    code = models.CharField(
        "Code",
        # Stripe shows it as the coupon's name, which takes at most 40 characters.
        max_length=40,
        help_text="Groß- und Kleinschreibung spielen beim Einlösen keine Rolle.",
    )
    percent_off = models.PositiveSmallIntegerField(
        "Rabatt in %", null=True, blank=True, help_text="1 bis 100; oder ein fester Betrag."
    )
    amount_off_cents = models.PositiveIntegerField(
        "Rabatt (Cent)", null=True, blank=True, help_text="Fester Betrag brutto; oder Prozent."
    )
    valid_from = models.DateTimeField("Gültig ab", default=timezone.now)
    valid_to = models.DateTimeField(
        "Gültig bis", null=True, blank=True, help_text="Leer: unbefristet."
    )
    max_redemptions = models.PositiveIntegerField(
        "Einlösungen insgesamt höchstens", null=True, blank=True, help_text="Leer: unbegrenzt."
    )
    max_redemptions_per_buyer = models.PositiveIntegerField(
        "Einlösungen je E-Mail-Adresse höchstens", null=True, blank=True,
        help_text="Leer: unbegrenzt.",
    )  # fmt: skip
    products = models.ManyToManyField(
        Product, verbose_name="Nur für diese Produkte", blank=True, related_name="discount_codes"
    )
    product_kinds = models.JSONField(
        "Nur für diese Produktarten",
        default=list,
        blank=True,
        help_text="Ohne Produkte und Produktarten gilt der Code für alles.",
    )
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Rabattcode"
        verbose_name_plural = "Rabattcodes"
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="discount_code_unique_ignoring_case",
                violation_error_message="Diesen Code gibt es schon.",
            ),
            models.CheckConstraint(
                condition=(
                    # isnull=False too: a comparison with NULL is unknown, which a CHECK lets pass.
                    models.Q(
                        percent_off__isnull=False,
                        percent_off__gte=1,
                        percent_off__lte=100,
                        amount_off_cents__isnull=True,
                    )
                    | models.Q(
                        amount_off_cents__isnull=False,
                        amount_off_cents__gte=1,
                        percent_off__isnull=True,
                    )
                ),
                name="discount_is_percent_1_to_100_or_positive_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="discount_valid_to_after_valid_from",
            ),
            models.CheckConstraint(
                condition=models.Q(max_redemptions__isnull=True) | models.Q(max_redemptions__gte=1),
                name="discount_max_redemptions_at_least_one",
            ),
            models.CheckConstraint(
                condition=models.Q(max_redemptions_per_buyer__isnull=True)
                | models.Q(max_redemptions_per_buyer__gte=1),
                name="discount_max_redemptions_per_buyer_at_least_one",
            ),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        self.code = (self.code or "").strip()
        if (self.percent_off is None) == (self.amount_off_cents is None):
            raise ValidationError(
                "Bitte genau eines angeben: Rabatt in % oder einen festen Betrag."
            )
        if self.percent_off is not None and not 1 <= self.percent_off <= 100:
            raise ValidationError({"percent_off": "Der Rabatt liegt zwischen 1 und 100 %."})
        if self.amount_off_cents == 0:
            raise ValidationError({"amount_off_cents": "Der Betrag muss größer als 0 sein."})
        if self.valid_to and self.valid_from and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": "Das Ende muss nach dem Beginn liegen."})
        for field in ("max_redemptions", "max_redemptions_per_buyer"):
            if getattr(self, field) == 0:
                raise ValidationError({field: "Mindestens 1, oder leer für unbegrenzt."})
        if not isinstance(self.product_kinds, list) or not set(self.product_kinds) <= set(
            Product.Kind.values
        ):
            raise ValidationError({"product_kinds": "Unbekannte Produktart."})

    def is_valid_at(self, moment) -> bool:
        return self.valid_from <= moment and (self.valid_to is None or moment < self.valid_to)

    def applies_to(self, product: Product) -> bool:
        """No products and no kinds chosen: everything. Otherwise the chosen products and every
        product of the chosen kinds."""
        chosen = set(self.products.values_list("pk", flat=True))
        if not chosen and not self.product_kinds:
            return True
        return product.pk in chosen or product.kind in self.product_kinds

    def discount_cents(self, price_cents: int) -> int:
        """What comes off one line: a percentage rounded half up to the cent; a fixed amount
        at most the whole price, so no line falls below zero."""
        if self.percent_off is not None:
            return min(price_cents, (price_cents * self.percent_off + 50) // 100)
        return min(price_cents, self.amount_off_cents)
