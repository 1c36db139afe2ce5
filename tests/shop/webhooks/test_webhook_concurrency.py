"""Two copies of one Stripe event at the same moment: one pays, the other finds it done."""

import threading

import pytest
import requests

from devstripe import signing
from shop.models import Entitlement, Order, StripeEvent
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_copies_of_one_event_pay_once(live_server):
    order = factories.pending_order()
    body, header = factories.signed_body(
        signing.event("checkout.session.completed", factories.completed_session(order))
    )
    start = threading.Barrier(4)
    answers = []

    def send():
        start.wait()
        answers.append(
            requests.post(
                live_server.url + "/stripe/webhook/",
                data=body,
                timeout=30,
                headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            )  # fmt: skip
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers) == [200] * 4
    assert sorted(a.json()["outcome"] for a in answers) == ["duplicate"] * 3 + ["paid"]
    assert Order.objects.get().is_paid
    assert StripeEvent.objects.count() == 1
    assert Entitlement.objects.count() == 1
