"""A reader in a real browser: catalog, article, pay on the Stripe stand-in's page, success page,
the library link from the delivery e-mail, sign in by the link from the second e-mail, library,
download. A real Celery worker renders and mails the PDF."""

import re

import pytest

from tests import factories
from tests.e2e.reader import wait_for_mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Die ersten 100 Tage im neuen Job"
READER = "leser@example.com"


def link_in(message, pattern: str) -> str:
    return re.search(pattern, message.get_body(("plain",)).get_content()).group(0)


def test_reader_buys_an_article_and_downloads_it_from_the_library(
    live_server, stripe, worker, mail_folder, page, screens
):
    factories.article(title="Souverän im Jahresgespräch")
    factories.article(title=TITLE, price_cents=590)

    page.goto(live_server.url + "/")
    assert page.locator("meta[name=viewport]").get_attribute("content").startswith("width=")
    screens(page, "catalog")

    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name=TITLE).wait_for()
    assert "5,90 €" in page.content()
    screens(page, "article")

    page.get_by_label("Ihre E-Mail-Adresse").fill(READER)
    page.get_by_label("Ich stimme ausdrücklich zu").check()
    page.get_by_role("button", name="Als PDF kaufen").click()
    page.wait_for_url(stripe.url + "/pay/**")
    screens(page, "stripe-stand-in", ours=False)

    page.get_by_role("button", name="Mit Karte bezahlen").click()
    page.wait_for_url(live_server.url + "/checkout/success/**")
    assert "Ihre Zahlung ist eingegangen" in page.content()
    screens(page, "success")

    # The worker renders and mails the PDF; its e-mail links to the library.
    [delivery] = wait_for_mail(mail_folder, 1)
    [attachment, _invoice] = list(delivery.iter_attachments())
    page.goto(link_in(delivery, r"http://\S+/library/"))
    page.wait_for_url("**/sign-in/**")
    screens(page, "sign-in")

    page.get_by_label("E-Mail-Adresse, mit der Sie gekauft haben").fill(READER)
    page.get_by_role("button", name="Anmeldelink senden").click()
    page.wait_for_load_state()
    assert READER in page.content()
    screens(page, "sign-in-sent")

    sign_in_mail = wait_for_mail(mail_folder, 2)[-1]
    page.goto(link_in(sign_in_mail, r"http://\S+/sign-in/\S+/"))
    screens(page, "sign-in-confirm")
    page.get_by_role("button", name="Jetzt anmelden").click()
    page.wait_for_url("**/library/")
    assert TITLE in page.content()
    screens(page, "library")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF herunterladen").click()
    pdf = download.value.path().read_bytes()
    assert pdf == attachment.get_content() and pdf.startswith(b"%PDF")
