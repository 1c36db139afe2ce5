"""A reader buys an article from its page: the order with its price snapshot, the Stripe session
the buyer is sent to, and the success page Stripe sends the buyer back to."""

import re
from datetime import date

import pytest

from shop.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


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
    assert re.fullmatch(
        rf"{date.today().year}-[0-9A-HJKMNP-TV-Z]{{4}}-[0-9A-HJKMNP-TV-Z]{{4}}", order.reference
    )
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
