"""Many buyers redeem a scarce code at the same moment, each in an OS process of its own, as
gunicorn's workers would: the code's limit holds exactly."""

import multiprocessing

import pytest
from django.db import connection, connections

from shop.legal import texts as legal
from shop.models import Order
from shop.orders import discounts, services
from shop.payments import stripe_api
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 20


def _checkout(product_id: int, email: str, start, outcomes) -> None:
    """One buyer's checkout in a forked process, with its own database connection."""
    from shop.models import Product

    stripe_api._client.cache_clear()
    product = Product.objects.get(pk=product_id)
    start.wait(timeout=60)
    try:
        services.start_checkout(
            product=product, email=email, discount_code="FUENF",
            lapse_consent_version=legal.LAPSE_CONSENT_VERSION,
        )  # fmt: skip
    except discounts.DiscountRefused as refused:
        outcomes.put(("refused", str(refused)))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        outcomes.put(("error", repr(error)))
    else:
        outcomes.put(("order", email))
    finally:
        connections.close_all()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole file per writer; the shop runs on PostgreSQL",
)
def test_twenty_simultaneous_checkouts_with_a_code_for_five_make_exactly_five_orders(
    stripe_server,
):
    product = factories.article(price_cents=490).product
    factories.discount_code(code="FUENF", max_redemptions=5)
    context = multiprocessing.get_context("fork")
    start, outcomes = context.Barrier(BUYERS), context.Queue()
    # Each child opens its own connection; none may share the parent's socket.
    connections.close_all()
    buyers = [
        context.Process(
            target=_checkout, args=(product.pk, f"kaeufer{n}@example.com", start, outcomes)
        )
        for n in range(BUYERS)
    ]
    for buyer in buyers:
        buyer.start()
    results = [outcomes.get(timeout=120) for _ in buyers]
    for buyer in buyers:
        buyer.join(timeout=30)

    assert [kind for kind, _ in results if kind == "error"] == [], results
    assert sorted(kind for kind, _ in results) == ["order"] * 5 + ["refused"] * 15
    assert {text for kind, text in results if kind == "refused"} == {
        "Dieser Rabattcode ist bereits vollständig eingelöst."
    }
    orders = Order.objects.filter(discount_code__code="FUENF")
    assert orders.count() == Order.objects.count() == 5
    assert {o.email for o in orders} == {text for kind, text in results if kind == "order"}
    assert len(stripe_server.coupons) == 5
    assert sum(r.path == "/v1/checkout/sessions" for r in stripe_server.requests) == 5
