"""Fulfilment's tasks: rendering and e-mailing are separate, so a retried e-mail never renders
again."""

from django.conf import settings
from django.utils import timezone

from plumbing.tasks import periodic_task, task
from shop.orders import fulfilment, selectors


@task("shop.tasks.fulfil_order", retry_on=(fulfilment.FulfilmentIncomplete,), soft_time_limit=300)
def fulfil_order(order_id: int, rerender: bool = False) -> None:
    fulfilment.render_deliveries(order_id=order_id, rerender=rerender)
    send_delivery_email.delay(order_id)


@task("shop.tasks.send_delivery_email")
def send_delivery_email(order_id: int, resend: bool = False) -> str:
    return fulfilment.send_delivery_email(order_id=order_id, resend=resend)


@periodic_task("shop.tasks.requeue_unfulfilled_orders")
def requeue_unfulfilled_orders() -> int:
    """The safety net for a worker killed mid-order or a broker that lost a message."""
    order_ids = selectors.unfulfilled_order_ids(
        paid_before=timezone.now() - settings.FULFILMENT_GRACE
    )
    for order_id in order_ids:
        fulfil_order.delay(order_id)
    return len(order_ids)
