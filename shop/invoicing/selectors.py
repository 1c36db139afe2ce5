"""Reads of a buyer's invoices."""

from django.db.models import QuerySet

from shop.models import Invoice


def invoices_of(*, user) -> QuerySet[Invoice]:
    """The buyer's invoices and cancellation invoices that have their PDF, newest first."""
    return Invoice.objects.filter(order__buyer=user).exclude(pdf="")


def invoice_of(*, invoice_id: int, user) -> Invoice | None:
    """The user's own invoice, kept after a refund too; None for anyone else's."""
    return invoices_of(user=user).filter(pk=invoice_id).first()
