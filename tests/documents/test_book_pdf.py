"""The print templates of books (custom eBook, text series): cover, contents with the right page
numbers, one chapter per article in the outline, running headers."""

import re
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from documents.pdf import render_pdf
from tests.pdf_text import pages_text

PARAGRAPH = "<p>" + " ".join(["Wer gut vorbereitet ist, verhandelt entspannter."] * 40) + "</p>"
CHAPTERS = [
    {
        "title": title,
        "author": "Jana Beispiel",
        "teaser": "Ein Anreißer.",
        "body_html": (
            f"<h2>Erster Abschnitt</h2>{PARAGRAPH * 3}<h2>Zweiter Abschnitt</h2>{PARAGRAPH}"
        ),
    }
    for title in ("Gehalt verhandeln", "Die ersten 100 Tage", "Kündigen mit Stil")
]


def outline(pdf: bytes) -> list[tuple[int, str]]:
    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title

    return list(walk(PdfReader(BytesIO(pdf)).outline, 0))


@pytest.fixture(scope="module")
def ebook() -> bytes:
    return render_pdf(
        html=render_to_string(
            "shop/pdf/ebook.html",
            {
                "title": "Mein Weg nach oben",
                "subtitle": "Texte über Gehalt, Anfang und Abschied",
                "dedicated_to": "Alice Beispiel",
                "preface_html": "<p>Für Alice, die mutig verhandelt.</p>",
                "chapters": CHAPTERS,
                "publisher_name": "Karriere & Wirtschaft Verlag",
            },
        )
    )


@pytest.fixture(scope="module")
def series() -> bytes:
    return render_pdf(
        html=render_to_string(
            "shop/pdf/series.html",
            {
                "title": "Verhandeln in drei Schritten",
                "description": "Eine Textreihe.",
                "chapters": CHAPTERS,
                "publisher_name": "Karriere & Wirtschaft Verlag",
            },
        )
    )


def toc_page_numbers(pages: list[str]) -> dict[str, int]:
    toc = next(text for text in pages if text.startswith("Inhalt"))
    return {
        chapter["title"]: int(re.search(re.escape(chapter["title"]) + r" \.+ (\d+)", toc)[1])
        for chapter in CHAPTERS
    }


@pytest.mark.parametrize("book", ["ebook", "series"])
def test_contents_point_at_the_pages_where_the_chapters_start(book, request):
    pages = pages_text(request.getfixturevalue(book))

    numbers = toc_page_numbers(pages)

    assert list(numbers.values()) == sorted(numbers.values())
    for number, chapter in enumerate(CHAPTERS, start=1):
        assert pages[numbers[chapter["title"]] - 1].startswith(
            f"KAPITEL {number} {chapter['title']}"
        )


@pytest.mark.parametrize("book", ["ebook", "series"])
def test_each_chapter_is_a_bookmark_with_its_sections_below(book, request):
    marks = outline(request.getfixturevalue(book))

    chapters = [title for depth, title in marks if depth == 0 and title != "Vorwort"]
    assert chapters == [chapter["title"] for chapter in CHAPTERS]
    assert (1, "Erster Abschnitt") in marks


@pytest.mark.parametrize("book", ["ebook", "series"])
def test_pages_carry_running_headers_and_page_numbers(book, request):
    pages = pages_text(request.getfixturevalue(book))
    numbers = toc_page_numbers(pages)

    second_page_of_chapter_two = pages[numbers["Die ersten 100 Tage"]]
    title = "Mein Weg nach oben" if book == "ebook" else "Verhandeln in drei Schritten"
    assert f"{title} Die ersten 100 Tage" in second_page_of_chapter_two
    assert f"{numbers['Die ersten 100 Tage'] + 1} / {len(pages)}" in second_page_of_chapter_two
    assert "/ " not in pages[0]  # the cover has no page number


def test_the_ebook_has_a_cover_and_a_preface_before_the_contents(ebook):
    cover, preface, contents = pages_text(ebook)[:3]

    assert "Mein Weg nach oben" in cover and "Texte über Gehalt" in cover
    assert "zusammengestellt für Alice Beispiel" in cover
    assert preface.startswith("Vorwort Für Alice, die mutig verhandelt.")
    assert contents.startswith("Inhalt")


def test_the_series_cover_names_the_series_and_counts_its_parts(series):
    cover = pages_text(series)[0]

    assert "Verhandeln in drei Schritten" in cover and "Textreihe · 3 Artikel" in cover
