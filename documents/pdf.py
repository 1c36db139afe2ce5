"""Rendering print templates to PDF, caching the base PDF, and stamping each buyer's copy.

The only module of the project that imports WeasyPrint and pypdf.
"""

import hashlib
import json
import mimetypes
import os
from collections.abc import Callable
from functools import partial
from html import escape
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode
from pypdf import PageObject, PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from documents.models import RenderedPdf


class OwnFilesFetcher(URLFetcher):
    """Serves the project's static and media files and data: URLs to WeasyPrint, nothing else.

    WeasyPrint fetches every URL a document names. Article bodies come from authors, so without
    this a PDF could embed the server's own files (file:///etc/passwd) or reach hosts on its
    network (cloud metadata at 169.254.169.254, internal services). Refused URLs raise; WeasyPrint
    logs them and renders the document without the resource.
    """

    def __init__(self, *, base_url: str) -> None:
        super().__init__(allowed_protocols={"data"})
        static_url = urljoin(base_url, settings.STATIC_URL)
        mounts = [
            (urljoin(base_url, settings.MEDIA_URL), settings.MEDIA_ROOT),
            (static_url, settings.STATIC_ROOT),
        ]
        for entry in settings.STATICFILES_DIRS:
            # Django allows ("prefix", directory) entries, served under STATIC_URL/prefix/.
            prefix, directory = entry if isinstance(entry, (tuple, list)) else ("", entry)
            mounts.append((urljoin(static_url, f"{prefix}/") if prefix else static_url, directory))
        # An unset root is "" or None, and "" would mean the working directory.
        self.mounts = [(url, _absolute(directory)) for url, directory in mounts if directory]
        self.directories = [directory for _, directory in self.mounts]

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.local_file(url)
        if path is None:
            raise PermissionError(f"not one of the project's own static or media files: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def local_file(self, url: str) -> Path | None:
        """The file `url` names inside one of the allowed directories, or None."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = _absolute(url2pathname(parts.path))
            inside = any(path.is_relative_to(directory) for directory in self.directories)
            return path if inside and path.is_file() else None
        address = url.split("#")[0].split("?")[0]
        for prefix, directory in self.mounts:
            if address.startswith(prefix):
                path = _absolute(directory / unquote(address.removeprefix(prefix)))
                if path.is_relative_to(directory) and path.is_file():
                    return path
        return None


def _absolute(path: str | Path) -> Path:
    # Lexical, so "..", also percent-encoded, cannot step out of a directory; symlinks that
    # collectstatic --link creates stay usable.
    return Path(os.path.abspath(path))


def render_pdf(*, html: str) -> bytes:
    """Render a complete HTML document to PDF; only the project's own files are fetched."""
    # Root-relative URLs ({% static %}, FileField.url, links in article bodies) resolve against
    # the site, so links in the PDF point at the shop and images map onto the local files.
    base_url = f"{settings.SITE_URL}/"
    document = HTML(string=html, base_url=base_url, url_fetcher=OwnFilesFetcher(base_url=base_url))
    return document.write_pdf()


def stamp_licence(*, pdf: bytes, line: str, metadata: dict[str, str]) -> bytes:
    """The buyer's copy: `line` in small print at the foot of every page, `metadata` in the PDF.

    Metadata keys are PDF names such as "/Licensee"; the base's /Title and outline are kept.
    """
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    overlays: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in overlays:
            overlays[size] = _licence_overlay(line=line, width=size[0], height=size[1])
        page.merge_page(overlays[size])
        page.compress_content_streams()
    writer.add_metadata(metadata)
    # Reuses the base's objects where the overlay brought identical ones (colour spaces) and
    # drops the slots of the content streams that merging replaced.
    writer.compress_identical_objects()
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def _licence_overlay(*, line: str, width: float, height: float) -> PageObject:
    # Rendered by WeasyPrint so any character of a name or address gets a glyph, an embedded
    # font and a text mapping that survives copy and paste. Opacity, rather than a grey colour,
    # makes WeasyPrint draw the line into a form XObject: every page then shares that one object
    # and merging adds a few bytes to a page instead of parsing and copying the line each time.
    html = f"""<!doctype html><html lang="de"><style>
      @page {{ size: {width}pt {height}pt; margin: 0 }}
      p {{ position: absolute; bottom: 6mm; left: 20mm; right: 20mm; margin: 0;
          text-align: center; font: 7pt/1.3 "DejaVu Sans", sans-serif; opacity: 0.65 }}
    </style><p>{escape(line)}</p></html>"""
    return PdfReader(BytesIO(render_pdf(html=html))).pages[0]


def content_key(*parts: str) -> str:
    """A sha256 hex digest naming one content version, e.g. of an article and its print template."""
    # JSON keeps ("ab", "c") and ("a", "bc") apart.
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def template_source(name: str) -> str:
    """The source of template `name` followed by the sources of the templates it extends.

    Part of the content key, so editing pdf/base.html also renders articles again.
    """
    template = get_template(name).template
    sources = []
    while True:
        sources.append(template.source)
        extends = template.nodelist.get_nodes_by_type(ExtendsNode)
        if not extends:
            return "\n".join(sources)
        template = get_template(extends[0].parent_name.resolve(Context())).template


def cached_pdf(*, key: str, render: Callable[[], bytes]) -> bytes:
    """The stored base PDF for `key`; rendered with `render()` and stored if there is none yet."""
    stored = RenderedPdf.objects.filter(key=key).first()
    if stored is not None:
        return _read(stored)
    pdf = render()
    rendered = RenderedPdf(key=key)
    rendered.file.save(f"{key}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            rendered.save()
    except IntegrityError:
        # Another worker rendered the same key meanwhile: keep its copy, drop ours.
        winner = RenderedPdf.objects.get(key=key)
        if rendered.file.name != winner.file.name:
            rendered.file.delete(save=False)
        return _read(winner)
    return pdf


def forget_cached_pdf(*, key: str) -> None:
    """Drop the stored base PDF for `key`, so the next `cached_pdf` renders it again."""
    for stored in RenderedPdf.objects.filter(key=key):
        stored.delete()
        # After commit, so a rolled-back transaction still finds its file.
        transaction.on_commit(partial(stored.file.delete, save=False))


def _read(stored: RenderedPdf) -> bytes:
    with stored.file.open("rb") as file:
        return file.read()
