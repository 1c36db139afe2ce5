"""Who reads the KI-Berater: the one selector, the article page and the library. Buyers of a custom
eBook or a series read it free for ADVISER_GRANT_PERIOD; the grant lives and dies with the
entitlement it comes from."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from shop.adviser import selectors
from shop.models import Entitlement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return factories.article()


def reads_full_text(client, article) -> bool:
    return "Zahlen statt Gefühle" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("source", ["series", "custom_ebook"])
def test_buying_a_series_or_custom_ebook_opens_the_ratgeber_until_the_rule_ends_it(
    client, article, source
):
    product = factories.series().product if source == "series" else factories.custom_ebook_product()
    order = factories.paid_order(product)
    client.force_login(order.buyer)

    access = selectors.adviser_access(user=order.buyer)
    assert access.subscription is None
    assert access.until == order.paid_at + settings.ADVISER_GRANT_PERIOD
    assert reads_full_text(client, article)
    library = client.get("/library/").content.decode()
    assert "Inklusive mit Ihrem E-Book oder Ihrer Textreihe" in library

    with time_machine.travel(access.until + timedelta(minutes=1), tick=False):
        assert selectors.adviser_access(user=order.buyer) is None


def test_the_grant_disappears_with_its_revoked_source_and_returns_with_it(client, article):
    order = factories.paid_order(factories.series().product)
    client.force_login(order.buyer)
    source = Entitlement.objects.get(order_line__order=order, product=order.lines.get().product)

    source.revoked_at = timezone.now()  # what a refund does to it
    source.save()
    assert selectors.adviser_access(user=order.buyer) is None
    assert not reads_full_text(client, article)

    source.revoked_at = None
    source.save()
    assert reads_full_text(client, article)


def test_an_article_pdf_brings_no_grant(client, article):
    order = factories.paid_order(article.product)
    client.force_login(order.buyer)
    assert selectors.adviser_access(user=order.buyer) is None
    assert not reads_full_text(client, article)


def test_anonymous_readers_see_the_teaser_and_a_pointer_to_the_ratgeber(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.teaser in page and 'href="/ki-berater/"' in page
    assert "Zahlen statt Gefühle" not in page


def test_access_is_asked_in_at_most_two_queries(django_assert_max_num_queries):
    buyer = factories.paid_order(factories.series().product).buyer
    with django_assert_max_num_queries(2):
        assert selectors.adviser_access(user=buyer)
