"""EPUB 3 books from HTML chapters, with the standard library only.

One book is one ZIP: `mimetype` first and stored uncompressed, META-INF/container.xml pointing at
the package document (OEBPS/package.opf: metadata, manifest, spine), a navigation document
(nav.xhtml), a cover page with an SVG cover image, an optional preface, one XHTML file per chapter
and a colophon that carries the buyer's licence, which also stands in the metadata as dc:rights.
"""

import zipfile
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from io import BytesIO
from textwrap import wrap

MEDIA_TYPE = "application/epub+zip"

# HTML elements that have no end tag, written self-closing in XHTML.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
     "wbr"}
)  # fmt: skip
BLOCKS_THAT_END_A_PARAGRAPH = ("p", "div", "ul", "ol", "dl", "table", "blockquote", "pre", "hr",
                               "h1", "h2", "h3", "h4", "h5", "h6")  # fmt: skip
PARAGRAPH_BOUNDS = {"div", "section", "article", "blockquote", "li", "td", "th"}
# An element that HTML lets stand unclosed ends where one of these starts, inside the same
# parent: <li>a<li>b is two items. Start tag -> (the open tags it ends, the tags that bound it).
IMPLIED_ENDS = {
    "li": ({"li"}, {"ul", "ol"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"}),
    "td": ({"td", "th"}, {"tr"}),
    "th": ({"td", "th"}, {"tr"}),
    **{block: ({"p"}, PARAGRAPH_BOUNDS) for block in BLOCKS_THAT_END_A_PARAGRAPH},
}
# Elements whose content is dropped: nothing in a book may run.
DROPPED_ELEMENTS = frozenset({"script", "style", "iframe", "object", "template"})

CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

STYLESHEET = """body { font-family: serif; line-height: 1.45; margin: 0 5%; }
h1, h2, h3, h4 { font-family: sans-serif; line-height: 1.25; page-break-after: avoid; }
h1 { font-size: 1.6em; margin: 1.5em 0 0.8em; }
p { margin: 0 0 0.8em; text-align: justify; hyphens: auto; -epub-hyphens: auto; }
blockquote { margin: 1em 0 1em 1em; padding-left: 0.8em; border-left: 1px solid #999; }
img { max-width: 100%; }
.cover { text-align: center; margin: 0; padding: 0; }
.cover svg { width: 100%; height: 100%; }
nav ol { list-style: none; padding-left: 0; }
nav li { margin: 0.4em 0; }
.colophon p { text-align: left; font-size: 0.9em; }
.licence { font-family: sans-serif; }
"""


def build_epub(
    *,
    title: str,
    subtitle: str,
    author: str,
    language: str,
    identifier: str,
    chapters: list[tuple[str, str]],
    preface_html: str,
    licence_line: str,
    publisher: str = "",
    modified: datetime | None = None,
) -> bytes:
    """A complete EPUB 3 file.

    `chapters` are (title, HTML body) pairs in reading order; each becomes one XHTML file with the
    title as its h1. Bodies and the preface may be HTML as Markdown and nh3 produce it: they are
    re-serialised as well-formed XHTML. `licence_line` names the buyer ("Licensed to …") and goes
    into the metadata (dc:rights) and onto the colophon page. `modified` is the package's
    dcterms:modified and the ZIP entries' date, so the same input gives the same bytes.
    """
    modified = (modified or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    book = _Book(
        title=title,
        subtitle=subtitle,
        author=author,
        language=language,
        publisher=publisher,
    )
    files: list[tuple[str, str]] = [("OEBPS/style.css", STYLESHEET)]
    manifest = [
        _ManifestItem("style", "style.css", "text/css"),
        _ManifestItem("cover-image", "cover.svg", "image/svg+xml", properties="cover-image"),
        _ManifestItem("cover", "cover.xhtml", "application/xhtml+xml"),
        _ManifestItem("nav", "nav.xhtml", "application/xhtml+xml", properties="nav"),
    ]
    spine = ["cover", "nav"]
    files.append(("OEBPS/cover.svg", book.cover_svg()))
    files.append(("OEBPS/cover.xhtml", book.cover_page()))

    toc: list[tuple[str, str]] = []
    if preface_html.strip():
        manifest.append(_ManifestItem("preface", "preface.xhtml", "application/xhtml+xml"))
        spine.append("preface")
        files.append(("OEBPS/preface.xhtml", book.page("Vorwort", xhtml_fragment(preface_html))))
        toc.append(("Vorwort", "preface.xhtml"))
    for number, (chapter_title, body_html) in enumerate(chapters, start=1):
        item_id, href = f"chapter-{number:03d}", f"chapter-{number:03d}.xhtml"
        manifest.append(_ManifestItem(item_id, href, "application/xhtml+xml"))
        spine.append(item_id)
        files.append((f"OEBPS/{href}", book.page(chapter_title, xhtml_fragment(body_html))))
        toc.append((chapter_title, href))
    manifest.append(_ManifestItem("colophon", "colophon.xhtml", "application/xhtml+xml"))
    spine.append("colophon")
    files.append(("OEBPS/colophon.xhtml", book.colophon(licence_line=licence_line)))
    toc.append(("Impressum und Lizenz", "colophon.xhtml"))
    files.append(("OEBPS/nav.xhtml", book.navigation(toc)))

    package = book.package(
        identifier=identifier,
        licence_line=licence_line,
        modified=modified,
        manifest=manifest,
        spine=spine,
    )
    output = BytesIO()
    date_time = modified.timetuple()[:6]
    with zipfile.ZipFile(output, "w") as archive:
        # Readers identify the format by these first bytes: stored, uncompressed, no extra field.
        archive.writestr(zipfile.ZipInfo("mimetype", date_time), MEDIA_TYPE, zipfile.ZIP_STORED)
        for name, content in [
            ("META-INF/container.xml", CONTAINER_XML),
            ("OEBPS/package.opf", package),
            *files,
        ]:
            archive.writestr(zipfile.ZipInfo(name, date_time), content, zipfile.ZIP_DEFLATED)
    return output.getvalue()


class _ManifestItem:
    def __init__(self, id: str, href: str, media_type: str, *, properties: str = "") -> None:
        self.id, self.href, self.media_type, self.properties = id, href, media_type, properties

    def xml(self) -> str:
        properties = f' properties="{self.properties}"' if self.properties else ""
        return (
            f'<item id="{self.id}" href="{self.href}" media-type="{self.media_type}"{properties}/>'
        )


class _Book:
    """The pages and package document of one book; every text that goes in is escaped here."""

    def __init__(self, *, title, subtitle, author, language, publisher) -> None:
        self.title, self.subtitle, self.author = title, subtitle, author
        self.language, self.publisher = language, publisher

    def _document(self, *, title: str, body: str, epub_type: str = "") -> str:
        body_type = f' epub:type="{epub_type}"' if epub_type else ""
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" \
lang="{_attr(self.language)}" xml:lang="{_attr(self.language)}">
<head>
<meta charset="UTF-8"/>
<title>{_text(title)}</title>
<link rel="stylesheet" type="text/css" href="style.css"/>
</head>
<body{body_type}>
{body}
</body>
</html>
"""

    def page(self, title: str, body_xhtml: str) -> str:
        return self._document(
            title=title,
            epub_type="bodymatter",
            body=f"<section>\n<h1>{_text(title)}</h1>\n{body_xhtml}\n</section>",
        )

    def cover_svg(self) -> str:
        lines = wrap(self.title, 22)[:5]
        title_lines = "".join(
            f'<tspan x="300" dy="{0 if n == 0 else 64}">{_text(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        subtitle_lines = "".join(
            f'<tspan x="300" dy="{0 if n == 0 else 34}">{_text(line)}</tspan>'
            for n, line in enumerate(wrap(self.subtitle, 36)[:3])
        )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 600 900" width="600" \
height="900">
<rect width="600" height="900" fill="#f4f1ea"/>
<rect width="600" height="40" fill="#1d3557"/>
<text x="300" y="150" text-anchor="middle" font-family="sans-serif" font-size="20" \
letter-spacing="2" fill="#555">{_text(self.publisher)}</text>
<text x="300" y="320" text-anchor="middle" font-family="sans-serif" font-size="52" \
font-weight="bold" fill="#111">{title_lines}</text>
<text x="300" y="{360 + 64 * len(lines)}" text-anchor="middle" font-family="sans-serif" \
font-size="28" fill="#333">{subtitle_lines}</text>
<text x="300" y="820" text-anchor="middle" font-family="serif" font-size="26" \
fill="#111">{_text(self.author)}</text>
</svg>
"""

    def cover_page(self) -> str:
        # The image is the cover; the hidden heading gives screen readers and search the title.
        return self._document(
            title=self.title,
            epub_type="cover",
            body=(
                '<section class="cover">\n'
                f'<img src="cover.svg" alt="{_attr(self.title)}" style="max-height: 100%"/>\n'
                "</section>"
            ),
        )

    def navigation(self, toc: list[tuple[str, str]]) -> str:
        entries = "\n".join(f'<li><a href="{href}">{_text(label)}</a></li>' for label, href in toc)
        first_chapter = next((href for _, href in toc if href.startswith("chapter-")), None)
        bodymatter = (
            f'<li><a epub:type="bodymatter" href="{first_chapter}">Beginn</a></li>'
            if first_chapter
            else ""
        )
        return self._document(
            title="Inhalt",
            body=f"""<nav epub:type="toc" id="toc">
<h1>Inhalt</h1>
<ol>
{entries}
</ol>
</nav>
<nav epub:type="landmarks" id="landmarks" hidden="hidden">
<h2>Orientierung</h2>
<ol>
<li><a epub:type="cover" href="cover.xhtml">Titelseite</a></li>
<li><a epub:type="toc" href="nav.xhtml">Inhalt</a></li>
{bodymatter}
</ol>
</nav>""",
        )

    def colophon(self, *, licence_line: str) -> str:
        publisher = f"<p>{_text(self.publisher)}</p>\n" if self.publisher else ""
        return self._document(
            title="Impressum und Lizenz",
            epub_type="backmatter",
            body=f"""<section class="colophon" epub:type="colophon">
<h1>Impressum und Lizenz</h1>
<p><strong>{_text(self.title)}</strong></p>
{publisher}<p>Zusammengestellt für: {_text(self.author)}</p>
<p class="licence">{_text(licence_line)}</p>
<p>Dieses E-Book ist für den persönlichen Gebrauch der genannten Person lizenziert. \
Weitergabe und Vervielfältigung sind nicht gestattet.</p>
</section>""",
        )

    def package(self, *, identifier, licence_line, modified, manifest, spine) -> str:
        publisher = (
            f"<dc:publisher>{_text(self.publisher)}</dc:publisher>\n    " if self.publisher else ""
        )
        subtitle = (
            f'<dc:title id="subtitle">{_text(self.subtitle)}</dc:title>\n    '
            '<meta refines="#subtitle" property="title-type">subtitle</meta>\n    '
            if self.subtitle
            else ""
        )
        items = "\n    ".join(item.xml() for item in manifest)
        itemrefs = "\n    ".join(f'<itemref idref="{idref}"/>' for idref in spine)
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" \
xml:lang="{_attr(self.language)}">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="book-id">{_text(identifier)}</dc:identifier>
    <dc:title id="title">{_text(self.title)}</dc:title>
    <meta refines="#title" property="title-type">main</meta>
    {subtitle}<dc:language>{_text(self.language)}</dc:language>
    <dc:creator id="creator">{_text(self.author)}</dc:creator>
    {publisher}<dc:rights>{_text(licence_line)}</dc:rights>
    <meta property="dcterms:modified">{modified.strftime("%Y-%m-%dT%H:%M:%SZ")}</meta>
    <meta name="cover" content="cover-image"/>
  </metadata>
  <manifest>
    {items}
  </manifest>
  <spine>
    {itemrefs}
  </spine>
</package>
"""


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def xhtml_fragment(html: str) -> str:
    """`html` as well-formed XHTML: void elements closed, entities resolved, tags balanced,
    scripts, images and comments dropped. Markup that is already XHTML passes through unchanged in
    meaning."""
    parser = _XhtmlWriter()
    parser.feed(html)
    parser.close()
    return parser.result()


class _XhtmlWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_ELEMENTS:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag == "img":
            # A book carries only its own files; an image from elsewhere stays as its text.
            alt = dict(attrs).get("alt") or ""
            self.out.append(_text(alt))
            return
        attributes = "".join(
            f' {name}="{_attr(value or "")}"'
            for name, value in attrs
            if name.isidentifier() or name.replace("-", "").isalnum()
            if not name.startswith("on")
        )
        self._end_implied(tag)
        if tag in VOID_ELEMENTS:
            self.out.append(f"<{tag}{attributes}/>")
        else:
            self.out.append(f"<{tag}{attributes}>")
            self.open.append(tag)

    def _end_implied(self, tag: str) -> None:
        ends, bounds = IMPLIED_ENDS.get(tag, ((), ()))
        outermost = None
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth] in bounds:
                break
            if self.open[depth] in ends:
                outermost = depth
        if outermost is not None:
            self.out.extend(f"</{inner}>" for inner in reversed(self.open[outermost:]))
            del self.open[outermost:]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and tag not in DROPPED_ELEMENTS and not self.dropping:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROPPED_ELEMENTS:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag in VOID_ELEMENTS or tag not in self.open:
            return
        # Close whatever was left open inside it, as a browser would.
        while self.open:
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(_text(data))

    def result(self) -> str:
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))
