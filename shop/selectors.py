"""Reads: the catalog, a buyer's library, and what fulfilment still owes."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from shop.models import Article, Delivery, Entitlement, Order


def catalog() -> QuerySet[Article]:
    return Article.objects.published().filter(product__is_active=True).select_related("product")


def published_article(*, slug: str) -> Article | None:
    return catalog().filter(slug=slug).first()


def current_deliveries(*, order: Order) -> list[Delivery] | None:
    """The newest rendered copy of every line, or None while any line has none yet."""
    deliveries = []
    for line in order.lines.select_related("product__article").prefetch_related(
        Prefetch(
            "deliveries",
            queryset=Delivery.objects.filter(status=Delivery.Status.RENDERED).order_by(
                "-created_at"
            ),
        )
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
    def article(self) -> Article:
        return self.entitlement.product.article

    @property
    def order(self) -> Order:
        return self.entitlement.order_line.order


def library_items(*, user) -> list[LibraryItem]:
    """What the ledger grants this buyer, each with its newest rendered copy, if any yet."""
    entitlements = (
        Entitlement.objects.filter(buyer=user, revoked_at__isnull=True)
        .select_related("product__article", "order_line__order")
        .prefetch_related(
            Prefetch(
                "order_line__deliveries",
                queryset=Delivery.objects.filter(status=Delivery.Status.RENDERED).order_by(
                    "-created_at"
                ),
            )
        )
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
