"""A reader buys an article over HTTP; Stripe's stand-in posts the signed webhook; a real Celery
worker renders and mails the PDF; the reader signs in and downloads it."""

import re
from datetime import timedelta

import pytest
import requests
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from shop.models import Order, StripeEvent
from shop.orders import tasks
from tests import factories
from tests.e2e.reader import csrf_post, wait_for_mail
from tests.pdf_text import pages_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_buys_an_article_and_receives_it_exactly_once(
    live_server, stripe, worker, mail_folder
):
    article = factories.article(title="Die ersten 100 Tage im neuen Job")
    reader = requests.Session()
    article_url = f"{live_server.url}/artikel/{article.slug}/"

    # Buy: the shop answers 303 to Stripe's hosted page.
    page = reader.get(article_url)
    assert page.status_code == 200 and "Als PDF kaufen" in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    checkout = reader.post(
        f"{article_url}kaufen/",
        data={"email": "leser@example.com", "csrfmiddlewaretoken": token}
        | factories.LAPSE_CONSENT,
        headers={"Referer": article_url}, allow_redirects=False,
    )  # fmt: skip
    assert checkout.status_code == 303
    assert checkout.headers["Location"].startswith(stripe.url + "/pay/")

    # Pay on "Stripe": it posts checkout.session.completed, signed, then sends the reader back.
    back = reader.post(checkout.headers["Location"], data={"method": "card"})
    assert back.status_code == 200 and "Ihre Zahlung ist eingegangen" in back.text
    order = Order.objects.get()
    assert order.is_paid
    assert StripeEvent.objects.get(type="checkout.session.completed").outcome == "paid"

    # The worker renders and mails it: one e-mail, the PDF attached, licensed on every page.
    [message] = wait_for_mail(mail_folder, 1)
    worker.wait_for_log("'sent'")
    assert message["To"] == "leser@example.com"
    [attachment, invoice] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    # The worker rendered the invoice too, and it went with the same e-mail.
    assert invoice.get_filename() == f"{order.invoices.get().number}.pdf"
    assert f"Rechnung {order.invoices.get().number}" in pages_text(invoice.get_content())[0]
    pages = pages_text(attachment.get_content())
    assert "Die ersten 100 Tage im neuen Job" in pages[0]
    licence = (
        f"Lizenziert für leser@example.com · Bestellung {order.reference}"
        " · nur zur persönlichen Nutzung"
    )
    assert all(licence in text for text in pages)
    assert "/library/" in message.get_body(("plain",)).get_content()

    # A second run of the task sends nothing new.
    tasks.fulfil_order.delay(order.pk)
    worker.wait_for_log("'already sent'")
    assert len(list(mail_folder.glob("*.eml"))) == 1

    # The reader signs in with the one-time link from a second e-mail.
    csrf_post(reader, f"{live_server.url}/sign-in/", {"email": "leser@example.com"})
    sign_in_mail = wait_for_mail(mail_folder, 2)[-1]
    link = re.search(r"http://\S+/sign-in/\S+/", sign_in_mail.get_body(("plain",)).get_content())
    csrf_post(reader, link.group(0), {})
    library = reader.get(f"{live_server.url}/library/")
    assert "Die ersten 100 Tage im neuen Job" in library.text
    download = re.search(r'href="(/library/download/[^"]+/)"', library.text).group(1)

    owned = reader.get(live_server.url + download)
    assert owned.status_code == 200 and owned.content == attachment.get_content()

    # Anyone else gets nothing: another signed-in user and an anonymous visitor.
    other = get_user_model().objects.create(username="bob@example.com", email="bob@example.com")
    bob = Client()
    bob.force_login(other)
    stranger = requests.Session()
    stranger.cookies.set("sessionid", bob.cookies["sessionid"].value)
    assert stranger.get(live_server.url + download).status_code == 404
    anonymous = requests.get(live_server.url + download, allow_redirects=False)
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous.headers["Location"]

    # After the link's lifetime it is gone; the library hands out a fresh one.
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert reader.get(live_server.url + download).status_code == 410
