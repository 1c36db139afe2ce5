"""The library: signed in, a buyer sees what they bought and downloads only what is theirs."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from shop.models import Entitlement
from tests.shop.buyer import bought, sign_in

pytestmark = pytest.mark.django_db


def download_link(client):
    page = client.get("/library/").content.decode()
    return re.search(r'href="(/library/download/[^"]+/)"', page).group(1)


def test_library_needs_sign_in(client):
    response = client.get("/library/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_owner_downloads_their_licensed_pdf(client, outbox):
    order = bought()
    sign_in(client, "alice@example.com", outbox)

    response = client.get(download_link(client))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{order.reference}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_buyers_link_is_not_found(client, outbox, django_user_model):
    bought(email="alice@example.com")
    bought(email="bob@example.com")
    sign_in(client, "alice@example.com", outbox)
    alices_link = download_link(client)
    client.logout()

    sign_in(client, "bob@example.com", outbox)
    assert client.get(alices_link).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, outbox):
    bought()
    sign_in(client, "alice@example.com", outbox)
    link = download_link(client)
    client.logout()

    response = client.get(link)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_tampered_link_is_not_found(client, outbox):
    bought()
    sign_in(client, "alice@example.com", outbox)
    link = download_link(client)

    assert client.get(link.replace("/download/", "/download/x")).status_code == 404
    assert client.get(link[:-6] + "AAAAA/").status_code == 404


def test_expired_link_answers_410_and_points_to_a_fresh_one(client, outbox, settings):
    bought()
    sign_in(client, "alice@example.com", outbox)
    link = download_link(client)

    with time_machine.travel(
        timezone.now() + settings.DOWNLOAD_LINK_MAX_AGE + timedelta(minutes=1)
    ):
        response = client.get(link)
        assert response.status_code == 410
        assert 'href="/library/"' in response.content.decode()
        fresh = download_link(client)
        assert client.get(fresh).status_code == 200


def test_revoked_entitlement_closes_the_download(client, outbox):
    bought()
    sign_in(client, "alice@example.com", outbox)
    link = download_link(client)

    Entitlement.objects.update(revoked_at=timezone.now())

    assert client.get(link).status_code == 404
    assert "Noch ist nichts da" in client.get("/library/").content.decode()
