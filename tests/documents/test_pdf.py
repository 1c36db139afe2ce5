"""Print templates, the URL fetcher, the buyer's stamp and the base PDF cache, seen in the PDFs."""

import datetime
import random
from io import BytesIO
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from PIL import Image
from pypdf import PdfReader

from documents.models import RenderedPdf
from documents.pdf import (
    cached_pdf,
    content_key,
    forget_cached_pdf,
    render_pdf,
    stamp_licence,
    template_source,
)

A4_IN_POINTS = (595.28, 841.89)
TITLE = "Richtig verhandeln: Gehalt, Bonus und Vertrag"
LINE = "Licensed to alice@example.com · order 2026-000123 · personal use only"
METADATA = {
    "/Licensee": "alice@example.com",
    "/Order": "2026-000123",
    "/Licence": "personal use only",
}
HOSTILE_URLS = [
    "file:///etc/passwd",
    "http://127.0.0.1:8000/x",
    "http://169.254.169.254/latest/meta-data",
    "https://example.com/tracker.png",
]


SYLLABLES = ("ver", "hand", "lung", "ge", "halt", "be", "vor", "rei", "tung", "markt", "wert")


def article_html() -> str:
    """About 1,500 words in eight sections."""
    # Varied words compress like real prose; one sentence repeated would flatter the sizes.
    rng = random.Random(1)
    paragraphs = []
    for number in range(1, 9):
        text = " ".join("".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(185))
        paragraphs.append(f"<h2>Abschnitt {number}</h2><p>{text}.</p>")
    return render_to_string(
        "shop/pdf/article.html",
        {
            "title": TITLE,
            "author": "Erika Mustermann",
            "published_on": datetime.date(2026, 3, 5),
            "teaser": "Wer gut vorbereitet ist, verhandelt entspannter.",
            "body_html": "<p>Erster Absatz des Artikels.</p>" + "".join(paragraphs),
            "publisher_name": "Karriere & Wirtschaft Verlag",
        },
    )


def pages_text(pdf: bytes) -> list[str]:
    # One space for every run of whitespace, so wrapped lines read as the text they set.
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def outline_titles(pdf: bytes) -> list[str]:
    """The titles of all bookmarks, depth first; pypdf nests children in lists."""

    def walk(items: list) -> list[str]:
        titles = []
        for item in items:
            titles.extend(walk(item) if isinstance(item, list) else [item.title])
        return titles

    return walk(PdfReader(BytesIO(pdf)).outline)


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(BytesIO(pdf)).pages)


def png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), "red").save(path, "PNG")
    return path


@pytest.fixture(scope="module")
def article_pdf() -> bytes:
    return render_pdf(html=article_html())


@pytest.fixture
def own_files(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static-root"
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    for directory in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        directory.mkdir(parents=True)
    return tmp_path


def test_article_has_its_title_on_the_cover_and_its_body_after_it(article_pdf):
    cover, *rest = pages_text(article_pdf)

    assert TITLE in cover
    assert "Erika Mustermann" in cover
    assert "5. März 2026" in cover
    assert "Karriere & Wirtschaft Verlag" in cover
    assert "Erster Absatz des Artikels." in rest[0]
    assert "Abschnitt 8" in "".join(rest)


def test_article_pages_are_a4_numbered_and_headed_with_the_title(article_pdf):
    pages = PdfReader(BytesIO(article_pdf)).pages
    texts = pages_text(article_pdf)

    assert len(pages) >= 4
    for page in pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_IN_POINTS, abs=0.5)
    assert f" / {len(pages)}" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"{number} / {len(pages)}" in text
        assert TITLE in text


def test_article_headings_become_the_pdf_outline(article_pdf):
    titles = outline_titles(article_pdf)

    assert titles[0] == TITLE
    assert titles[1:] == [f"Abschnitt {number}" for number in range(1, 9)]


def test_hostile_urls_are_refused_and_the_pdf_still_renders(caplog):
    images = "".join(f'<img src="{url}">' for url in HOSTILE_URLS)
    html = f"""<html><head><style>
        @import url("{HOSTILE_URLS[2]}");
        @import "{HOSTILE_URLS[0]}";
        body {{ background: url("{HOSTILE_URLS[1]}"); }}
        p {{ background-image: url("{HOSTILE_URLS[3]}"); }}
    </style></head><body><p>Trotzdem gedruckt.</p>{images}</body></html>"""

    pdf = render_pdf(html=html)

    assert "Trotzdem gedruckt." in pages_text(pdf)[0]
    assert image_count(pdf) == 0
    refusals = [r.getMessage() for r in caplog.records if "PermissionError" in r.getMessage()]
    for url in HOSTILE_URLS:
        assert any(url in message for message in refusals), url


def test_own_static_and_media_files_are_served(own_files):
    png(own_files / "media" / "pictures" / "chart.png")
    (own_files / "static" / "print.css").write_text('p::after { content: " (mit Stil)" }')

    pdf = render_pdf(
        html='<link rel="stylesheet" href="/static/print.css">'
        '<p>Grafik</p><img src="/media/pictures/chart.png">'
    )

    assert "Grafik (mit Stil)" in pages_text(pdf)[0]
    assert image_count(pdf) == 1


@pytest.mark.parametrize(
    "src",
    [
        "/media/%2e%2e/secret.png",
        "/media/pictures/%2e%2e/%2e%2e/secret.png",
        "http://127.0.0.1:8000/media/%2E%2E/secret.png",
        "file://{tmp}/secret.png",
        "file://{tmp}/media/../secret.png",
    ],
)
def test_paths_escaping_the_media_folder_are_refused(own_files, src):
    png(own_files / "secret.png")
    png(own_files / "media" / "pictures" / "allowed.png")

    pdf = render_pdf(
        html=f'<img src="{src.format(tmp=own_files)}"><img src="/media/pictures/allowed.png">'
    )

    assert image_count(pdf) == 1


def test_the_stamp_line_is_on_every_page(article_pdf):
    stamped = stamp_licence(pdf=article_pdf, line=LINE, metadata=METADATA)

    texts = pages_text(stamped)
    assert len(texts) == len(pages_text(article_pdf))
    for text in texts:
        assert LINE in text


def test_the_stamped_copy_names_the_licence_in_its_metadata(article_pdf):
    stamped = stamp_licence(pdf=article_pdf, line=LINE, metadata=METADATA)

    metadata = PdfReader(BytesIO(stamped)).metadata
    assert metadata["/Title"] == TITLE
    for key, value in METADATA.items():
        assert metadata[key] == value


def test_the_stamped_copy_keeps_the_outline(article_pdf):
    stamped = stamp_licence(pdf=article_pdf, line=LINE, metadata=METADATA)

    assert outline_titles(stamped) == outline_titles(article_pdf)


def test_the_stamped_copy_is_not_much_bigger_than_the_base(article_pdf):
    stamped = stamp_licence(pdf=article_pdf, line=LINE, metadata=METADATA)

    assert len(stamped) < 1.5 * len(article_pdf)


def test_escaped_characters_of_the_line_are_printed_as_text(article_pdf):
    line = "Licensed to <b>o'brien&co</b>@example.com"

    stamped = stamp_licence(pdf=article_pdf, line=line, metadata={})

    assert line in pages_text(stamped)[0]


@pytest.mark.django_db
def test_a_cached_pdf_is_rendered_once_per_key(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    renders = []

    def render() -> bytes:
        renders.append(1)
        return f"%PDF render {len(renders)}".encode()

    first = cached_pdf(key=content_key("article 1", "v1"), render=render)
    again = cached_pdf(key=content_key("article 1", "v1"), render=render)
    other = cached_pdf(key=content_key("article 1", "v2"), render=render)

    assert (first, again, other) == (b"%PDF render 1", b"%PDF render 1", b"%PDF render 2")
    assert len(renders) == 2


@pytest.mark.django_db
def test_forgetting_a_cached_pdf_renders_it_again(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    key = content_key("article 1", "v1")
    cached_pdf(key=key, render=lambda: b"%PDF old")
    stored = Path(RenderedPdf.objects.get(key=key).file.path)

    with django_capture_on_commit_callbacks(execute=True):
        forget_cached_pdf(key=key)

    assert not stored.exists()
    assert cached_pdf(key=key, render=lambda: b"%PDF new") == b"%PDF new"


@pytest.mark.django_db
def test_two_workers_rendering_the_same_key_both_get_the_first_stored_copy(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    key = content_key("article 1", "v1")

    def render_while_another_worker_stores_the_key() -> bytes:
        cached_pdf(key=key, render=lambda: b"%PDF winner")
        return b"%PDF loser"

    pdf = cached_pdf(key=key, render=render_while_another_worker_stores_the_key)

    assert pdf == b"%PDF winner"
    assert RenderedPdf.objects.count() == 1
    assert [p.name for p in (tmp_path / "pdf-cache").iterdir()] == [f"{key}.pdf"]


def test_content_key_changes_with_the_print_templates():
    article = template_source("shop/pdf/article.html")

    assert "{% extends" in article
    assert "counter(pages)" in article  # pdf/base.html counts too
    assert content_key("body", article) != content_key("body", article + " ")
    assert content_key("ab", "c") != content_key("a", "bc")
    assert len(content_key("body")) == 64
