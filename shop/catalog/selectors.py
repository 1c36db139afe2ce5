"""Reads of what is on sale."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from courses.models import Course, Enrolment
from shop.models import (
    Article,
    Entitlement,
    Product,
    Series,
    SeriesArticle,
)
from shop.money import STRIPE_MINIMUM_CENTS, vat_included


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


def adviser_product() -> Product | None:
    return _the_one_on_sale(Product.Kind.ADVISER)


def _the_one_on_sale(kind: str) -> Product | None:
    """Kinds sold as one offer, not one product per page: the oldest active product is it."""
    return Product.objects.filter(kind=kind, is_active=True).order_by("pk").first()


def owned_products(*, user, among: QuerySet[Product] | None = None) -> dict[int, str | None]:
    """What the reader has of `among` (every product by default), one query: product id to the
    course's slug for a course (owned while enrolled), else None (a copy in the library). A series
    counts as owned when every part is; a custom eBook never does, each one is a new wish."""
    if not user.is_authenticated:
        return {}
    entitled = Entitlement.objects.filter(buyer=user, revoked_at__isnull=True).values("product")
    enrolled = Enrolment.objects.filter(
        course=OuterRef("course"), learner=user, ended_at__isnull=True
    )
    parts = SeriesArticle.objects.filter(series=OuterRef("series"))
    owned = (Product.objects.all() if among is None else among).filter(
        Q(kind__in=[Product.Kind.ARTICLE, Product.Kind.SERIES], pk__in=entitled)
        | Q(kind=Product.Kind.COURSE) & Exists(enrolled)
        | Q(kind=Product.Kind.SERIES)
        & Exists(parts)
        & ~Exists(parts.exclude(article__product__in=entitled))
    )
    return dict(owned.values_list("pk", "course__slug"))


@dataclass(frozen=True)
class SeriesPart:
    article: Article
    is_owned: bool
    # What the reader paid for this part on its own (the highest, if bought twice); 0 when it
    # came with another series.
    paid_cents: int = 0


def series_parts(*, series: Series, user) -> list[SeriesPart]:
    """The parts in order, each saying whether the reader has it already and what they paid for
    it. Two queries, however many parts."""
    parts = series.parts.select_related("article__product")
    paid: dict[int, int] = {}
    if user is not None and user.is_authenticated:
        for article_id, line_product_id, part_product_id, gross_cents in Entitlement.objects.filter(
            buyer=user,
            revoked_at__isnull=True,
            product__article__series_parts__series=series,
        ).values_list(
            "product__article_id", "order_line__product_id", "product_id", "order_line__gross_cents"
        ):
            bought_alone = line_product_id == part_product_id
            paid[article_id] = max(paid.get(article_id, 0), gross_cents if bought_alone else 0)
    return [
        SeriesPart(
            article=part.article,
            is_owned=part.article_id in paid,
            paid_cents=paid.get(part.article_id, 0),
        )
        for part in parts
    ]


@dataclass(frozen=True)
class SeriesOffer:
    """The series as one reader is offered it. Who owns some parts completes the series for its
    price less what they paid for those parts, but never below Stripe's smallest payment; when
    that is no cheaper than the missing parts bought one by one, those are offered instead."""

    product: Product
    parts: list[SeriesPart]

    @property
    def owned_count(self) -> int:
        return sum(part.is_owned for part in self.parts)

    @property
    def missing(self) -> list[Article]:
        return [part.article for part in self.parts if not part.is_owned]

    @property
    def is_owned(self) -> bool:
        return bool(self.parts) and not self.missing

    @property
    def parts_total_cents(self) -> int:
        return sum(_price(part.article) for part in self.parts)

    @property
    def missing_total_cents(self) -> int:
        return sum(_price(article) for article in self.missing)

    @property
    def price_cents(self) -> int:
        if not self.owned_count:
            return self.product.price_cents
        paid = sum(part.paid_cents for part in self.parts)
        return max(self.product.price_cents - paid, STRIPE_MINIMUM_CENTS)

    @property
    def vat_cents(self) -> int:
        return vat_included(gross_cents=self.price_cents, rate_percent=self.product.vat_rate)

    @property
    def is_completion(self) -> bool:
        return self.price_cents < self.product.price_cents

    @property
    def offers_missing_parts(self) -> bool:
        return bool(self.owned_count) and self.price_cents >= self.missing_total_cents


def _price(article: Article) -> int:
    return article.product.price_cents if hasattr(article, "product") else 0


def series_offer(*, series: Series, user) -> SeriesOffer:
    """The series for this reader (None or anonymous: for anyone). Two queries."""
    return SeriesOffer(product=series.product, parts=series_parts(series=series, user=user))
