"""EPUB 3 books: a package readers and ebooklib open, chapters in order, the buyer's licence."""

import zipfile
from datetime import UTC, datetime
from io import BytesIO
from xml.etree import ElementTree

import ebooklib
import pytest
from ebooklib import epub

from documents.epub import build_epub, xhtml_fragment

LICENCE = "Licensed to alice@example.com · order 2026-000123 · personal use only"
CHAPTERS = [
    ("Gehalt verhandeln", "<p>Gute Vorbereitung ist die halbe Verhandlung.</p>"),
    ("Die ersten 100 Tage", "<h2>Ankommen</h2><p>Zuhören &amp; fragen.<br>Dann handeln.</p>"),
    ("Kündigen mit Stil", "<ul><li>Termin<li>Übergabe</ul><p>Danke &nbsp;sagen.</p>"),
]
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"


def make_book(**overrides) -> bytes:
    fields = {
        "title": "Mein Weg nach oben",
        "subtitle": "Texte über Gehalt, Anfang und Abschied",
        "author": "Karriere & Wirtschaft für Alice Beispiel",
        "language": "de",
        "identifier": "urn:uuid:6f1c1c1e-8a4b-4e0e-9a55-0d5c8a6d2f11",
        "chapters": CHAPTERS,
        "preface_html": "<p>Für Alice, die mutig verhandelt.</p>",
        "licence_line": LICENCE,
        "publisher": "Karriere & Wirtschaft Verlag",
        "modified": datetime(2026, 3, 5, 12, 30, tzinfo=UTC),
    }
    return build_epub(**{**fields, **overrides})


def read(book: bytes) -> epub.EpubBook:
    return epub.read_epub(BytesIO(book), {"ignore_ncx": True})


def test_ebooklib_opens_it_with_the_chapters_in_order_in_spine_and_navigation():
    book = read(make_book())

    documents = {item.get_id(): item.get_name() for item in book.get_items()}
    spine = [documents[idref] for idref, _ in book.spine]
    assert spine == [
        "cover.xhtml", "nav.xhtml", "preface.xhtml",
        "chapter-001.xhtml", "chapter-002.xhtml", "chapter-003.xhtml", "colophon.xhtml",
    ]  # fmt: skip
    assert [link.title for link in book.toc] == [
        "Vorwort",
        *(title for title, _ in CHAPTERS),
        "Impressum und Lizenz",
    ]
    assert [link.href for link in book.toc][1:4] == [
        "chapter-001.xhtml",
        "chapter-002.xhtml",
        "chapter-003.xhtml",
    ]
    for number, (title, _) in enumerate(CHAPTERS, start=1):
        text = book.get_item_with_href(f"chapter-{number:03d}.xhtml").get_content().decode()
        assert f"<h1>{title}</h1>" in text


def test_metadata_names_the_book_its_language_and_the_buyers_licence():
    book = read(make_book())

    assert book.uid == "urn:uuid:6f1c1c1e-8a4b-4e0e-9a55-0d5c8a6d2f11"
    assert book.title == "Mein Weg nach oben"
    assert book.get_metadata("DC", "language")[0][0] == "de"
    assert book.get_metadata("DC", "creator")[0][0] == "Karriere & Wirtschaft für Alice Beispiel"
    assert book.get_metadata("DC", "rights")[0][0] == LICENCE
    assert book.get_metadata("DC", "publisher")[0][0] == "Karriere & Wirtschaft Verlag"
    titles = [value for value, _ in book.get_metadata("DC", "title")]
    assert titles == ["Mein Weg nach oben", "Texte über Gehalt, Anfang und Abschied"]
    modified = [
        value for value, attrs in book.get_metadata("OPF", "meta")
        if attrs.get("property") == "dcterms:modified"
    ]  # fmt: skip
    assert modified == ["2026-03-05T12:30:00Z"]


def test_the_colophon_page_carries_the_licence_and_the_cover_has_an_image():
    book = read(make_book())

    colophon = book.get_item_with_href("colophon.xhtml").get_content().decode()
    assert LICENCE in colophon
    [cover] = [i for i in book.get_items() if i.get_type() == ebooklib.ITEM_COVER]
    assert cover.media_type == "image/svg+xml" and b"Mein Weg nach oben" in cover.get_content()


def test_the_container_is_a_valid_epub_zip():
    archive = zipfile.ZipFile(BytesIO(book := make_book()))

    first = archive.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert first.extra == b""
    assert book[30:58] == b"mimetypeapplication/epub+zip"
    container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
    [rootfile] = container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    package = ElementTree.fromstring(archive.read(rootfile.get("full-path")))
    assert package.get("version") == "3.0"
    assert package.get("unique-identifier") == "book-id"

    manifest = {i.get("href"): i for i in package.iter(f"{OPF}item")}
    packaged = {n.removeprefix("OEBPS/") for n in archive.namelist() if n.startswith("OEBPS/")}
    assert set(manifest) == packaged - {"package.opf"}
    assert manifest["nav.xhtml"].get("properties") == "nav"
    assert manifest["cover.svg"].get("properties") == "cover-image"
    # Every content document is well-formed XML, as EPUB requires of XHTML.
    for href, item in manifest.items():
        if item.get("media-type") in ("application/xhtml+xml", "image/svg+xml"):
            ElementTree.fromstring(archive.read(f"OEBPS/{href}"))
    nav = ElementTree.fromstring(archive.read("OEBPS/nav.xhtml"))
    toc = next(
        n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav")
        if n.get("{http://www.idpf.org/2007/ops}type") == "toc"
    )  # fmt: skip
    assert [a.text for a in toc.iter("{http://www.w3.org/1999/xhtml}a")][1:4] == [
        title for title, _ in CHAPTERS
    ]


def test_the_same_input_gives_the_same_bytes():
    assert make_book() == make_book()
    assert make_book() != make_book(licence_line="Licensed to bob@example.com")


def test_a_book_without_preface_or_subtitle_is_still_complete():
    book = read(make_book(preface_html="  ", subtitle=""))

    assert [link.title for link in book.toc][0] == "Gehalt verhandeln"
    assert len(book.get_metadata("DC", "title")) == 1


def test_titles_and_names_are_escaped_not_markup():
    book = read(make_book(title="Gehalt <script>alert(1)</script> & mehr", chapters=[
        ("Kapitel <b>eins</b>", "<p>x</p>")
    ]))  # fmt: skip

    assert book.title == "Gehalt <script>alert(1)</script> & mehr"
    chapter = book.get_item_with_href("chapter-001.xhtml").get_content().decode()
    assert "<h1>Kapitel &lt;b&gt;eins&lt;/b&gt;</h1>" in chapter


@pytest.mark.parametrize(
    ("html", "xhtml"),
    [
        ("<p>a<br>b</p><hr>", "<p>a<br/>b</p><hr/>"),
        ("<p>Gr&uuml;&szlig;e &amp; mehr&nbsp;</p>", "<p>Grüße &amp; mehr\xa0</p>"),
        ("<ul><li>eins<li>zwei</ul>", "<ul><li>eins</li><li>zwei</li></ul>"),
        ("<p>offen", "<p>offen</p>"),
        ("<p>a<div>b</div>", "<p>a</p><div>b</div>"),
        (
            "<table><tr><td>1<td>2<tr><td>3</table>",
            "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>",
        ),
        ("</em>text</p>", "text"),
        ('<p onclick="x()" class="a">t</p><script>alert(1)</script>', '<p class="a">t</p>'),
        ('<a href="https://example.com/?a=1&b=2">link</a>', '<a href="https://example.com/?a=1&amp;b=2">link</a>'),
        ('<p><img src="https://example.com/x.png" alt="Grafik"></p>', "<p>Grafik</p>"),
    ],
)  # fmt: skip
def test_html_bodies_become_well_formed_xhtml(html, xhtml):
    assert xhtml_fragment(html) == xhtml
    ElementTree.fromstring(f"<div>{xhtml_fragment(html)}</div>")
