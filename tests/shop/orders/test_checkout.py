"""A reader opens the catalog, an article, and buys it: the order and the Stripe session."""

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


def test_buying_creates_an_order_with_a_price_snapshot_and_sends_the_buyer_to_stripe(
    client, stripe_server
):
    article = factories.article(price_cents=490)

    response = client.post(
        f"/artikel/{article.slug}/kaufen/",
        # A tampered form cannot choose the price: only the database does.
        {"email": "Alice@Example.com", "price_cents": "1", "amount": "1"} | factories.LAPSE_CONSENT,
    )

    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"].startswith(stripe_server.url + "/pay/cs_test_")
    assert order.status == Order.Status.PENDING and order.email == "alice@example.com"
    assert order.reference.startswith(f"{date.today().year}-") and len(order.reference) == 11
    line = order.lines.get()
    assert (line.gross_cents, str(line.vat_rate), line.vat_cents) == (490, "7.00", 32)
    assert order.total_cents == 490
    sent = stripe_server.requests[-1].params
    assert sent["mode"] == "payment" and sent["currency"] == "eur"
    assert sent["client_reference_id"] == order.reference
    assert sent["metadata"] == {"order_reference": order.reference}
    assert sent["line_items"][0]["price_data"]["unit_amount"] == "490"
    assert "{CHECKOUT_SESSION_ID}" in sent["success_url"]
    assert order.stripe_session_id == response["Location"].rsplit("/", 1)[1]


def test_later_price_change_does_not_touch_an_existing_order(client, stripe_server):
    article = factories.article(price_cents=490)
    client.post(
        f"/artikel/{article.slug}/kaufen/", {"email": "a@example.com", **factories.LAPSE_CONSENT}
    )

    article.product.price_cents = 990
    article.product.save()

    assert Order.objects.get().lines.get().gross_cents == 490


def test_order_references_count_up(client, stripe_server):
    article = factories.article()
    for _ in range(3):
        client.post(
            f"/artikel/{article.slug}/kaufen/",
            {"email": "a@example.com", **factories.LAPSE_CONSENT},
        )

    numbers = sorted(int(o.reference.split("-")[1]) for o in Order.objects.all())
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_invalid_email_gets_a_message_and_no_order(client, stripe_server):
    article = factories.article()

    response = client.post(f"/artikel/{article.slug}/kaufen/", {"email": "kein-at-zeichen"})

    assert response.status_code == 400
    assert "gültige E-Mail-Adresse" in response.content.decode()
    assert not Order.objects.exists()


def test_stripe_unreachable_gets_a_clear_message_and_charges_nothing(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    article = factories.article()

    response = client.post(
        f"/artikel/{article.slug}/kaufen/", {"email": "a@example.com", **factories.LAPSE_CONSENT}
    )

    assert response.status_code == 503
    assert "nicht erreichbar" in response.content.decode()
    # No session was made, so no webhook would ever end the order: it is cancelled at once.
    assert Order.objects.get().status == Order.Status.ABANDONED


def test_success_page_settles_the_order_before_the_webhook_arrives(client, stripe_server):
    article = factories.article()
    location = client.post(
        f"/artikel/{article.slug}/kaufen/", {"email": "a@example.com", **factories.LAPSE_CONSENT}
    )["Location"]
    session_id = location.rsplit("/", 1)[1]
    stripe_server.complete(session_id)  # the buyer paid on Stripe's page; no webhook sent yet

    page = client.get("/checkout/success/", {"session_id": session_id})

    assert page.status_code == 200
    assert "Ihre Zahlung ist eingegangen" in page.content.decode()
    assert Order.objects.get().is_paid


def test_success_page_for_an_unknown_session_is_not_found(client, stripe_server):
    assert client.get("/checkout/success/", {"session_id": "cs_test_nope"}).status_code == 404
    assert client.get("/checkout/success/").status_code == 404


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
