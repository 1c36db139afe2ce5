"""The sign-up form in every page's footer, which works without a CSRF cookie."""

import pytest
from django.test import Client

from newsletter import legal
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db


def test_every_page_has_the_sign_up_form_in_its_footer(client):
    footer = client.get("/").content.decode().split("<footer>")[1]

    assert 'action="/newsletter/"' in footer and "Newsletter abonnieren" in footer
    assert str(legal.CONSENT_TEXT) in footer


def test_the_footer_form_works_without_a_csrf_cookie(run_tasks):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/")

    assert "csrftoken" not in page.cookies
    with run_tasks():
        assert browser.post("/newsletter/", {"email": "leser@example.com"}).status_code == 200
    assert Subscriber.objects.get().email == "leser@example.com"
