"""Many payments at once, from separate processes with their own database connections: every
paid order gets its own invoice number, and the numbers run 1..N without a gap, also when some
of the paying transactions roll back."""

import multiprocessing

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from shop.models import Invoice, Order
from shop.orders import services
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite locks the whole database for each write, so there is no concurrent "
        "payment to test; row locks (select_for_update) need PostgreSQL",
    ),
]

PROCESSES = 6
ORDERS_PER_PROCESS = 8


class PaymentFailed(Exception):
    pass


def pay(order_ids: list[int], start, failing: set[int]) -> None:
    """A worker process: waits for the others, then pays its orders one after another. The
    orders in `failing` fail after their invoice was numbered, rolling the payment back."""
    connections.close_all()  # the parent's connection must not be shared across the fork
    start.wait()
    for order_id in order_ids:
        order = Order.objects.get(pk=order_id)
        try:
            with transaction.atomic():
                services.complete_checkout(session=factories.completed_session(order))
                if order_id in failing:
                    raise PaymentFailed(order.reference)
        except PaymentFailed:
            pass
    connections.close_all()


def test_parallel_payments_share_no_number_and_skip_none():
    # One buyer each: two first purchases of one new buyer at once race to create the account.
    orders = [
        factories.pending_order(buyer_email=f"buyer{n}@example.com")
        for n in range(PROCESSES * ORDERS_PER_PROCESS)
    ]
    failing = {order.pk for order in orders[::7]}
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(
            target=pay, args=([o.pk for o in orders[n::PROCESSES]], start, failing), daemon=True
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES

    paid = Order.objects.filter(status=Order.Status.PAID)
    assert paid.count() == len(orders) - len(failing)
    assert not paid.filter(pk__in=failing).exists()
    year = timezone.localdate().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"RE-{year}-{n:06d}" for n in range(1, paid.count() + 1)]
    assert Invoice.objects.filter(order__in=paid).count() == paid.count()
