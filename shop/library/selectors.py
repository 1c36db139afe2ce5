"""What a buyer owns: their library, and the copies they may download."""

from dataclasses import dataclass, field

from django.db.models import F, Prefetch

from shop.models import CustomEbook, Delivery, Entitlement, Order, Product, SeriesArticle
from shop.orders.selectors import newest_rendered_copies


@dataclass
class LibraryItem:
    entitlement: Entitlement
    delivery: Delivery | None
    # A series shows its parts beneath it, in the series' order.
    parts: list["LibraryItem"] = field(default_factory=list)
    # A custom eBook: its state, and its newest version in each format it was made in.
    ebook: CustomEbook | None = None
    downloads: list[Delivery] = field(default_factory=list)

    @property
    def product(self) -> Product:
        return self.entitlement.product

    @property
    def order(self) -> Order:
        return self.entitlement.order_line.order


def library_items(*, user) -> list[LibraryItem]:
    """What the ledger grants this buyer, each with its newest rendered copy, if any yet; the
    parts of a series grouped under it. A fixed number of queries, however much was bought."""
    entitlements = (
        Entitlement.objects.filter(buyer=user, revoked_at__isnull=True)
        .select_related(
            "product__article",
            "product__course",
            "product__series",
            "order_line__order",
            "order_line__product",
            "order_line__custom_ebook",
        )
        .prefetch_related(Prefetch("order_line__deliveries", queryset=newest_rendered_copies()))
        .order_by("-granted_at", "pk")
    )
    items, parts, by_line = [], [], {}
    for entitlement in entitlements:
        copies = [
            d for d in entitlement.order_line.deliveries.all()
            if d.product_id == entitlement.product_id
        ]  # fmt: skip
        newest = copies[0] if copies else None
        # The newest version in each format: an eBook's PDF and EPUB of the same version.
        downloads = {
            d.format: d for d in reversed(copies) if d.content_version == newest.content_version
        }
        item = LibraryItem(
            entitlement=entitlement,
            delivery=newest,
            downloads=sorted(downloads.values(), key=lambda d: d.format, reverse=True),
            ebook=getattr(entitlement.order_line, "custom_ebook", None)
            if entitlement.product.kind == Product.Kind.CUSTOM_EBOOK
            else None,
        )
        if entitlement.product_id == entitlement.order_line.product_id:
            items.append(item)
            by_line[entitlement.order_line_id] = item
        else:
            parts.append(item)
    series_ids = {item.product.series_id for item in items if item.product.series_id}
    position = {
        (part.series_id, part.article_id): part.position
        for part in SeriesArticle.objects.filter(series__in=series_ids)
    }
    for part in parts:
        owner = by_line.get(part.entitlement.order_line_id)
        if owner is None:
            items.append(part)
        else:
            owner.parts.append(part)
    for item in items:
        series_id = item.product.series_id
        item.parts.sort(key=lambda part: position.get((series_id, part.product.article_id), 0))
    return items


def downloadable_delivery(*, delivery_id: int, user) -> Delivery | None:
    """A rendered copy the user may have right now: theirs, and not revoked."""
    return (
        Delivery.objects.filter(
            pk=delivery_id,
            status=Delivery.Status.RENDERED,
            order_line__entitlements__buyer=user,
            order_line__entitlements__product=F("product"),
            order_line__entitlements__revoked_at__isnull=True,
        )
        .select_related("product__article", "product__series", "order_line__order")
        .first()
    )
