import pytest
from django.core import mail

from config.celery_app import app as celery_app
from devstripe.server import StripeServer
from shop import stripe_api
from tests import factories


@pytest.fixture(scope="session", autouse=True)
def purge_test_queue():
    """Live-server tests enqueue real tasks; nothing of this run's own queue outlives it."""
    yield
    celery_app.control.purge()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stripe_server(settings):
    """A Stripe-compatible server on loopback; stripe-python is pointed at it like at Stripe."""
    with StripeServer(webhook_secret=settings.STRIPE_WEBHOOK_SECRET) as server:
        settings.STRIPE_API_BASE = server.url
        stripe_api._client.cache_clear()
        yield server
    stripe_api._client.cache_clear()


@pytest.fixture
def post_event(client):
    """Sends a Stripe event to the webhook, signed as Stripe signs it."""

    def post(event: dict, **signing):
        body, header = factories.signed_body(event, **signing)
        return client.post(
            "/stripe/webhook/", body, content_type="application/json",
            headers={"Stripe-Signature": header},
        )  # fmt: skip

    return post


@pytest.fixture
def outbox():
    return mail.outbox
