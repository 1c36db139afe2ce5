"""A reader who owns something sees "In Ihrer Bibliothek" on its page and its catalog card
instead of the buy box, while the page kept for visitors without a session stays everyone's."""

import re

import pytest
from django.test import Client

from shop.models import Product
from tests import factories
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db


def course_on_sale(price_cents: int = 2990) -> Product:
    return Product.objects.create(
        kind=Product.Kind.COURSE, course=course_factories.course(lessons=1), name="eCourse",
        price_cents=price_cents,
    )  # fmt: skip


def signed_in(user) -> Client:
    reader = Client()
    reader.force_login(user)
    return reader


def test_an_owner_sees_in_ihrer_bibliothek_and_no_buy_form_on_the_article_page():
    article = factories.article()
    owner = factories.paid_order(article.product).buyer

    page = signed_in(owner).get(article.get_absolute_url()).content.decode()
    stranger = signed_in(factories.buyer_account(email="bob@example.com"))
    other = stranger.get(article.get_absolute_url()).content.decode()

    assert "In Ihrer Bibliothek" in page and 'href="/library/"' in page
    assert '<form method="post" action="/artikel/' not in page and "Als PDF kaufen" not in page
    assert "In Ihrer Bibliothek" not in other and "Als PDF kaufen" in other


def test_a_refunded_article_is_offered_again():
    article = factories.article()
    order = factories.paid_order(article.product)
    order.lines.get().entitlements.update(revoked_at="2026-12-01T00:00Z")

    page = signed_in(order.buyer).get(article.get_absolute_url()).content.decode()

    assert "In Ihrer Bibliothek" not in page and "Als PDF kaufen" in page


def test_a_learner_is_sent_to_the_course_instead_of_buying_it_again():
    product = course_on_sale()
    learner = factories.paid_order(product).buyer

    page = signed_in(learner).get(f"/kurse/{product.course.slug}/").content.decode()

    assert "In Ihrer Bibliothek" in page
    assert f'href="/courses/{product.course.slug}/learn/">Zum Kurs</a>' in page
    assert "Kurs kaufen" not in page


def test_the_catalog_marks_the_owners_cards_and_the_kept_page_stays_everyones():
    owned = factories.article(title="Gekauft")
    factories.article(title="Zu haben")
    course = course_on_sale()
    owner_order = factories.paid_order(owned.product)
    factories.paid_order(course, buyer_email=owner_order.email)
    owner = signed_in(owner_order.buyer)

    owners_page = owner.get("/").content.decode()
    visitors_page = Client().get("/").content.decode()
    kept_page = Client().get("/")

    cards = cards_by_title(owners_page)
    assert "In Ihrer Bibliothek" in cards["Gekauft"] and "4,90 €" not in cards["Gekauft"]
    assert f"/courses/{course.course.slug}/learn/" in cards[course.course.title]
    assert "In Ihrer Bibliothek" not in cards["Zu haben"] and "4,90 €" in cards["Zu haben"]
    for page in (visitors_page, kept_page.content.decode()):
        assert "In Ihrer Bibliothek" not in page and "Zum Kurs" not in page
        assert "csrfmiddlewaretoken" not in page and owner_order.email not in page
        assert "Gekauft" in page and "Zu haben" in page
    assert kept_page.templates == [], "the visitor got the page kept whole"


def test_an_owner_after_a_visitor_still_sees_what_they_own():
    owned = factories.article(title="Gekauft")
    owner = signed_in(factories.paid_order(owned.product).buyer)
    Client().get("/")  # the shared fragment and page are made for visitors first

    assert "In Ihrer Bibliothek" in cards_by_title(owner.get("/").content.decode())["Gekauft"]


def test_a_series_card_is_owned_with_the_series_or_with_every_part():
    parts = [factories.article(), factories.article()]
    series = factories.series(parts=parts, price_cents=790, title="Reihe komplett")
    first = factories.paid_order(parts[0].product)
    reader = signed_in(first.buyer)
    assert (
        "In Ihrer Bibliothek"
        not in cards_by_title(reader.get("/").content.decode())["Reihe komplett"]
    )

    factories.paid_order(parts[1].product)

    assert (
        "In Ihrer Bibliothek" in cards_by_title(reader.get("/").content.decode())["Reihe komplett"]
    )
    buyer = signed_in(factories.paid_order(series.product, buyer_email="bob@example.com").buyer)
    assert (
        "In Ihrer Bibliothek" in cards_by_title(buyer.get("/").content.decode())["Reihe komplett"]
    )


def test_the_owners_catalog_asks_once_for_everything_they_own(django_assert_num_queries):
    articles = [factories.article() for _ in range(4)]
    buyer = factories.paid_order(articles[0].product).buyer
    owner = signed_in(buyer)
    owner.get("/")
    # Session, account, the ownership of every card: the catalog itself comes from the cache.
    with django_assert_num_queries(3):
        one = owner.get("/").content.decode()
    for article in articles[1:]:
        factories.paid_order(article.product)
    owner.get("/")

    with django_assert_num_queries(3):
        four = owner.get("/").content.decode()

    assert one.count("In Ihrer Bibliothek") == 1 and four.count("In Ihrer Bibliothek") == 4


def cards_by_title(page: str) -> dict[str, str]:
    cards = re.findall(r'<article class="card">(.*?)</article>', page, re.DOTALL)
    return {re.search(r"<h2><a [^>]*>(.*?)</a>", card)[1]: card for card in cards}
