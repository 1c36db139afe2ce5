"""The reader who subscribes in the KI-Berater tests: their address, how they subscribe, and
whether they read an article in full."""

import re
from urllib.parse import urlsplit

from django.core import mail

from shop.models import Subscription
from tests.worker import worker_runs

EMAIL = "leserin@example.com"


def reads_full_text(client, article) -> bool:
    """Whether the reader of the newest subscription, signed in now (a session lasts two weeks,
    shorter than the months these tests travel), sees the article's whole text."""
    subscription = Subscription.objects.order_by("-pk").first()
    if subscription and subscription.buyer:
        client.force_login(subscription.buyer)
    page = client.get(article.get_absolute_url()).content.decode()
    return "Zahlen statt Gefühle" in page


def subscribe_by_link(client, email: str = EMAIL):
    """The form, then the link the worker e-mails, then its button: the answer that sends the
    reader to Stripe. The link's e-mail is taken from the outbox, read: the tests count the
    e-mails that follow."""
    with worker_runs():
        assert client.post("/ki-berater/abonnieren/", {"email": email}).status_code == 200
    link = re.search(r"http://\S+/ki-berater/abonnieren/\S+/", mail.outbox.pop().body).group(0)
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    return client.post(path)
