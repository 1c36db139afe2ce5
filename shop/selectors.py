"""Reads: the catalog, a buyer's library, and what fulfilment still owes."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import F, Max, Prefetch, QuerySet
from django.utils import timezone

from courses.models import Course
from shop.models import (
    Article,
    CustomEbook,
    Delivery,
    Entitlement,
    Invoice,
    Order,
    Product,
    Series,
    SeriesArticle,
    Subscription,
)


def catalog() -> QuerySet[Article]:
    return (
        Article.objects.published()
        .filter(product__is_active=True)
        .select_related("product")
        .defer("body")
    )


def course_catalog() -> QuerySet[Course]:
    return Course.objects.published().filter(product__is_active=True).select_related("product")


def series_catalog() -> QuerySet[Series]:
    return Series.objects.filter(product__is_active=True).select_related("product")


def product_on_sale(*, kind: str, slug: str) -> Product | None:
    """The product behind a published article, course or series page, if it is for sale."""
    if kind in (Product.Kind.CUSTOM_EBOOK, Product.Kind.ADVISER):
        return _the_one_on_sale(kind)
    if kind == Product.Kind.ARTICLE:
        found = catalog().filter(slug=slug).first()
    elif kind == Product.Kind.SERIES:
        found = series_catalog().filter(slug=slug).first()
    else:
        found = course_catalog().filter(slug=slug).first()
    return found.product if found else None


def custom_ebook_product() -> Product | None:
    return _the_one_on_sale(Product.Kind.CUSTOM_EBOOK)


def _the_one_on_sale(kind: str) -> Product | None:
    """Kinds sold as one offer, not one product per page: the oldest active product is it."""
    return Product.objects.filter(kind=kind, is_active=True).order_by("pk").first()


@dataclass(frozen=True)
class SeriesPart:
    article: Article
    is_owned: bool


def series_parts(*, series: Series, user) -> list[SeriesPart]:
    """The parts in order, each saying whether the reader has it already. Two queries, however
    many parts."""
    parts = series.parts.select_related("article__product")
    owned = set()
    if user.is_authenticated:
        owned = set(
            Entitlement.objects.filter(
                buyer=user,
                revoked_at__isnull=True,
                product__article__series_parts__series=series,
            ).values_list("product__article_id", flat=True)
        )
    return [SeriesPart(article=part.article, is_owned=part.article_id in owned) for part in parts]


def ordered_courses(*, order: Order) -> list[Course]:
    return [
        line.product.course
        for line in order.lines.filter(product__kind=Product.Kind.COURSE).select_related(
            "product__course"
        )
    ]


def ordered_ebooks(*, order: Order) -> list[CustomEbook]:
    return list(CustomEbook.objects.filter(order_line__order=order).order_by("pk"))


def custom_ebook_of(*, ebook_id: int, user) -> CustomEbook | None:
    """The user's own custom eBook while they are entitled to it; None for anyone else."""
    return (
        CustomEbook.objects.filter(
            pk=ebook_id,
            buyer=user,
            order_line__entitlements__buyer=user,
            order_line__entitlements__revoked_at__isnull=True,
        )
        .select_related("order_line__order")
        .first()
    )


def _newest_rendered() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=Delivery.Status.RENDERED).order_by("-created_at")


def current_deliveries(*, order: Order) -> list[Delivery] | None:
    """The newest rendered copy of every article and series line (of a series: the combined
    PDF), or None while any has none yet. A custom eBook comes later, by its own e-mail."""
    deliveries = []
    for line in (
        order.lines.filter(product__kind__in=[Product.Kind.ARTICLE, Product.Kind.SERIES])
        .select_related("product__article", "product__series")
        .prefetch_related(Prefetch("deliveries", queryset=_newest_rendered()))
    ):
        rendered = [d for d in line.deliveries.all() if d.product_id == line.product_id]
        if not rendered:
            return None
        deliveries.append(rendered[0])
    return deliveries


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
        .prefetch_related(Prefetch("order_line__deliveries", queryset=_newest_rendered()))
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


@dataclass(frozen=True)
class AdviserAccess:
    """Why a reader may read every article online, and until when."""

    until: datetime
    # Either their own subscription, or a grant that comes with a custom eBook or a series.
    subscription: Subscription | None = None


def adviser_access(*, user) -> AdviserAccess | None:
    """The one answer to "may this reader read the Ratgeber": from a subscription while paid (and
    through the grace period after a failed renewal), else from a custom eBook or series bought
    within ADVISER_GRANT_PERIOD whose entitlement still stands. Two queries at most."""
    if not user.is_authenticated:
        return None
    now = timezone.now()
    running = Subscription.objects.filter(
        buyer=user,
        status__in=Subscription.WITH_ACCESS,
        paid_until__gt=now - settings.ADVISER_GRACE_PERIOD,
    ).order_by("-paid_until")
    for subscription in running:
        if subscription.has_access:
            return AdviserAccess(until=subscription.access_until, subscription=subscription)
    # Derived from the ledger, never stored: a refund that revokes the source ends it too.
    latest_paid = Entitlement.objects.filter(
        buyer=user,
        revoked_at__isnull=True,
        product__kind__in=[Product.Kind.CUSTOM_EBOOK, Product.Kind.SERIES],
        order_line__order__paid_at__gt=now - settings.ADVISER_GRANT_PERIOD,
    ).aggregate(latest=Max("order_line__order__paid_at"))["latest"]
    if latest_paid is None:
        return None
    return AdviserAccess(until=latest_paid + settings.ADVISER_GRANT_PERIOD)


def unfulfilled_order_ids(*, paid_before: datetime) -> list[int]:
    return list(
        Order.objects.filter(
            status=Order.Status.PAID, fulfilled_at__isnull=True, paid_at__lt=paid_before
        ).values_list("pk", flat=True)
    )


def invoices_of(*, user) -> QuerySet[Invoice]:
    """The buyer's invoices and cancellation invoices that have their PDF, newest first."""
    return Invoice.objects.filter(order__buyer=user).exclude(pdf="")


def invoice_of(*, invoice_id: int, user) -> Invoice | None:
    """The user's own invoice, kept after a refund too; None for anyone else's."""
    return invoices_of(user=user).filter(pk=invoice_id).first()
