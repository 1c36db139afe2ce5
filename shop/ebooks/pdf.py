"""A custom eBook as PDF and EPUB, from the chapters the desk assembled."""

from uuid import NAMESPACE_URL, uuid5

from django.conf import settings
from django.utils.html import linebreaks

from documents import pdf as documents
from documents.epub import build_epub
from shop.catalog.pdf import chapters, licence_line, render_html
from shop.models import Article, CustomEbook, Order

EBOOK_TEMPLATE = "shop/pdf/ebook.html"


def _preface_html(ebook: CustomEbook) -> str:
    # Staff write plain text; paragraphs and line breaks are kept, markup is not.
    return linebreaks(ebook.preface, autoescape=True) if ebook.preface.strip() else ""


def ebook_pdf(*, ebook: CustomEbook, articles: list[Article], dedicated_to: str) -> bytes:
    """The book as the desk assembled it: cover, preface, contents, one chapter per article."""
    html = render_html(
        EBOOK_TEMPLATE,
        {
            "title": ebook.title,
            "subtitle": ebook.subtitle,
            "dedicated_to": dedicated_to,
            "preface_html": _preface_html(ebook),
            "chapters": chapters(articles),
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )
    return documents.render_pdf(html=html)


def ebook_epub(*, ebook: CustomEbook, articles: list[Article], order: Order) -> bytes:
    """The same book as EPUB 3, the licence in its metadata and on its colophon page."""
    return build_epub(
        title=ebook.title,
        subtitle=ebook.subtitle,
        author=f"{settings.PUBLISHER_NAME}, zusammengestellt für {order.email}",
        language="de",
        # Stable across versions: one book, delivered again.
        identifier=f"urn:uuid:{uuid5(NAMESPACE_URL, f'{settings.SITE_URL}/e-book/{ebook.pk}')}",
        chapters=[(article.title, article.body_html()) for article in articles],
        preface_html=_preface_html(ebook),
        licence_line=licence_line(order),
        publisher=settings.PUBLISHER_NAME,
    )


def preview_copy(base: bytes) -> bytes:
    return documents.stamp_licence(
        pdf=base,
        line="Vorschau für die Redaktion · nicht zur Weitergabe",
        metadata={"/Licence": "preview"},
    )
