"""Signing in by the one-time link the shop e-mails: it leads to the buyer's library, it works
once, and the form tells nobody who is a customer."""

import pytest

from tests.shop.buyer import bought, sign_in
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db


def test_buyer_signs_in_with_the_emailed_link_and_sees_the_purchase(client, outbox):
    order = bought()

    response, _ = sign_in(client, "ALICE@example.com", outbox)

    assert response.status_code == 302 and response["Location"] == "/library/"
    page = client.get("/library/").content.decode()
    assert order.lines.get().product.article.title in page
    assert order.reference in page


def test_sign_in_link_works_once(client, outbox):
    bought()
    _, path = sign_in(client, "alice@example.com", outbox)
    client.logout()

    assert client.post(path).status_code == 400
    assert client.get("/library/").status_code == 302


def test_sign_in_form_does_not_tell_who_is_a_customer(client, outbox):
    bought()

    with worker_runs():
        known = client.post("/sign-in/", {"email": "alice@example.com"}).content.decode()
        unknown = client.post("/sign-in/", {"email": "mallory@example.com"}).content.decode()

    assert known.replace("alice", "X") == unknown.replace("mallory", "X")
    assert [m.to for m in outbox] == [["alice@example.com"]]
