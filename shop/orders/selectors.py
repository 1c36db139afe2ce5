"""Reads for orders: what an order sold, and what fulfilment still owes."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from django.db.models import Prefetch, QuerySet

from courses.models import Course
from shop.models import CustomEbook, Delivery, Invoice, Order, OrderLine, Product


def ordered_courses(*, order: Order) -> list[Course]:
    return [
        line.product.course
        for line in order.lines.filter(product__kind=Product.Kind.COURSE).select_related(
            "product__course"
        )
    ]


def ordered_ebooks(*, order: Order) -> list[CustomEbook]:
    return list(CustomEbook.objects.filter(order_line__order=order).order_by("pk"))


def newest_rendered_copies() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=Delivery.Status.RENDERED).order_by("-created_at")


def current_deliveries(*, order: Order) -> list[Delivery] | None:
    """The newest rendered copy of every article and series line (of a series: the combined
    PDF), or None while any has none yet. A custom eBook comes later, by its own e-mail."""
    deliveries = []
    for line in (
        order.lines.filter(product__kind__in=[Product.Kind.ARTICLE, Product.Kind.SERIES])
        .select_related("product__article", "product__series")
        .prefetch_related(Prefetch("deliveries", queryset=newest_rendered_copies()))
    ):
        rendered = [d for d in line.deliveries.all() if d.product_id == line.product_id]
        if not rendered:
            return None
        deliveries.append(rendered[0])
    return deliveries


def unfulfilled_order_ids(*, paid_before: datetime) -> list[int]:
    return list(
        Order.objects.filter(
            status=Order.Status.PAID, fulfilled_at__isnull=True, paid_at__lt=paid_before
        ).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class VatOfRate:
    rate: Decimal
    vat_cents: int


@dataclass(frozen=True)
class OrderSummary:
    """What the success page shows of an order: its lines, total and the VAT in it per rate, as
    the invoice will list them (the same lines, the same VAT rule), and the invoice once issued."""

    lines: list[OrderLine]
    total_cents: int
    vat: list[VatOfRate]
    invoice: Invoice | None


def order_summary(*, order: Order) -> OrderSummary:
    lines = list(order.lines.select_related("product").order_by("pk"))
    by_rate = groupby(sorted(lines, key=lambda line: line.vat_rate), key=lambda line: line.vat_rate)
    return OrderSummary(
        lines=lines,
        total_cents=order.total_cents,
        vat=[VatOfRate(rate, sum(line.vat_cents for line in of_rate)) for rate, of_rate in by_rate],
        invoice=order.invoices.filter(kind=Invoice.Kind.INVOICE).first(),
    )
