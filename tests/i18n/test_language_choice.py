"""German unless the visitor chose English: the footer's switch, kept in the language cookie."""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_first_visit_is_german(client):
    factories.article(price_cents=490)

    response = client.get("/")

    page = response.content.decode()
    assert '<html lang="de">' in page
    assert "Artikel als PDF" in page and "4,90 €" in page and "inkl. MwSt." in page
    assert response["Content-Language"] == "de"


def test_an_english_browser_still_gets_german_until_the_visitor_chooses(client):
    """Accept-Language is not asked: the articles are German, and so is the shop unless chosen."""
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert '<html lang="de">' in response.content.decode()
    assert "Meine Bibliothek" in response.content.decode()


def test_the_footer_switch_posts_to_set_language_and_comes_back(client):
    article = factories.article()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert f'name="next" value="{article.get_absolute_url()}"' in page
    assert 'value="en" lang="en">English</button>' in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": article.get_absolute_url()})

    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<html lang="en">' in page and "Buy as PDF" in page


def test_the_choice_lasts_and_german_can_be_chosen_back(in_english):
    client = in_english
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 60 * 60 * 24 * 365
    assert "My library" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "de", "next": "/"})

    assert "Meine Bibliothek" in client.get("/").content.decode()


@pytest.mark.parametrize("cookie", ["xx", "", "en'><script>", "de-AT"])
def test_a_cookie_with_an_unknown_language_gets_german(client, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie

    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_an_unknown_language_posted_to_the_switch_changes_nothing(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="de">' in client.get("/").content.decode()


def test_pages_say_they_vary_by_cookie_for_shared_caches(client):
    assert "Cookie" in client.get("/")["Vary"]


def test_the_cached_catalog_is_kept_per_language(in_english, django_capture_on_commit_callbacks):
    """The catalog is one cached fragment per language: an English visitor who fills the cache
    first does not turn it English for the next German one, and saving forgets both."""
    article = factories.article(title="Salary talks", price_cents=490)
    english = in_english.get("/").content.decode()
    german = Client().get("/").content.decode()

    assert "Articles as PDF" in english and "€4.90" in english
    assert "Artikel als PDF" in german and "4,90 €" in german

    with django_capture_on_commit_callbacks(execute=True):
        article.product.price_cents = 590
        article.product.save()
    assert "€5.90" in in_english.get("/").content.decode()
    assert "5,90 €" in Client().get("/").content.decode()


def test_the_switch_needs_no_csrf_cookie_so_pages_set_none():
    browser = Client(enforce_csrf_checks=True)
    assert "csrftoken" not in browser.get("/").cookies

    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert '<html lang="en">' in browser.get("/").content.decode()
