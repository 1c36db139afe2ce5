"""Finding 3: the public forms sent e-mail to any address as often as asked, quoting the
visitor's own text (200 characters of name, 5,000 of reason with a clickable link). Now each
address and each client is held to a limit (a 429 with the shop's page in German, the same for
known and unknown addresses), and the receipts the law asks for quote the visitor's text in
their plain-text part only, shortened, with its links made unclickable."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from shop.models import CancellationNotice, Order, WithdrawalDeclaration
from tests import factories
from tests.shop.buyer import bought
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db

NOTICE = {"name": "Lea Leserin", "email": "opfer@example.com", "contract": "", "kind": "ordinary",
          "effective": "next_possible", "reason": "", "confirm": "1"}  # fmt: skip
WITHDRAWAL = {"name": "Lea Leserin", "email": "opfer@example.com", "contract": "2026-000001",
              "message": "", "confirm": "1"}  # fmt: skip
LINK = "Jetzt Konto sichern: https://phish.example.com/login und www.phish.example.net"


def refused(response) -> bool:
    page = response.content.decode()
    return response.status_code == 429 and "Zu viele Anfragen in kurzer Zeit" in page


def test_sign_in_links_are_limited_per_address_known_or_not(client, outbox):
    bought("alice@example.com")
    outbox.clear()
    with worker_runs():
        answers = {
            email: [
                client.post("/sign-in/", {"email": email}, REMOTE_ADDR=f"10.0.0.{n}")
                for n in range(5)
            ]
            for email in ["alice@example.com", "mallory@example.com"]
        }

    for email, responses in answers.items():
        assert [r.status_code for r in responses] == [200, 200, 200, 429, 429], email
        assert refused(responses[3])
    # Only the customer gets links, three of them; the refusals read alike for both addresses.
    assert [m.to for m in outbox] == [["alice@example.com"]] * 3
    assert answers["alice@example.com"][4].content == answers["mallory@example.com"][4].content


def test_sign_in_allows_ten_a_day_per_address(client, outbox):
    bought("alice@example.com")
    outbox.clear()
    sent = []
    start = timezone.now()
    with worker_runs():
        for window in range(5):
            with time_machine.travel(start + timedelta(minutes=16 * window)):
                for n in range(3):
                    response = client.post(
                        "/sign-in/",
                        {"email": "alice@example.com"},
                        REMOTE_ADDR=f"10.1.{window}.{n}",
                    )
                    sent.append(response.status_code)
    assert sent.count(200) == 10 and len(outbox) == 10


@pytest.mark.parametrize(
    ("path", "data", "model"),
    [
        ("/vertraege-kuendigen/", NOTICE, CancellationNotice),
        ("/vertrag-widerrufen/", WITHDRAWAL, WithdrawalDeclaration),
    ],
)
def test_cancel_notices_and_withdrawals_are_limited_to_three_a_day_per_address(
    client, outbox, path, data, model
):
    with worker_runs():
        statuses = [
            client.post(path, data, REMOTE_ADDR=f"10.2.0.{n}").status_code for n in range(5)
        ]
    assert statuses[:3] in ([200] * 3, [302] * 3)
    assert statuses[3:] == [429, 429]
    # The refused ones are not recorded either: the visitor was told to try again later.
    assert model.objects.count() == 3 and len(outbox) == 3


def test_one_client_may_send_twenty_forms_in_ten_minutes_then_waits(client, outbox):
    with worker_runs():
        statuses = [
            client.post("/sign-in/", {"email": f"leser{n}@example.com"}).status_code
            for n in range(21)
        ]
        newsletter = client.post("/newsletter/", {"email": "neu@example.com", "consent": "on"})
        other_client = client.post("/sign-in/", {"email": "x@example.com"}, REMOTE_ADDR="10.9.9.9")
    assert statuses == [200] * 20 + [429]
    assert refused(newsletter) and other_client.status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert client.post("/sign-in/", {"email": "spaeter@example.com"}).status_code == 200


def test_one_client_may_start_ten_checkouts_in_ten_minutes(client, stripe_server):
    article = factories.article()
    url = f"/artikel/{article.slug}/kaufen/"
    data = {"email": "kaeufer@example.com", **factories.LAPSE_CONSENT}
    statuses = [client.post(url, data).status_code for _ in range(11)]
    assert statuses == [303] * 10 + [429]
    assert Order.objects.count() == 10
    assert client.post(url, data, REMOTE_ADDR="10.3.3.3").status_code == 303


def test_behind_a_trusted_proxy_each_forwarded_client_counts_on_its_own(client, settings, outbox):
    settings.TRUSTED_PROXY_COUNT = 1

    def sign_in(n, forwarded):
        return client.post(
            "/sign-in/", {"email": f"leser{n}@example.com"},
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code  # fmt: skip

    # What the client wrote further left is not believed: the proxy's entry counts.
    assert {sign_in(n, f"1.2.3.{n}, 198.51.100.7") for n in range(20)} == {200}
    assert sign_in(20, "1.2.3.99, 198.51.100.7") == 429
    assert sign_in(21, "198.51.100.8") == 200
    # IPv6 counts by its /64: one machine's many addresses are one client.
    assert {sign_in(30 + n, f"2001:db8:1:2::{n:x}") for n in range(20)} == {200}
    assert sign_in(50, "2001:db8:1:2:ffff::1") == 429
    assert sign_in(51, "2001:db8:1:3::1") == 200


def test_the_receipts_quote_the_visitors_text_unclickable_in_plain_text_only(client, outbox):
    name = "Lea https://phish.example.com " + "x" * 150
    with worker_runs():
        client.post(
            "/vertraege-kuendigen/",
            {**NOTICE, "name": name, "kind": "extraordinary", "reason": LINK + " " + "y" * 4000},
        )
        message = (LINK + " ") * 50
        client.post("/vertrag-widerrufen/", {**WITHDRAWAL, "name": name, "message": message})

    assert len(outbox) == 2
    for message in outbox:
        assert message.alternatives == []
        assert "http" not in message.subject and "phish" not in message.subject
        assert "hxxps://phish[.]example[.]com/login" in message.body
        assert "www[.]phish[.]example[.]net" in message.body
        assert "https://phish" not in message.body and "phish.example" not in message.body
        # At most 1,000 characters of each text: 4,000 y's or 50 links do not come through.
        assert "y" * 1001 not in message.body and message.body.count("hxxps") < 20
