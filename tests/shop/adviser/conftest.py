import pytest

from shop.models import Order, Subscription
from tests import factories
from tests.shop.adviser.subscriber import EMAIL, subscribe_by_link
from tests.shop.stripe_events import send


@pytest.fixture
def adviser():
    return factories.adviser_product()


@pytest.fixture
def subscribe(client, stripe_server, adviser):
    """Subscribes through the page and pays on devstripe; the events, not yet sent."""

    def run(email: str = EMAIL) -> tuple[Subscription, list[dict]]:
        response = subscribe_by_link(client, email)
        assert response.status_code == 303
        assert response["Location"].startswith(stripe_server.url)
        subscription = Subscription.objects.get(email=email)
        made = len(stripe_server.events)
        completed = stripe_server.complete(subscription.stripe_session_id)
        return subscription, [completed, *stripe_server.events[made:]]

    return run


@pytest.fixture
def paid_month(subscribe, post_event) -> Order:
    """The first month, its events sent over the signed webhook as Stripe sends them."""
    _, events = subscribe()
    send(post_event, events)
    return Order.objects.get()
