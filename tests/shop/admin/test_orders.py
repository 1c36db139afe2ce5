"""Staff see what sold and what was delivered, and can resend or render again."""

import pytest

from shop.models import Delivery
from shop.orders import fulfilment, services
from tests import factories
from tests.admin_login import sign_in_to_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")
    return sign_in_to_admin(client, user)


def paid_order():
    order = factories.pending_order()
    services.complete_checkout(session=factories.completed_session(order))
    return order


def test_order_page_shows_payment_facts_read_only_and_delivery_errors(staff):
    order = paid_order()
    Delivery.objects.create(
        order_line=order.lines.get(), content_version="v1", status=Delivery.Status.FAILED,
        error="OSError('Datenträger voll')",
    )  # fmt: skip

    page = staff.get(f"/admin/shop/order/{order.pk}/change/").content.decode()

    assert order.reference in page and f"pi_{order.reference}" in page
    assert "Fehlgeschlagen" in page and "Datenträger voll" in page
    assert 'name="total_cents"' not in page and 'name="status"' not in page
    assert 'name="needs_review"' in page


@pytest.mark.parametrize("action", ["resend_email", "render_again"])
def test_actions_enqueue_work_for_paid_orders_only(
    staff, action, django_capture_on_commit_callbacks
):
    paid, pending = paid_order(), factories.pending_order()
    fulfilment.render_deliveries(order_id=paid.pk)

    with django_capture_on_commit_callbacks() as enqueued:
        response = staff.post(
            "/admin/shop/order/",
            {"action": action, "_selected_action": [paid.pk, pending.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert len(enqueued) == 1
    assert "1 " in response.content.decode()


def test_staff_only(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("leser", "l@example.com", "pw"))

    response = client.get("/admin/shop/order/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
