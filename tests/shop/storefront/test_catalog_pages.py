"""A reader opens the catalog and an article: what the pages show, that drafts stay hidden, and
the cached catalog, which shows a change as soon as it is saved."""

from datetime import date

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory

from shop.models import Article, Order
from tests import factories

pytestmark = pytest.mark.django_db


def test_catalog_lists_published_articles_with_gross_price(client):
    factories.article(title="Souverän im Jahresgespräch", price_cents=490)
    factories.article(title="Noch geheim", status=Article.Status.DRAFT)

    page = client.get("/").content.decode()

    assert "Souverän im Jahresgespräch" in page
    assert "4,90 €" in page and "inkl. MwSt." in page
    assert "Noch geheim" not in page


def test_article_page_shows_author_date_teaser_price_with_vat_and_buy_button(client):
    article = factories.article(price_cents=590)

    page = client.get(article.get_absolute_url()).content.decode()

    for text in [
        article.title,
        "Jana Beispiel",
        "1. März 2026",
        "zwanzig Minuten",
        "5,90 €",
        "inkl. 7 % MwSt. (0,39 €)",
        "Als PDF kaufen",
    ]:
        assert text in page


@pytest.mark.parametrize(
    "change", [{"status": Article.Status.DRAFT}, {"published_on": date(2099, 1, 1)}]
)
def test_unpublished_article_is_not_found(client, change):
    article = factories.article()
    Article.objects.filter(pk=article.pk).update(**change)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert (
        client.post(
            f"/artikel/{article.slug}/kaufen/",
            {"email": "a@example.com", **factories.LAPSE_CONSENT},
        ).status_code
        == 404
    )
    assert not Order.objects.exists()


def test_catalog_shows_a_change_as_soon_as_it_is_saved(client, django_capture_on_commit_callbacks):
    article = factories.article(title="Erste Fassung", price_cents=490)
    assert "Erste Fassung" in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Zweite Fassung"
        article.save()
        article.product.price_cents = 590
        article.product.save()

    page = client.get("/").content.decode()
    assert "Zweite Fassung" in page and "5,90 €" in page and "Erste Fassung" not in page


def test_cached_catalog_answers_without_the_database(client, django_assert_num_queries):
    factories.article()
    client.get("/")

    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_the_whole_catalog_page_is_kept_for_visitors_without_a_session(client):
    factories.article(title="Gehalt verhandeln")
    first = client.get("/")

    again = client.get("/")

    assert again.templates == [], "the kept page is served without rendering"
    assert again.content == first.content and "Gehalt verhandeln" in again.content.decode()


def test_a_pending_message_reaches_its_visitor_and_nobody_else(client):
    factories.article()
    client.get("/")
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.INFO, "Nur für diese Leserin")
    carrier = HttpResponse()
    storage.update(carrier)
    reader = Client()
    reader.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value

    assert "Nur für diese Leserin" in reader.get("/").content.decode()
    assert "Nur für diese Leserin" not in Client().get("/").content.decode()


def test_a_query_string_stays_on_its_own_catalog_page():
    factories.article()
    tagged = Client().get("/", {"ref": "newsletter-42"}).content.decode()

    plain = Client().get("/").content.decode()

    assert 'value="/?ref=newsletter-42"' in tagged
    assert "newsletter-42" not in plain


def test_catalog_rebuild_reads_each_list_once(client, django_assert_num_queries):
    factories.series(parts=[factories.article(), factories.article()])
    factories.custom_ebook_product()

    # Articles, series, the custom eBook offer and courses: one query each, however many there are.
    with django_assert_num_queries(4):
        page = client.get("/").content.decode()

    assert "Textreihen" in page and "Ihr individuelles E-Book" in page
