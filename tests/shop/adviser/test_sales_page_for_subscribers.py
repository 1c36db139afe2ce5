"""A subscriber who opens the KI-Berater page is told they have it, not offered it again."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_subscriber_sees_in_ihrer_bibliothek_instead_of_the_subscribe_form(client, paid_month):
    client.force_login(paid_month.buyer)

    page = client.get("/ki-berater/").content.decode()

    assert "In Ihrer Bibliothek" in page and 'href="/library/"' in page
    assert "KI-Berater abonnieren" not in page


def test_a_visitor_is_offered_the_subscription(client, adviser):
    page = client.get("/ki-berater/").content.decode()

    assert "KI-Berater abonnieren" in page and "In Ihrer Bibliothek" not in page
