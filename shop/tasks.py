"""Celery tasks: ids in, one service call, done. Rendering and e-mailing are separate tasks so a
retried e-mail never renders again."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from shop import ebooks, fulfilment, invoices, pdf, selectors, subscriptions, withdrawals
from shop.models import Article, Series

# SMTP errors and refused connections are OSErrors; a lost database connection is one of the others.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)
RETRY = {"retry_backoff": True, "retry_backoff_max": 600, "max_retries": 12, "acks_late": True}


@shared_task(
    autoretry_for=(*TRANSIENT_ERRORS, fulfilment.FulfilmentIncomplete), soft_time_limit=300, **RETRY
)
def fulfil_order(order_id: int, rerender: bool = False) -> None:
    fulfilment.render_deliveries(order_id=order_id, rerender=rerender)
    send_delivery_email.delay(order_id)


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def send_delivery_email(order_id: int, resend: bool = False) -> str:
    return fulfilment.send_delivery_email(order_id=order_id, resend=resend)


@shared_task(autoretry_for=TRANSIENT_ERRORS, soft_time_limit=300, **RETRY)
def send_cancellation_invoice(invoice_id: int) -> None:
    invoices.render_pdf(invoice_id=invoice_id)
    send_cancellation_email.delay(invoice_id)


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def send_cancellation_email(invoice_id: int) -> str:
    return fulfilment.send_cancellation_email(invoice_id=invoice_id)


@shared_task(acks_late=True)
def requeue_unfulfilled_orders() -> int:
    """The safety net for a worker killed mid-order or a broker that lost a message."""
    order_ids = selectors.unfulfilled_order_ids(
        paid_before=timezone.now() - settings.FULFILMENT_GRACE
    )
    for order_id in order_ids:
        fulfil_order.delay(order_id)
    return len(order_ids)


@shared_task(autoretry_for=TRANSIENT_ERRORS, soft_time_limit=300, **RETRY)
def prerender_article_pdf(article_id: int) -> None:
    """Publishing warms the cache, so the first buyer does not wait for the render."""
    article = Article.objects.get(pk=article_id)
    pdf.article_base_pdf(article, version=pdf.article_content_version(article))


@shared_task(autoretry_for=TRANSIENT_ERRORS, soft_time_limit=300, **RETRY)
def prerender_series_pdf(series_id: int) -> None:
    """Saving a series warms the cache of its combined PDF, as publishing does for an article."""
    series = Series.objects.get(pk=series_id)
    parts = [part.article for part in series.parts.select_related("article")]
    if parts:
        pdf.series_base_pdf(series, parts, version=pdf.series_content_version(series, parts))


@shared_task(autoretry_for=TRANSIENT_ERRORS, soft_time_limit=300, **RETRY)
def render_ebook_preview(ebook_id: int) -> None:
    ebooks.render_preview(ebook_id=ebook_id)


@shared_task(autoretry_for=(*TRANSIENT_ERRORS, ebooks.RenderFailed), soft_time_limit=600, **RETRY)
def render_custom_ebook(ebook_id: int) -> str:
    return ebooks.render_final(ebook_id=ebook_id)


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def send_ebook_ready_email(ebook_id: int) -> str:
    return ebooks.send_ready_email(ebook_id=ebook_id)


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def send_cancellation_confirmation(notice_id: int) -> str:
    return subscriptions.confirm_notice(notice_id=notice_id)


@shared_task(acks_late=True)
def remind_missing_wishes() -> int:
    """Beat: one reminder for each custom eBook still without a wish two days after payment."""
    return ebooks.remind_missing_wishes(
        ordered_before=timezone.now() - settings.EBOOK_WISH_REMINDER_AFTER
    )


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def send_withdrawal_confirmation(declaration_id: int) -> str:
    """The worker sends it the moment the declaration is stored; an SMTP outage is retried, and
    the declaration stands whatever the mail server does."""
    return withdrawals.send_confirmation(declaration_id=declaration_id)


@shared_task(acks_late=True)
def resend_missing_withdrawal_confirmations() -> int:
    """Beat: the safety net for a confirmation whose task a broker lost."""
    declaration_ids = withdrawals.unconfirmed_declaration_ids(
        received_before=timezone.now() - timedelta(minutes=1)
    )
    for declaration_id in declaration_ids:
        send_withdrawal_confirmation.delay(declaration_id)
    return len(declaration_ids)
