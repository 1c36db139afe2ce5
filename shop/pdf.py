"""Article PDFs: one base render per content version, and the buyer's licensed copy of it."""

from django.conf import settings
from django.template.loader import render_to_string

from documents import pdf as documents
from shop.models import Article, Order

ARTICLE_TEMPLATE = "pdf/article.html"


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
    html = render_to_string(
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


def forget_article_base_pdf(*, version: str) -> None:
    documents.forget_cached_pdf(key=version)


def licensed_copy(base: bytes, *, order: Order) -> bytes:
    return documents.stamp_licence(
        pdf=base,
        line=f"Licensed to {order.email} · order {order.reference} · personal use only",
        metadata={
            "/Licensee": order.email,
            "/Order": order.reference,
            "/Licence": "personal use only",
        },
    )
