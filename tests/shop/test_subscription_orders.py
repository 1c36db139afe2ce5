"""The order of a Ratgeber month writes its dates as the reader's language does."""

from datetime import UTC, datetime

import pytest

from devstripe import signing
from shop import subscriptions
from shop.models import Order, Subscription
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def invoice_of_a_running_subscription(*, language: str = "de", **fields) -> dict:
    """A paid invoice of a subscription the shop knows, for its month from START."""
    reference = "A2026-000001"
    Subscription.objects.create(
        reference=reference, email="leserin@example.com", product=factories.adviser_product(),
        status=Subscription.Status.ACTIVE, stripe_subscription_id="sub_known", language=language,
    )  # fmt: skip
    start = int(START.timestamp())
    price = {"currency": "eur", "unit_amount": 500, "product": "prod_x"}
    stripe_subscription = signing.subscription(
        id="sub_known", customer="cus_x", price=price, period_start=start,
        period_end=signing.next_month(start), metadata={"subscription_reference": reference},
    )  # fmt: skip
    return signing.invoice(
        stripe_subscription=stripe_subscription, period_start=start,
        period_end=signing.next_month(start), paid=True, **fields,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "description"),
    [
        ("de", "Ratgeber-Abo 23. November 2026–23. Dezember 2026"),
        ("en", "Ratgeber subscription Nov. 23, 2026–Dec. 23, 2026"),
    ],
)
def test_the_months_line_writes_its_dates_as_the_readers_language_does(language, description):
    invoice = invoice_of_a_running_subscription(language=language)

    subscriptions.record_paid_invoice(invoice=invoice)

    order = Order.objects.get()
    assert order.lines.get().description == description
    assert order.invoices.get().lines.get().description == description
