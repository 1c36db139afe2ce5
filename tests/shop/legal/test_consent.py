"""Checkout asks for the § 356 Abs. 5 BGB consent where content is delivered at once, and the
order keeps the exact text, its version and the time; the custom eBook keeps its right instead."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shop.legal import texts as legal
from shop.models import Order, Product, WithdrawalConsent
from shop.orders import fulfilment, services
from tests import factories
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def custom_ebook():
    return Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )


def test_the_article_page_shows_one_consent_box_with_the_legal_text(client):
    article = factories.article()

    page = client.get(article.get_absolute_url()).content.decode()

    assert page.count('type="checkbox"') == 1
    assert 'name="lapse_consent" required' in page
    assert str(legal.LAPSE_CONSENT_TEXT) in page
    assert f'value="{legal.LAPSE_CONSENT_VERSION}"' in page


def test_without_consent_there_is_no_order_no_stripe_session_and_a_message(client, stripe_server):
    article = factories.article()

    response = client.post(f"/artikel/{article.slug}/kaufen/", {"email": "a@example.com"})

    assert response.status_code == 400
    assert "Bitte stimmen Sie zu" in response.content.decode()
    assert not Order.objects.exists()
    assert stripe_server.requests == []


def test_consent_to_an_older_text_is_asked_again_with_todays(client, stripe_server):
    article = factories.article()

    response = client.post(
        f"/artikel/{article.slug}/kaufen/",
        {"email": "a@example.com", "lapse_consent": "on", "lapse_consent_version": "2020-01"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Der Text der Zustimmung hat sich geändert" in page
    assert f'value="{legal.LAPSE_CONSENT_VERSION}"' in page and "checked" not in page
    assert not Order.objects.exists() and stripe_server.requests == []


@pytest.mark.parametrize("kind", ["series", "course"])
def test_series_and_courses_ask_for_the_consent_too(client, stripe_server, kind):
    if kind == "series":
        url = f"/reihen/{factories.series().slug}/kaufen/"
    else:
        course = course_factories.course(lessons=2)
        Product.objects.create(kind="course", course=course, name="Kurs", price_cents=2990)
        url = f"/kurse/{course.slug}/kaufen/"

    refused = client.post(url, {"email": "a@example.com"})
    bought = client.post(url, {"email": "a@example.com", **factories.LAPSE_CONSENT})

    assert refused.status_code == 400 and bought.status_code == 303
    assert Order.objects.get().withdrawal_consent.version == legal.LAPSE_CONSENT_VERSION


@time_machine.travel(datetime(2026, 11, 23, 14, 5, tzinfo=BERLIN), tick=False)
def test_the_order_stores_the_exact_text_its_version_and_the_time(client, stripe_server):
    article = factories.article()

    response = client.post(
        f"/artikel/{article.slug}/kaufen/", {"email": "a@example.com", **factories.LAPSE_CONSENT}
    )

    assert response.status_code == 303
    consent = Order.objects.get().withdrawal_consent
    assert consent.text == (
        "Ich stimme ausdrücklich zu, dass Sie vor Ablauf der Widerrufsfrist mit der Ausführung "
        "des Vertrags beginnen. Mir ist bekannt, dass ich durch diese Zustimmung mit Beginn der "
        "Ausführung des Vertrags mein Widerrufsrecht verliere."
    )
    assert consent.version == "2026-11"
    assert consent.given_at == datetime(2026, 11, 23, 14, 5, tzinfo=BERLIN)


def test_the_service_refuses_a_checkout_without_consent(stripe_server):
    with pytest.raises(services.LapseConsentMissing):
        services.start_checkout(product=factories.article().product, email="a@example.com")
    with pytest.raises(services.LapseConsentMissing):
        services.start_checkout(
            product=factories.article().product, email="a@example.com",
            lapse_consent_version="1999-01",
        )  # fmt: skip

    assert not Order.objects.exists() and stripe_server.requests == []


def test_the_order_email_confirms_the_consent_on_a_durable_medium(outbox):
    order = factories.paid_order(factories.article().product)
    WithdrawalConsent.objects.create(
        order=order, text=str(legal.LAPSE_CONSENT_TEXT), version=legal.LAPSE_CONSENT_VERSION
    )

    fulfilment.render_deliveries(order_id=order.pk)
    fulfilment.send_delivery_email(order_id=order.pk)

    [message] = outbox
    assert "§ 312f" in message.body and str(legal.LAPSE_CONSENT_TEXT) in message.body
    assert f"Fassung {legal.LAPSE_CONSENT_VERSION}" in message.body


def test_the_custom_ebook_asks_no_lapse_consent_and_shows_the_withdrawal_notice(
    client, stripe_server, custom_ebook
):
    page = client.get("/individuelles-e-book/").content.decode()

    assert 'type="checkbox"' not in page and str(legal.LAPSE_CONSENT_TEXT) not in page
    assert "binnen vierzehn Tagen ohne Angabe von Gründen" in page

    response = client.post("/individuelles-e-book/kaufen/", {"email": "a@example.com"})

    assert response.status_code == 303
    assert not WithdrawalConsent.objects.exists()


def test_a_kind_nobody_stated_keeps_its_right_of_withdrawal():
    assert legal.asks_lapse_consent("article") and legal.asks_lapse_consent("course")
    assert not legal.asks_lapse_consent("custom_ebook")
    assert not legal.asks_lapse_consent("subscription")
