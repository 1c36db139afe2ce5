"""Finding 3, under load: a bounded flood of the public forms from four loopback addresses
(127.0.0.2–127.0.0.5) against the running shop, every form that sends e-mail aimed at one
reader's address. Each form is held to its limit (counted in the e-mails sent), nothing answers
5xx, and a real buyer on 127.0.0.1 buys and pays all the while."""

import http.client
import re
import time
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core import mail

from shop.models import Order
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

FLOODERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
VICTIM = "leserin@example.com"
ROUNDS = 12  # per address and form: 4 × 6 × 12 = 288 posts, plus a GET each for its form
DEADLINE_SECONDS = 240


class Flooder:
    """One client on its own loopback address, with its CSRF cookie."""

    def __init__(self, live_server_url: str, source: str) -> None:
        self.address = urlsplit(live_server_url)
        self.source = source
        self.cookie = ""
        self.statuses: list[int] = []
        self.posts: list[tuple[str, int]] = []

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            self.address.hostname, self.address.port, timeout=30, source_address=(self.source, 0)
        )
        headers = {"Cookie": self.cookie}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                    self.cookie = value.split(";")[0]
        finally:
            connection.close()
        self.statuses.append(response.status)
        if method == "POST":
            self.posts.append((path, response.status))
        return response.status, text

    def post_form(self, page: str, data: dict, *, to: str = "") -> int:
        """The form on `page`, with its token, posted to `to` (the page itself by default)."""
        _, text = self.request("GET", page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        return self.request("POST", to or page, {**data, "csrfmiddlewaretoken": token[1]})[0]


@pytest.fixture
def shared_cache(settings):
    """The shared Redis cache production counts in, where there is one, under a prefix of this
    test's own (the windows outlive a run)."""
    if django_settings.REDIS_URL:
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "config.redis_cache.ReusedClientRedisCache",
                "LOCATION": django_settings.REDIS_URL,
                "KEY_PREFIX": f"flood-{uuid.uuid4().hex}",
            },
        }


def test_a_flood_from_four_addresses_is_held_to_every_limit_and_a_buyer_still_buys(
    live_server, stripe, eager_tasks, shared_cache, settings
):
    factories.paid_order(factories.article(title="Schon gekauft").product, buyer_email=VICTIM)
    factories.adviser_product()
    article = factories.article(title="Verhandeln lernen")
    mail.outbox.clear()
    forms = {
        "sign_in": ("/sign-in/", {"email": VICTIM}),
        "cancel": (
            "/vertraege-kuendigen/",
            {
                "name": "Flut",
                "email": VICTIM,
                "contract": "",
                "kind": "ordinary",
                "effective": "next_possible",
                "reason": "https://flut.example.com",
                "confirm": "1",
            },
        ),  # fmt: skip
        "withdrawal": (
            "/vertrag-widerrufen/",
            {
                "name": "Flut",
                "email": VICTIM,
                "contract": "2026-000001",
                "message": "x",
                "confirm": "1",
            },
        ),  # fmt: skip
    }
    flooders = [Flooder(live_server.url, source) for source in FLOODERS]
    started = time.monotonic()

    for round_ in range(ROUNDS):
        for flooder in flooders:
            assert time.monotonic() - started < DEADLINE_SECONDS, "the flood took too long"
            for path, data in forms.values():
                flooder.post_form(path, data)
            flooder.post_form("/ki-berater/", {"email": VICTIM}, to="/ki-berater/abonnieren/")
            # The footer's newsletter form needs no token; another address each time.
            flooder.request("POST", "/newsletter/", {"email": f"n{round_}@example.com"})
            flooder.post_form(
                f"/artikel/{article.slug}/",
                {"email": f"bot{round_}@example.com", **factories.LAPSE_CONSENT},
                to=f"/artikel/{article.slug}/kaufen/",
            )

    statuses = [status for flooder in flooders for status in flooder.statuses]
    assert len(statuses) >= 4 * ROUNDS * 6
    assert not [status for status in statuses if status >= 500]
    assert statuses.count(429) > 100

    to_victim = [message for message in mail.outbox if message.to == [VICTIM]]
    subjects = [message.subject for message in to_victim]
    assert sum("Anmeldelink" in subject for subject in subjects) == 3
    assert sum("Kündigung" in subject for subject in subjects) == 3
    assert sum("Widerruf" in subject for subject in subjects) == 3
    assert sum("KI-Berater" in subject for subject in subjects) == 3
    assert len(to_victim) == 12
    # Every client was held to 20 form posts and 10 checkouts or subscriptions.
    buying = ("/kaufen/", "/abonnieren/")
    for flooder in flooders:
        assert {status for _, status in flooder.posts} <= {200, 302, 303, 429}
        accepted = [path for path, status in flooder.posts if status != 429]
        assert len([path for path in accepted if not path.endswith(buying)]) <= 20
        assert len([path for path in accepted if path.endswith(buying)]) <= 10
        # The newsletter form, limited per client only, is refused once the client's 20 are used.
        assert [s for path, s in flooder.posts if path == "/newsletter/"][-1] == 429
    others = [message for message in mail.outbox if message.to != [VICTIM]]
    assert len(others) <= 4 * 20
    assert 0 < Order.objects.filter(email__startswith="bot").count() <= 4 * 10

    # Meanwhile a real buyer on 127.0.0.1 buys and pays.
    buyer = requests.Session()
    article_url = f"{live_server.url}/artikel/{article.slug}/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', buyer.get(article_url).text)
    checkout = buyer.post(
        f"{article_url}kaufen/",
        data={"email": "kaeuferin@example.com", "csrfmiddlewaretoken": token[1]}
        | factories.LAPSE_CONSENT,
        headers={"Referer": article_url}, allow_redirects=False,
    )  # fmt: skip
    assert checkout.status_code == 303 and checkout.headers["Location"].startswith(stripe.url)
    back = buyer.post(checkout.headers["Location"], data={"method": "card"})
    assert back.status_code == 200 and "Ihre Zahlung ist eingegangen" in back.text
    assert Order.objects.get(email="kaeuferin@example.com").is_paid
    assert time.monotonic() - started < DEADLINE_SECONDS
