"""Discount codes: what a buyer may redeem, what it takes off, and what the order keeps."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.models import DiscountCode, Order, OrderLine, Product
from shop.orders import discounts, services
from tests import factories
from tests.admin_login import sign_in_to_admin

pytestmark = pytest.mark.django_db

BERLIN = timezone.get_fixed_timezone(60)


def buy(client, article, *, code: str, email: str = "alice@example.com"):
    return client.post(
        f"/artikel/{article.slug}/kaufen/",
        {"email": email, "discount_code": code, **factories.LAPSE_CONSENT},
    )


def order_with(product: Product, code: str, email: str = "alice@example.com") -> Order:
    return services.create_order(product=product, email=email, discount_code=code)


# The code guards its own rules, in clean() for the admin and in the database for everything else.


@pytest.mark.parametrize(
    "fields",
    [
        {"percent_off": 0},
        {"percent_off": 101},
        {"amount_off_cents": 0},
        {"percent_off": 10, "amount_off_cents": 100},
        {},
    ],
)
def test_a_code_is_a_percentage_from_1_to_100_or_an_amount_above_zero(fields):
    code = DiscountCode(code="FALSCH", **fields)

    with pytest.raises(ValidationError):
        code.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        code.save()


def test_a_code_ends_after_it_begins():
    start = timezone.now()
    code = DiscountCode(code="KURZ", percent_off=10, valid_from=start, valid_to=start)

    with pytest.raises(ValidationError, match="Ende muss nach dem Beginn"):
        code.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        code.save()


def test_codes_are_unique_ignoring_case():
    factories.discount_code(code="Sommer")
    twin = DiscountCode(code="SOMMER", percent_off=5)

    with pytest.raises(ValidationError, match="Diesen Code gibt es schon"):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_unknown_product_kinds_are_refused():
    with pytest.raises(ValidationError, match="Unbekannte Produktart"):
        DiscountCode(code="X", percent_off=10, product_kinds=["hardware"]).full_clean()


def test_staff_create_a_code_for_courses_and_series_in_the_admin(client, django_user_model):
    staff = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")
    sign_in_to_admin(client, staff)
    form = {
        "code": " Herbst25 ", "percent_off": "25", "valid_from_0": "2026-09-01",
        "valid_from_1": "00:00:00", "max_redemptions": "100", "max_redemptions_per_buyer": "1",
        "product_kinds": ["course", "series"],
    }  # fmt: skip

    response = client.post("/admin/shop/discountcode/add/", form)
    duplicate = client.post("/admin/shop/discountcode/add/", {**form, "code": "HERBST25"})

    assert response.status_code == 302
    code = DiscountCode.objects.get()
    assert (code.code, code.percent_off, code.product_kinds) == (
        "Herbst25",
        25,
        ["course", "series"],
    )
    assert (
        duplicate.status_code == 200 and "Diesen Code gibt es schon" in duplicate.content.decode()
    )
    assert "Herbst25" in client.get("/admin/shop/discountcode/").content.decode()


# At checkout


def test_a_code_lowers_the_price_and_the_order_keeps_list_price_discount_and_code(
    client, stripe_server
):
    article = factories.article(price_cents=490)
    factories.discount_code(code="Sommer", percent_off=10)

    response = buy(client, article, code="  sOMMER ")

    assert response.status_code == 303
    order = Order.objects.get()
    line = order.lines.get()
    assert (line.list_price_cents, line.discount_cents, line.gross_cents) == (490, 49, 441)
    # VAT on what the buyer pays: 441 × 7 / 107 = 28.85 → 29.
    assert (line.vat_rate, line.vat_cents) == (Decimal("7.00"), 29)
    assert order.total_cents == 441
    assert order.discount_code_text == "Sommer"
    assert order.discount_code == DiscountCode.objects.get()


def test_without_a_code_the_order_is_at_list_price(client, stripe_server):
    article = factories.article(price_cents=490)

    assert buy(client, article, code="").status_code == 303

    line = OrderLine.objects.get()
    assert (line.list_price_cents, line.discount_cents, line.gross_cents) == (490, 0, 490)
    assert Order.objects.get().discount_code is None
    assert not stripe_server.coupons


def test_the_buy_box_offers_an_optional_discount_code_field(client):
    page = client.get(factories.article().get_absolute_url()).content.decode()

    assert "Rabattcode (optional)" in page and 'name="discount_code"' in page


@pytest.mark.parametrize(
    ("code_fields", "message"),
    [
        ({"code": "ANDERS"}, "Diesen Rabattcode kennen wir nicht."),
        (
            {"valid_from": datetime(2026, 1, 1, tzinfo=BERLIN),
             "valid_to": datetime(2026, 2, 1, tzinfo=BERLIN)},
            "Dieser Rabattcode ist abgelaufen.",
        ),
        ({"valid_from": datetime(2099, 1, 1, tzinfo=BERLIN)}, "Dieser Rabattcode gilt noch nicht."),
        ({"product_kinds": ["course"]}, "Dieser Rabattcode gilt nicht für dieses Produkt."),
        ({"max_redemptions": 1}, "Dieser Rabattcode ist bereits vollständig eingelöst."),
        ({"max_redemptions_per_buyer": 1}, "Sie haben diesen Rabattcode bereits eingelöst."),
        ({"amount_off_cents": 450}, "unter 0,50 €"),
    ],
    ids=[
        "unknown", "expired", "not-yet-valid", "other-kind", "exhausted", "per-buyer",
        "below-minimum",
    ],
)  # fmt: skip
def test_a_refused_code_gets_a_german_message_and_no_order_or_stripe_session(
    client, stripe_server, code_fields, message
):
    article = factories.article(price_cents=490)
    other = factories.article()
    factories.discount_code(**{"code": "SOMMER", **code_fields})
    if "max_redemptions" in code_fields or "max_redemptions_per_buyer" in code_fields:
        order_with(other.product, "SOMMER")  # alice used it already, on another article
    orders_before = Order.objects.count()

    response = buy(client, article, code="SOMMER")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Order.objects.count() == orders_before
    assert stripe_server.requests == []


def test_the_per_buyer_limit_counts_the_email_ignoring_case():
    article = factories.article()
    factories.discount_code(max_redemptions_per_buyer=1)
    order_with(article.product, "SOMMER", email="alice@example.com")

    with pytest.raises(discounts.DiscountRefused):
        order_with(article.product, "SOMMER", email="  ALICE@Example.com")
    assert order_with(article.product, "SOMMER", email="bob@example.com").total_cents == 441


def test_a_code_limited_to_products_and_kinds_applies_to_those_only():
    chosen, other = factories.article(), factories.article()
    series = factories.series()
    factories.discount_code(products=[chosen.product], product_kinds=[Product.Kind.SERIES])

    assert order_with(chosen.product, "SOMMER").discount_code_text == "SOMMER"
    assert order_with(series.product, "SOMMER").lines.get().discount_cents == 99
    with pytest.raises(discounts.DiscountRefused, match="nicht für dieses Produkt"):
        order_with(other.product, "SOMMER")


def test_a_code_is_valid_from_its_first_moment_until_just_before_its_end():
    article = factories.article()
    start = datetime(2026, 6, 1, 0, 0, tzinfo=BERLIN)
    factories.discount_code(valid_from=start, valid_to=start + timedelta(days=30))

    for moment, accepted in [
        (start - timedelta(seconds=1), False),
        (start, True),
        (start + timedelta(days=30, seconds=-1), True),
        (start + timedelta(days=30), False),
    ]:
        with time_machine.travel(moment, tick=False):
            try:
                order_with(article.product, "SOMMER")
            except discounts.DiscountRefused:
                assert not accepted, moment
            else:
                assert accepted, moment


@pytest.mark.parametrize(
    ("price", "percent", "discount"),
    [(495, 10, 50), (495, 15, 74), (499, 33, 165), (1, 50, 1), (490, 100, 490)],
)
def test_a_percentage_is_rounded_half_up_to_the_cent(price, percent, discount):
    # 49.5 → 50, 74.25 → 74, 164.67 → 165, 0.5 → 1: half a cent or more goes to the buyer.
    product = factories.article(price_cents=price).product
    factories.discount_code(percent_off=percent)

    assert discounts.redeem(
        code="SOMMER", product=product, email="a@example.com"
    ).discount_cents == (discount)


def test_the_order_total_is_the_sum_of_its_discounted_lines():
    product = factories.article(price_cents=495).product
    factories.discount_code(percent_off=15)

    order = order_with(product, "SOMMER")

    assert order.total_cents == sum(line.gross_cents for line in order.lines.all()) == 421


def test_a_fixed_amount_larger_than_the_price_makes_the_order_free_not_negative():
    product = factories.article(price_cents=490).product
    factories.discount_code(amount_off_cents=1000)

    order = order_with(product, "SOMMER")

    line = order.lines.get()
    assert (line.list_price_cents, line.discount_cents, line.gross_cents, line.vat_cents) == (
        490, 490, 0, 0,
    )  # fmt: skip
    assert order.total_cents == 0


def test_a_line_cannot_be_stored_with_a_discount_that_does_not_add_up():
    order = order_with(factories.article(price_cents=490).product, "")

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(order=order).update(discount_cents=100)


# When a redemption is given back


def test_an_expired_or_failed_checkout_gives_its_redemption_back(stripe_server):
    article = factories.article()
    factories.discount_code(max_redemptions=1)
    first = factories.pending_order(of=article)
    Order.objects.filter(pk=first.pk).update(
        discount_code=DiscountCode.objects.get(), discount_code_text="SOMMER"
    )
    with pytest.raises(discounts.DiscountRefused, match="vollständig eingelöst"):
        order_with(article.product, "SOMMER", email="bob@example.com")

    services.abandon_checkout(session=factories.completed_session(first, status="expired"))

    assert order_with(article.product, "SOMMER", email="bob@example.com").total_cents == 441


def test_a_paid_order_keeps_its_redemption():
    article = factories.article()
    factories.discount_code(max_redemptions=1)
    order = order_with(article.product, "SOMMER")
    order.stripe_session_id = f"cs_test_{order.reference}"
    order.save(update_fields=["stripe_session_id"])
    services.complete_checkout(session=factories.completed_session(order))
    # A late expiry event for the paid session changes nothing.
    services.abandon_checkout(session=factories.completed_session(order, status="expired"))

    order.refresh_from_db()
    assert order.is_paid
    with pytest.raises(discounts.DiscountRefused, match="vollständig eingelöst"):
        order_with(article.product, "SOMMER", email="bob@example.com")


def test_a_checkout_stripe_could_not_start_gives_its_redemption_back(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    article = factories.article()
    factories.discount_code(max_redemptions=1)

    response = buy(client, article, code="SOMMER")

    assert response.status_code == 503
    assert Order.objects.get().status == Order.Status.ABANDONED
    assert discounts.redemptions(DiscountCode.objects.get()).count() == 0
