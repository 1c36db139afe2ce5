"""An English reader buys over HTTP; Stripe's stand-in posts the signed webhook; a real Celery
worker, which has no request and no language of its own, mails the PDF in English."""

import re

import pytest
import requests

from shop.models import Order
from tests import factories
from tests.e2e.reader import wait_for_mail
from tests.i18n.german_words import german_words_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_english_reader_gets_the_worker_s_email_in_english(
    live_server, stripe, worker, mail_folder
):
    article = factories.article(title="Salary talks")
    article_url = f"{live_server.url}/artikel/{article.slug}/"
    reader = requests.Session()

    def submit(action: str, data: dict) -> requests.Response:
        """A form on the article page, as the browser submits it."""
        page = reader.get(article_url).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return reader.post(
            live_server.url + action, data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": article_url}, allow_redirects=False,
        )  # fmt: skip

    chosen = submit("/i18n/setlang/", {"language": "en", "next": f"/artikel/{article.slug}/"})
    assert chosen.status_code == 302
    assert "Buy as PDF" in reader.get(article_url).text
    checkout = submit(
        f"/artikel/{article.slug}/kaufen/",
        {"email": "reader@example.com", **factories.LAPSE_CONSENT},
    )
    back = reader.post(checkout.headers["Location"], data={"method": "card"})

    assert back.status_code == 200 and "We have received your payment." in back.text
    order = Order.objects.get()
    assert order.language == "en" and order.is_paid
    [message] = wait_for_mail(mail_folder, 1)
    assert message["Subject"] == f"Your order {order.reference}: Your PDF is here"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Hello,") and german_words_in(body) == []
