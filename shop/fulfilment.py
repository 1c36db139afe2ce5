"""After payment: render each line's licensed copy, then send one e-mail per order."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shop import emails, pdf, selectors
from shop.models import Delivery, Order, OrderLine, Product

logger = logging.getLogger(__name__)


class FulfilmentIncomplete(Exception):
    """Some lines could not be rendered; their Delivery rows carry the error for staff."""


def render_deliveries(*, order_id: int, rerender: bool = False) -> None:
    """Idempotent: a line that has its copy for the current content version is left alone,
    unless staff asked to render again."""
    failures = []
    with transaction.atomic():
        # The lock makes a second run for the same order wait and then find the work done.
        order = Order.objects.select_for_update().get(pk=order_id)
        if not order.is_paid:
            return
        for line in order.lines.filter(product__kind=Product.Kind.ARTICLE).select_related(
            "product__article"
        ):
            version = pdf.article_content_version(line.product.article)
            try:
                with transaction.atomic():
                    _deliver_line(line, order=order, version=version, rerender=rerender)
            except Exception as exc:
                logger.exception("Order %s line %s: render failed", order.reference, line.pk)
                failures.append(line.pk)
                Delivery.objects.update_or_create(
                    order_line=line,
                    content_version=version,
                    defaults={"status": Delivery.Status.FAILED, "error": repr(exc)},
                )
    if failures:
        raise FulfilmentIncomplete(f"order {order_id}: lines {failures} failed")


def _deliver_line(line: OrderLine, *, order: Order, version: str, rerender: bool) -> None:
    delivery = Delivery.objects.filter(order_line=line, content_version=version).first()
    if delivery and delivery.status == Delivery.Status.RENDERED and not rerender:
        return
    if rerender:
        pdf.forget_article_base_pdf(version=version)
    base = pdf.article_base_pdf(line.product.article, version=version)
    copy = pdf.licensed_copy(base, order=order)
    delivery = delivery or Delivery(order_line=line, content_version=version)
    if delivery.file:
        delivery.file.delete(save=False)
    delivery.file.save(f"{order.reference}-{line.pk}.pdf", ContentFile(copy), save=False)
    delivery.status = Delivery.Status.RENDERED
    delivery.error = ""
    delivery.save()


def send_delivery_email(*, order_id: int, resend: bool = False) -> str:
    """One e-mail per order: the mark is set in the transaction that holds the order's lock, so a
    retried or duplicated task finds it set. Staff's resend sends again on purpose."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if not order.is_paid:
            return "not paid"
        if order.fulfilled_at and not resend:
            return "already sent"
        deliveries = selectors.current_deliveries(order=order)
        if deliveries is None:
            return "not rendered yet"
        emails.send_order_delivery(
            order=order, deliveries=deliveries, courses=selectors.ordered_courses(order=order)
        )
        if not order.fulfilled_at:
            order.fulfilled_at = timezone.now()
            order.save(update_fields=["fulfilled_at"])
    return "sent"
