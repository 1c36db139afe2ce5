"""A buyer as the sign-in and library tests make one: an article bought and delivered, and
signing in by the one-time link the shop e-mails."""

import re
from urllib.parse import urlsplit

from shop.orders import fulfilment, services
from tests import factories
from tests.worker import worker_runs


def bought(email="alice@example.com", article=None):
    order = factories.pending_order(buyer_email=email, of=article)
    services.complete_checkout(session=factories.completed_session(order))
    fulfilment.render_deliveries(order_id=order.pk)
    order.refresh_from_db()
    return order


def sign_in(client, email, outbox):
    with worker_runs():
        client.post("/sign-in/", {"email": email})
    path = urlsplit(re.search(r"http://\S+/sign-in/\S+/", outbox[-1].body).group(0)).path
    assert "Anmelden" in client.get(path).content.decode()
    return client.post(path), path
