"""Article and series PDFs: one base render per content version, and a buyer's licensed copy of
a base PDF (the licence stamped on every page and into the metadata)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from documents import pdf as documents
from shop.models import Article, Order, Series

ARTICLE_TEMPLATE = "shop/pdf/article.html"
SERIES_TEMPLATE = "shop/pdf/series.html"
# The articles are German, so the labels around them (contents, chapter, preface) are too, whoever's
# request or worker renders them; a base PDF is shared by every buyer whatever their language.
CONTENT_LANGUAGE = "de"


def render_html(template: str, context: dict) -> str:
    with translation.override(CONTENT_LANGUAGE):
        return render_to_string(template, context)


def article_content_version(article: Article) -> str:
    return documents.content_key(
        article.title,
        article.author,
        article.teaser,
        article.body,
        article.published_on.isoformat(),
        settings.PUBLISHER_NAME,
        documents.template_source(ARTICLE_TEMPLATE),
    )


def render_article_base_pdf(article: Article) -> bytes:
    html = render_html(
        ARTICLE_TEMPLATE,
        {
            "title": article.title,
            "author": article.author,
            "published_on": article.published_on,
            "teaser": article.teaser,
            "body_html": article.body_html(),
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )
    return documents.render_pdf(html=html)


def article_base_pdf(article: Article, *, version: str) -> bytes:
    return documents.cached_pdf(key=version, render=lambda: render_article_base_pdf(article))


def forget_base_pdf(*, version: str) -> None:
    documents.forget_cached_pdf(key=version)


def chapters(articles: list[Article]) -> list[dict]:
    return [
        {
            "title": article.title,
            "author": article.author,
            "teaser": article.teaser,
            "body_html": article.body_html(),
        }
        for article in articles
    ]


def series_content_version(series: Series, parts: list[Article]) -> str:
    """One version per content of the series: its own text, its parts in order, the template."""
    return documents.content_key(
        "series",
        series.title,
        series.description,
        *(article_content_version(article) for article in parts),
        settings.PUBLISHER_NAME,
        documents.template_source(SERIES_TEMPLATE),
    )


def series_base_pdf(series: Series, parts: list[Article], *, version: str) -> bytes:
    """The combined PDF of a series: cover, contents, each part a chapter; rendered once."""

    def render() -> bytes:
        html = render_html(
            SERIES_TEMPLATE,
            {
                "title": series.title,
                "description": series.description,
                "chapters": chapters(parts),
                "publisher_name": settings.PUBLISHER_NAME,
            },
        )
        return documents.render_pdf(html=html)

    return documents.cached_pdf(key=version, render=render)


def licence_line(order: Order) -> str:
    """Stamped on every page in the buyer's language, though the content around it is German:
    it speaks to the buyer, like the order's e-mail."""
    with translation.override(order.language):
        return gettext(
            "Lizenziert für %(email)s · Bestellung %(reference)s · nur zur persönlichen Nutzung"
        ) % {"email": order.email, "reference": order.reference}


def licensed_copy(base: bytes, *, order: Order) -> bytes:
    return documents.stamp_licence(
        pdf=base,
        line=licence_line(order),
        metadata={
            "/Licensee": order.email,
            "/Order": order.reference,
            "/Licence": "personal use only",
        },
    )
