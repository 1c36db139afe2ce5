"""Money is integer cents in EUR; VAT is derived here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, translation

# Stripe's smallest card payment in euros; a free order (0 €) is fine, Stripe completes it
# without collecting a payment method.
STRIPE_MINIMUM_CENTS = 50


def vat_included(*, gross_cents: int, rate_percent: Decimal) -> int:
    """The VAT contained in a gross price, rounded half up to the cent as German invoices do."""
    vat = Decimal(gross_cents) * rate_percent / (Decimal(100) + rate_percent)
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_eur(cents: int) -> str:
    """Euros as the active language writes them: 1.234,50 € in German, €1,234.50 in English.
    Separators come from Django's locale formats; where the sign goes is the one thing they lack."""
    amount = formats.number_format(
        Decimal(abs(cents)) / 100, decimal_pos=2, use_l10n=True, force_grouping=True
    )
    sign = "-" if cents < 0 else ""
    if (translation.get_language() or "de").startswith("en"):
        return f"{sign}€{amount}"
    return f"{sign}{amount} €"
