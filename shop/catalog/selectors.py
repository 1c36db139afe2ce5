"""Reads of what is on sale."""

from dataclasses import dataclass

from django.db.models import QuerySet

from courses.models import Course
from shop.models import (
    Article,
    Entitlement,
    Product,
    Series,
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


def adviser_product() -> Product | None:
    return _the_one_on_sale(Product.Kind.ADVISER)


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
