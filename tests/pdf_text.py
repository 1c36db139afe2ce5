from io import BytesIO

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with line breaks folded, as a reader would quote it."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]
