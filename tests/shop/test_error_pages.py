"""What a visitor sees when something goes wrong: the shop's own page, German or in the language
they chose, with the way back into the shop, and never a traceback. The test settings run with
DEBUG=False, as production does."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from tests.i18n.german_words import german_words_in, visible_text


def fails_with_a_secret(request):
    raise RuntimeError("kaputt: sk_live_geheim")


def refuses(request):
    raise PermissionDenied("nur für die Redaktion")


# This module is the URLconf of the tests marked with it: the site, and two views that fail.
urlpatterns = [
    path("test/kaputt/", fails_with_a_secret),
    path("test/verboten/", refuses),
    *site_urlpatterns,
]

WAYS_ON = ['href="/"', 'href="/library/"', 'href="/sign-in/"']


def page(response) -> str:
    return response.content.decode()


def error_page(response, status: int) -> str:
    """The page's text, after checking its status, that it shows the way back into the shop and
    no traceback."""
    assert response.status_code == status
    text = page(response)
    assert all(link in text for link in WAYS_ON)
    assert "Traceback" not in text and 'File "' not in text
    return text


@pytest.mark.django_db
def test_a_missing_address_shows_the_shops_german_page(client):
    text = error_page(client.get("/gibt-es-nicht/"), 404)

    assert '<html lang="de">' in text and "Diese Seite gibt es nicht" in text
    assert "Not Found" not in text


@pytest.mark.django_db
def test_the_missing_page_is_english_when_the_language_cookie_says_so(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = error_page(client.get("/gibt-es-nicht/"), 404)

    assert '<html lang="en">' in text and "This page does not exist" in text
    assert german_words_in(visible_text(text)) == []


@pytest.mark.django_db
def test_a_views_own_note_on_a_404_is_not_shown(client):
    """Views raise Http404 with short German notes for developers; an English reader would get
    German, and a reader of either language words that explain nothing."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = error_page(client.get("/kurse/gibt-es-nicht/"), 404)

    assert "This page does not exist" in text and "Nicht im Angebot" not in text


@pytest.mark.django_db
def test_a_signed_in_buyer_is_not_offered_to_sign_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("leser", "leser@example.com"))

    text = page(client.get("/gibt-es-nicht/"))

    assert 'href="/library/"' in text and 'href="/sign-in/"' not in text


@pytest.mark.urls(__name__)
def test_a_failing_view_shows_the_500_page_without_its_internals():
    """Not marked for the database: the page is shown without touching it (a query would fail the
    test), as it must be when the database is what failed."""
    browser = Client(raise_request_exception=False)

    text = error_page(browser.get("/test/kaputt/"), 500)

    assert "Da ist bei uns etwas schiefgegangen" in text
    assert "Something went wrong on our side." in text
    assert "sk_live_geheim" not in text and "RuntimeError" not in text


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_refusal_shows_the_403_page_without_its_reason(client):
    text = error_page(client.get("/test/verboten/"), 403)

    assert "Diese Seite ist für Sie nicht freigegeben" in text
    assert "nur für die Redaktion" not in text


@pytest.mark.django_db
def test_a_request_for_a_foreign_host_shows_the_400_page(client):
    text = error_page(client.get("/", headers={"Host": "shop.example.org"}), 400)

    assert "Diese Anfrage konnten wir nicht bearbeiten" in text
    assert "shop.example.org" not in text


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_explains_what_to_do():
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = error_page(browser.post("/sign-in/", {"email": "leser@example.com"}), 403)

    assert "reload the page" in text
    assert "CSRF verification failed" not in text
    assert german_words_in(visible_text(text)) == []
