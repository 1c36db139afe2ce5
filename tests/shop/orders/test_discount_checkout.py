"""A discounted purchase end to end: the shop's order, Stripe's page and session, the signed
webhook that pays it."""

import re
import time

import pytest
import requests

from shop.models import Order, StripeEvent
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def checkout(live_server, article, *, code: str, email: str = "leser@example.com"):
    """The reader's browser: the product page, then the buy form with the code."""
    reader = requests.Session()
    url = f"{live_server.url}/artikel/{article.slug}/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reader.get(url).text).group(1)
    answer = reader.post(
        f"{url}kaufen/",
        data={"email": email, "discount_code": code, "csrfmiddlewaretoken": token}
        | factories.LAPSE_CONSENT,
        headers={"Referer": url}, allow_redirects=False,
    )  # fmt: skip
    return reader, answer


def test_a_discounted_purchase_shows_the_code_on_stripe_and_the_webhook_pays_the_order(
    live_server, stripe
):
    article = factories.article(title="Souverän im Jahresgespräch", price_cents=590)
    factories.discount_code(code="Leserin15", percent_off=15)

    reader, answer = checkout(live_server, article, code="leserin15")

    assert answer.status_code == 303
    order = Order.objects.get()
    assert order.total_cents == 501  # 590 less 88.5 → 89 off
    # Stripe's page lists the article at its list price and names the code and its discount.
    [coupon] = stripe.coupons.values()
    assert (coupon["amount_off"], coupon["currency"], coupon["duration"], coupon["name"]) == (
        89, "eur", "once", "Leserin15",
    )  # fmt: skip
    assert coupon["max_redemptions"] == 1
    sent = next(r.params for r in stripe.requests if r.path == "/v1/checkout/sessions")
    assert sent["line_items"][0]["price_data"]["unit_amount"] == "590"
    assert sent["discounts"] == [{"coupon": coupon["id"]}]
    # An abandoned discounted checkout gives its redemption back after half an hour, not a day.
    assert 29 * 60 < int(sent["expires_at"]) - time.time() <= 31 * 60
    page = reader.get(answer.headers["Location"]).text
    assert "Rabatt (Leserin15): −0,89 €" in page and "5,01 €" in page

    # Paying sends the signed checkout.session.completed; its amount_total is the order's total.
    back = reader.post(answer.headers["Location"], data={"method": "card"})

    assert back.status_code == 200 and "Ihre Zahlung ist eingegangen" in back.text
    event = StripeEvent.objects.get(type="checkout.session.completed")
    session = event.payload["data"]["object"]
    assert (session["amount_subtotal"], session["amount_total"]) == (590, 501)
    assert session["total_details"]["amount_discount"] == 89
    assert session["discounts"] == [{"coupon": coupon["id"], "promotion_code": None}]
    assert event.outcome == "paid"
    order.refresh_from_db()
    assert order.is_paid and not order.needs_review
    assert order.buyer.entitlements.get().product == article.product


def test_a_free_order_is_confirmed_on_stripe_without_payment_and_paid_by_the_webhook(
    live_server, stripe
):
    article = factories.article(price_cents=490)
    factories.discount_code(code="GESCHENK", percent_off=100)

    reader, answer = checkout(live_server, article, code="geschenk")
    page = reader.get(answer.headers["Location"]).text
    back = reader.post(answer.headers["Location"], data={"method": "card"})

    assert "Kostenlos bestellen" in page and "Mit Karte bezahlen" not in page
    assert back.status_code == 200 and "Ihre Zahlung ist eingegangen" in back.text
    session = StripeEvent.objects.get().payload["data"]["object"]
    assert (session["amount_total"], session["payment_status"]) == (0, "no_payment_required")
    assert session["payment_intent"] is None
    order = Order.objects.get()
    assert order.is_paid and order.total_cents == 0 and order.stripe_payment_intent == ""
    line = order.lines.get()
    assert (line.list_price_cents, line.discount_cents, line.gross_cents, line.vat_cents) == (
        490, 490, 0, 0,
    )  # fmt: skip


def test_an_expired_discounted_checkout_frees_the_code_for_the_next_buyer(live_server, stripe):
    article = factories.article()
    factories.discount_code(max_redemptions=1)
    _, first = checkout(live_server, article, code="SOMMER", email="a@example.com")
    _, refused = checkout(live_server, article, code="SOMMER", email="b@example.com")
    assert "bereits vollständig eingelöst" in refused.text

    # Stripe expires the abandoned session and tells the shop with a signed webhook.
    assert stripe.send_event(stripe.expire(first.headers["Location"].rsplit("/", 1)[1])) == 200

    _, second = checkout(live_server, article, code="SOMMER", email="b@example.com")
    assert second.status_code == 303
    assert sorted(Order.objects.values_list("email", "status")) == [
        ("a@example.com", "cancelled"), ("b@example.com", "pending"),
    ]  # fmt: skip
