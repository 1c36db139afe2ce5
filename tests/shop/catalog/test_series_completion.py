"""A reader who owns parts of a series completes it for the series price less what they paid for
those parts (never below 0,50 €), or is offered the missing parts when they cost less; the
checkout charges that price from the database, and refunding the completion keeps the parts
bought before."""

import pytest
from django.test import Client

from shop.models import Entitlement, Order
from shop.orders import services
from shop.orders.discounts import DiscountRefused
from shop.payments import stripe_api
from tests import factories
from tests.shop.stripe_events import outcome, refund

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"


@pytest.fixture
def parts():
    return [
        factories.article(title="Teil eins", price_cents=490),
        factories.article(title="Teil zwei", price_cents=590),
        factories.article(title="Teil drei", price_cents=690),
    ]


@pytest.fixture
def series(parts):
    return factories.series(parts=parts, price_cents=1290)


def series_page(series, email=EMAIL) -> str:
    reader = Client()
    account = factories.buyer_account(email=email)
    reader.force_login(account)
    return reader.get(series.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("owned", "page_says", "charged"),
    [
        (0, "12,90 €", 1290),
        (1, "Die ganze Reihe kostet Sie noch 8,00 €", 800),  # 12,90 − 4,90
        (2, "Die ganze Reihe kostet Sie noch 2,10 €", 210),  # 12,90 − 4,90 − 5,90
        (3, "In Ihrer Bibliothek", None),
    ],
)
def test_the_series_costs_what_the_reader_has_not_paid_yet(
    series, parts, owned, page_says, charged
):
    for part in parts[:owned]:
        factories.paid_order(part.product, buyer_email=EMAIL)

    page = series_page(series)

    assert page_says in page
    assert ("Reihe kaufen" in page) == (charged is not None)
    assert "trotzdem kaufen" not in page
    if charged is not None:
        order = services.create_order(product=series.product, email=EMAIL)
        line = order.lines.get()
        assert (order.total_cents, line.gross_cents, line.list_price_cents) == (charged,) * 3
        assert line.vat_cents == round(charged * 7 / 107)


def test_the_completion_never_costs_less_than_fifty_cents(parts):
    for part in parts[:2]:
        factories.paid_order(part.product, buyer_email=EMAIL)  # 4,90 + 5,90 paid
    cheap = factories.series(parts=parts, price_cents=1000)

    page = series_page(cheap)
    order = services.create_order(product=cheap.product, email=EMAIL)

    assert "Die ganze Reihe kostet Sie noch 0,50 €" in page
    assert order.total_cents == 50


def test_the_missing_part_is_offered_when_it_costs_less_than_completing(series, parts):
    factories.paid_order(parts[0].product, buyer_email=EMAIL)  # 4,90 paid
    factories.discount_code(code="ZWEI", amount_off_cents=490, products=[parts[1].product])
    discounted = services.create_order(product=parts[1].product, email=EMAIL, discount_code="ZWEI")
    discounted.stripe_session_id = "cs_test_zwei"
    discounted.save(update_fields=["stripe_session_id"])
    services.complete_checkout(session=factories.completed_session(discounted))  # 1,00 paid

    page = series_page(series)

    # 12,90 − 4,90 − 1,00 = 7,00 is not below Teil drei's own 6,90.
    assert "Reihe kaufen" not in page and "7,00" not in page
    assert f'href="{parts[2].get_absolute_url()}">„Teil drei“ für 6,90 € kaufen</a>' in page
    assert "Teil eins“ für" not in page and "Teil zwei“ für" not in page


def test_the_price_comes_from_the_database_not_the_request(client, stripe_server, series, parts):
    factories.paid_order(parts[0].product, buyer_email=EMAIL)

    response = client.post(
        f"/reihen/{series.slug}/kaufen/",
        {"email": EMAIL, "price_cents": "1", "total_cents": "1", **factories.LAPSE_CONSENT},
    )

    assert response.status_code == 303
    order = Order.objects.get(lines__product=series.product)
    assert order.total_cents == 800
    paid = stripe_server.complete(order.stripe_session_id)["data"]["object"]
    assert paid["amount_total"] == 800, "Stripe is asked for the reduced amount"


def test_a_discount_code_takes_its_share_of_the_completion_price(series, parts):
    factories.paid_order(parts[0].product, buyer_email=EMAIL)
    factories.discount_code(code="HALB", percent_off=50)

    order = services.create_order(product=series.product, email=EMAIL, discount_code="HALB")

    assert order.total_cents == 400 and order.lines.get().discount_cents == 400


def test_a_code_that_would_leave_less_than_fifty_cents_is_refused(series, parts):
    for part in parts[:2]:
        factories.paid_order(part.product, buyer_email=EMAIL)  # completion 2,10
    factories.discount_code(code="FAST", amount_off_cents=200)

    with pytest.raises(DiscountRefused, match="unter 0,50"):
        services.create_order(product=series.product, email=EMAIL, discount_code="FAST")

    assert not Order.objects.filter(lines__product=series.product).exists()


def test_refunding_the_completion_keeps_the_parts_bought_before(
    stripe_server, post_event, series, parts
):
    before = stripe_bought(stripe_server, parts[0].product)
    completion = stripe_bought(stripe_server, series.product)
    assert completion.total_cents == 800

    assert outcome(post_event(refund(stripe_server, completion, 800))).startswith("refunded")

    kept = Entitlement.objects.filter(buyer=before.buyer, revoked_at__isnull=True)
    assert {e.product for e in kept} == {parts[0].product}
    assert "Die ganze Reihe kostet Sie noch 8,00 €" in series_page(series)


def stripe_bought(stripe_server, product) -> Order:
    order = services.create_order(product=product, email=EMAIL)
    session = stripe_api.create_checkout_session(
        order=order, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    Order.objects.filter(pk=order.pk).update(stripe_session_id=session["id"])
    services.complete_checkout(session=stripe_server.complete(session["id"])["data"]["object"])
    order.refresh_from_db()
    return order
