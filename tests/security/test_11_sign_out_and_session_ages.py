"""Finding 11: customers could not sign out, and every session lasted two weeks. Now every page
shows a signed-in reader a sign-out button (a POST with the CSRF token) that leads back to the
catalog with a message; a customer stays signed in for 7 days from their last visit, staff for
8 hours from signing in, however busy."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.admin_login import sign_in_to_admin
from tests.shop.buyer import bought, sign_in

pytestmark = pytest.mark.django_db

SIGN_OUT_FORM = 'action="/sign-out/" method="post"'


def signed_in_customer(client, outbox):
    bought("alice@example.com")
    response, _path = sign_in(client, "alice@example.com", outbox)
    client.signed_in_response = response
    return client


def is_signed_in(client) -> bool:
    return client.get("/library/").status_code == 200


def test_signed_in_reader_sees_a_sign_out_button_on_every_page(client, outbox):
    visitor = Client()
    assert SIGN_OUT_FORM not in visitor.get("/").content.decode()
    signed_in_customer(client, outbox)

    for path in ("/", "/library/", "/vertrag-widerrufen/", "/ki-berater/", "/nowhere/"):
        page = client.get(path).content.decode()
        assert SIGN_OUT_FORM in page and "Abmelden" in page, path
    assert SIGN_OUT_FORM not in visitor.get("/").content.decode()  # the visitors' cached page


def test_signing_out_leads_to_the_catalog_with_a_message(client, outbox):
    signed_in_customer(client, outbox)

    response = client.post("/sign-out/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    page = response.content.decode()
    assert "Sie haben sich abgemeldet." in page and SIGN_OUT_FORM not in page
    assert not is_signed_in(client)


def test_signing_out_needs_a_post_with_the_csrf_token(client, outbox):
    reader = Client(enforce_csrf_checks=True)
    reader.cookies = signed_in_customer(client, outbox).cookies
    reader.get("/")  # the page's form sets the CSRF cookie

    assert reader.get("/sign-out/").status_code == 405
    assert reader.post("/sign-out/").status_code == 403  # another site's form has no token
    assert is_signed_in(reader)

    token = reader.cookies["csrftoken"].value
    assert reader.post("/sign-out/", HTTP_X_CSRFTOKEN=token).status_code == 302
    assert not is_signed_in(reader)


def test_a_customer_stays_signed_in_for_7_days_from_the_last_visit(client, outbox):
    signed_in_customer(client, outbox)
    cookie = client.signed_in_response.cookies["sessionid"]
    assert 7 * 24 * 3600 - 5 <= int(cookie["max-age"]) <= 7 * 24 * 3600
    start = timezone.now()

    for day in (6, 12, 18):  # each visit within a week of the one before
        with time_machine.travel(start + timedelta(days=day)):
            assert is_signed_in(client), day
    with time_machine.travel(start + timedelta(days=18 + 7, minutes=1)):
        assert not is_signed_in(client)


def test_a_customer_away_for_more_than_7_days_is_signed_out(client, outbox):
    signed_in_customer(client, outbox)

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert not is_signed_in(client)


def admin_session(client):
    staff = get_user_model().objects.create_user(
        "editor", "editor@example.com", "pw", is_staff=True, is_superuser=True
    )
    return sign_in_to_admin(client, staff)


def test_staff_stay_signed_in_for_8_hours_however_busy(client):
    admin_session(client)
    start = timezone.now()
    assert 8 * 3600 - 5 <= client.session.get_expiry_age() <= 8 * 3600

    for hour in range(1, 8):  # busy all day
        with time_machine.travel(start + timedelta(hours=hour, minutes=59)):
            assert client.get("/admin/shop/order/").status_code == 200, hour
    with time_machine.travel(start + timedelta(hours=8, minutes=1)):
        assert client.get("/admin/shop/order/").status_code == 302  # to the admin's sign-in
        assert not is_signed_in(client)


def test_a_customer_made_staff_is_signed_out_of_the_customer_session(client, outbox):
    signed_in_customer(client, outbox)
    get_user_model().objects.filter(email="alice@example.com").update(is_staff=True)

    assert client.get("/admin/").status_code == 302
    assert not is_signed_in(client)
