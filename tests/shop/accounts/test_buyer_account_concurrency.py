"""A new buyer's first two purchases paid at the same moment, each in an OS process of its own as
gunicorn's workers would handle their webhooks: both orders are paid, to one account."""

import multiprocessing

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from shop.models import Order
from shop.orders import services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PAYMENTS = 6


def _pay(order_id: int, start, outcomes) -> None:
    order = Order.objects.get(pk=order_id)
    start.wait(timeout=60)
    try:
        outcomes.put(services.complete_checkout(session=factories.completed_session(order)))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        outcomes.put(repr(error))
    finally:
        connections.close_all()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole file per writer; the shop runs on PostgreSQL",
)
def test_simultaneous_first_purchases_of_one_new_buyer_share_one_account():
    orders = [factories.pending_order(buyer_email="neu@example.com") for _ in range(PAYMENTS)]
    context = multiprocessing.get_context("fork")
    start, outcomes = context.Barrier(PAYMENTS), context.Queue()
    connections.close_all()
    payers = [context.Process(target=_pay, args=(o.pk, start, outcomes)) for o in orders]
    for payer in payers:
        payer.start()
    results = [outcomes.get(timeout=120) for _ in payers]
    for payer in payers:
        payer.join(timeout=30)

    assert results == ["paid"] * PAYMENTS
    account = get_user_model().objects.get(email="neu@example.com")
    assert set(Order.objects.values_list("buyer", flat=True)) == {account.pk}
