"""After payment: render each line's licensed copy, then send one e-mail per order."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from plumbing.mail import send_once
from shop.catalog import pdf
from shop.invoicing import services as invoicing
from shop.models import Delivery, Invoice, Order, OrderLine, Product
from shop.orders import emails, selectors

logger = logging.getLogger(__name__)


class FulfilmentIncomplete(Exception):
    """Some lines could not be rendered; their Delivery rows carry the error for staff."""


@dataclass(frozen=True)
class Copy:
    """One licensed PDF an order line owes: the line's own product or a part of its series."""

    product: Product
    version: str
    base: Callable[[], bytes]


def copies_owed(line: OrderLine) -> list[Copy]:
    product = line.product
    if product.kind == Product.Kind.ARTICLE:
        return [_article_copy(product)]
    if product.kind != Product.Kind.SERIES:
        return []
    series = product.series
    parts = [part.article for part in series.parts.select_related("article")]
    version = pdf.series_content_version(series, parts)
    combined = Copy(product, version, lambda: pdf.series_base_pdf(series, parts, version=version))
    # Each part the line entitles to, also one that joined or left the series since.
    owned_parts = Product.objects.filter(
        entitlements__order_line=line, kind=Product.Kind.ARTICLE
    ).select_related("article")
    position = {article.pk: number for number, article in enumerate(parts)}
    owned_parts = sorted(owned_parts, key=lambda part: position.get(part.article_id, len(parts)))
    return [combined, *(_article_copy(part) for part in owned_parts)]


def _article_copy(product: Product) -> Copy:
    article = product.article
    version = pdf.article_content_version(article)
    return Copy(product, version, lambda: pdf.article_base_pdf(article, version=version))


def render_deliveries(*, order_id: int, rerender: bool = False) -> None:
    """Idempotent: a copy that exists for the current content version is left alone, unless
    staff asked to render again. A series line gets its combined PDF and a copy of each part.
    Then the order's invoice, once: it is a snapshot, never rendered again."""
    failures = []
    with transaction.atomic():
        # The lock makes a second run for the same order wait and then find the work done.
        order = Order.objects.select_for_update().get(pk=order_id)
        if not order.is_paid:
            return
        for line in order.lines.filter(
            product__kind__in=[Product.Kind.ARTICLE, Product.Kind.SERIES]
        ).select_related("product__article", "product__series"):
            for copy in copies_owed(line):
                try:
                    with transaction.atomic():
                        _deliver(copy, line=line, order=order, rerender=rerender)
                except Exception as exc:
                    logger.exception("Order %s line %s: render failed", order.reference, line.pk)
                    failures.append(line.pk)
                    Delivery.objects.update_or_create(
                        order_line=line,
                        product=copy.product,
                        content_version=copy.version,
                        defaults={"status": Delivery.Status.FAILED, "error": repr(exc)},
                    )
    if failures:
        raise FulfilmentIncomplete(f"order {order_id}: lines {sorted(set(failures))} failed")
    invoicing.render_missing_pdfs(order_id=order_id)


def _deliver(copy: Copy, *, line: OrderLine, order: Order, rerender: bool) -> None:
    delivery = Delivery.objects.filter(
        order_line=line, product=copy.product, content_version=copy.version
    ).first()
    if delivery and delivery.status == Delivery.Status.RENDERED and not rerender:
        return
    if rerender:
        pdf.forget_base_pdf(version=copy.version)
    licensed = pdf.licensed_copy(copy.base(), order=order)
    delivery = delivery or Delivery(
        order_line=line, product=copy.product, content_version=copy.version
    )
    if delivery.file:
        delivery.file.delete(save=False)
    delivery.file.save(
        f"{order.reference}-{line.pk}-{copy.product.pk}.pdf", ContentFile(licensed), save=False
    )
    delivery.status = Delivery.Status.RENDERED
    delivery.error = ""
    delivery.save()


def send_delivery_email(*, order_id: int, resend: bool = False) -> str:
    """One e-mail per order (see send_once); staff's resend sends again on purpose."""

    def send(order: Order) -> str | None:
        if not order.is_paid:
            return "not paid"
        deliveries = selectors.current_deliveries(order=order)
        if deliveries is None:
            return "not rendered yet"
        # Orders paid before invoices existed have none; every other one waits for its PDF.
        invoice = order.invoices.filter(kind=Invoice.Kind.INVOICE).first()
        if invoice is not None and not invoice.pdf:
            return "not rendered yet"
        emails.send_order_delivery(order=order, deliveries=deliveries, invoice=invoice)
        return None

    return send_once(
        Order.objects,
        pk=order_id,
        mark="fulfilled_at",
        error="email_error",
        send=send,
        resend=resend,
    )
