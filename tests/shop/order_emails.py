"""What a reader sees of an order's or a credit note's e-mail: the table of what was paid, and
the publisher's layout around it."""

from django.conf import settings

from tests.i18n.german_words import visible_text


def texts(message) -> tuple[str, str]:
    """The plain text and what a reader sees of the HTML, white space folded."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return " ".join(message.body.split()), " ".join(visible_text(html).split())


def assert_lists_what_was_paid(message, invoice, *, lines, total, vat) -> None:
    """`lines` are (description, price), `vat` (rate, amount) pairs, as the reader sees them."""
    text, html = texts(message)
    for description, price in lines:
        assert f"{description}: {price}" in text and f"{description} {price}" in html
    assert f"Gesamt: {total}" in text and f"Gesamt {total}" in html
    for rate, amount in vat:
        assert f"darin {rate} % USt.: {amount}" in text
        assert f"darin {rate} % USt. {amount}" in html
    assert f"Rechnung {invoice.number}" in text and f"Rechnung {invoice.number}" in html


def assert_in_the_publishers_layout(message) -> None:
    text, html = texts(message)
    [(raw_html, _)] = message.alternatives
    reason = "Sie erhalten diese E-Mail, weil Sie bei Karriere & Wirtschaft Verlag bestellt"
    for words in ["Karriere & Wirtschaft Verlag", "Musterstraße 1", "Verträge hier kündigen",
                  "Vertrag widerrufen", reason]:  # fmt: skip
        assert words in text and words in html
    for path in ["/library/", "/vertraege-kuendigen/", "/vertrag-widerrufen/"]:
        assert f"{settings.SITE_URL}{path}" in message.body
        assert f'href="{settings.SITE_URL}{path}"' in raw_html
    assert "<link" not in raw_html and "<img" not in raw_html and "max-width: 600px" in raw_html
