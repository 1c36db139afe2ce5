import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client

from config.celery_app import app as celery_app
from devstripe.server import StripeServer
from shop.payments import stripe_api
from tests import factories
from tests.admin_login import PASSWORD, sign_in_to_admin


@pytest.fixture(scope="session", autouse=True)
def purge_test_queue():
    """Live-server tests enqueue real tasks; nothing of this run's own queue outlives it."""
    yield
    celery_app.control.purge()


@pytest.fixture(autouse=True)
def empty_cache():
    """A rolled-back test sends no signal that would forget what it cached, and a test may
    change a setting the page's header or footer shows."""
    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _serve_stripe(settings, **options):
    with StripeServer(webhook_secret=settings.STRIPE_WEBHOOK_SECRET, **options) as server:
        settings.STRIPE_API_BASE = server.url
        stripe_api._client.cache_clear()
        yield server
    stripe_api._client.cache_clear()


@pytest.fixture
def stripe_server(settings):
    """A Stripe-compatible server on loopback; stripe-python is pointed at it like at Stripe."""
    yield from _serve_stripe(settings)


@pytest.fixture
def stripe(settings, live_server):
    """The Stripe stand-in, posting its signed webhooks to the live server."""
    settings.SITE_URL = live_server.url
    yield from _serve_stripe(settings, webhook_url=live_server.url + "/stripe/webhook/")


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
def eager_tasks():
    """Tasks enqueued with delay_on_commit run in-process when the test's callbacks execute."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def run_tasks(eager_tasks, django_capture_on_commit_callbacks):
    """`with run_tasks():` runs what the block enqueues after commit, as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def outbox():
    return mail.outbox


@pytest.fixture
def mail_server_down(settings):
    """Django's SMTP backend against a port nobody listens on: sending raises an OSError, as
    when the mail server is down. Setting EMAIL_BACKEND back brings it up again."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False


@pytest.fixture
def admin_client(django_user_model):
    """pytest-django's admin_client, signed in as staff are: with the second factor (its own
    force_login is no staff session here)."""
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    return sign_in_to_admin(Client(), admin)
