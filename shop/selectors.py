"""Reads: the catalog, a buyer's library, and what fulfilment still owes."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from courses.models import Course
from shop.models import Article, Delivery, Entitlement, Order, Product


def catalog() -> QuerySet[Article]:
    return Article.objects.published().filter(product__is_active=True).select_related("product")


def course_catalog() -> QuerySet[Course]:
    return Course.objects.published().filter(product__is_active=True).select_related("product")


def product_on_sale(*, kind: str, slug: str) -> Product | None:
    """The product behind a published article or course page, if it is for sale."""
    if kind == Product.Kind.ARTICLE:
        found = catalog().filter(slug=slug).first()
    else:
        found = course_catalog().filter(slug=slug).first()
    return found.product if found else None


def ordered_courses(*, order: Order) -> list[Course]:
    return [
        line.product.course
        for line in order.lines.filter(product__kind=Product.Kind.COURSE).select_related(
            "product__course"
        )
    ]


def _newest_rendered() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=Delivery.Status.RENDERED).order_by("-created_at")


def current_deliveries(*, order: Order) -> list[Delivery] | None:
    """The newest rendered copy of every PDF line, or None while any has none yet."""
    deliveries = []
    for line in (
        order.lines.filter(product__kind=Product.Kind.ARTICLE)
        .select_related("product__article")
        .prefetch_related(Prefetch("deliveries", queryset=_newest_rendered()))
    ):
        rendered = list(line.deliveries.all())
        if not rendered:
            return None
        deliveries.append(rendered[0])
    return deliveries


@dataclass(frozen=True)
class LibraryItem:
    entitlement: Entitlement
    delivery: Delivery | None

    @property
    def product(self) -> Product:
        return self.entitlement.product

    @property
    def order(self) -> Order:
        return self.entitlement.order_line.order


def library_items(*, user) -> list[LibraryItem]:
    """What the ledger grants this buyer, each with its newest rendered copy, if any yet."""
    entitlements = (
        Entitlement.objects.filter(buyer=user, revoked_at__isnull=True)
        .select_related("product__article", "product__course", "order_line__order")
        .prefetch_related(Prefetch("order_line__deliveries", queryset=_newest_rendered()))
        .order_by("-granted_at")
    )
    return [
        LibraryItem(entitlement=e, delivery=next(iter(e.order_line.deliveries.all()), None))
        for e in entitlements
    ]


def downloadable_delivery(*, delivery_id: int, user) -> Delivery | None:
    """A rendered copy the user may have right now: theirs, and not revoked."""
    return (
        Delivery.objects.filter(
            pk=delivery_id,
            status=Delivery.Status.RENDERED,
            order_line__entitlements__buyer=user,
            order_line__entitlements__revoked_at__isnull=True,
        )
        .select_related("order_line__product__article", "order_line__order")
        .first()
    )


def unfulfilled_order_ids(*, paid_before: datetime) -> list[int]:
    return list(
        Order.objects.filter(
            status=Order.Status.PAID, fulfilled_at__isnull=True, paid_at__lt=paid_before
        ).values_list("pk", flat=True)
    )
