"""Money is integer cents in EUR; VAT is derived here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal


def vat_included(*, gross_cents: int, rate_percent: Decimal) -> int:
    """The VAT contained in a gross price, rounded half up to the cent as German invoices do."""
    vat = Decimal(gross_cents) * rate_percent / (Decimal(100) + rate_percent)
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_eur(cents: int) -> str:
    """German notation: 1.234,50 €."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"
