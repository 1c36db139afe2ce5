"""Custom eBooks: the reader's wish, the staff's assembly, preview and final renders, reminders.

Every state change goes through `change_state`, under the eBook's row lock, and leaves an
EbookStateChange row naming who made it (nobody: the system).
"""

import logging
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from plumbing.mail import send_once
from plumbing.tasks import enqueue_on_commit
from shop.catalog.pdf import licensed_copy
from shop.ebooks import emails, pdf
from shop.models import (
    Article,
    CustomEbook,
    Delivery,
    EbookChapter,
    EbookStateChange,
    Entitlement,
    OrderLine,
)
from shop.payments import stripe_api

logger = logging.getLogger(__name__)
State = CustomEbook.State


class WishClosed(Exception):
    """The staff have started on the book; the wish can no longer change."""


class NotReady(Exception):
    """The book lacks what the next step needs (a title, a chapter)."""


class RenderFailed(Exception):
    """The final render failed; the error is on the eBook for staff, the task tries again."""


def open_for(*, line: OrderLine, buyer) -> CustomEbook:
    """The eBook a paid order line stands for; created once, however often payment is seen."""
    ebook, _ = CustomEbook.objects.get_or_create(order_line=line, defaults={"buyer": buyer})
    return ebook


def _locked(ebook_id: int) -> CustomEbook:
    return CustomEbook.objects.select_for_update().get(pk=ebook_id)


def _move(ebook: CustomEbook, to: State, *, by) -> None:
    before = ebook.state
    ebook.move_to(to)
    ebook.save()
    EbookStateChange.objects.create(ebook=ebook, from_state=before, to_state=to, changed_by=by)


@transaction.atomic
def change_state(*, ebook_id: int, to: State, by) -> CustomEbook:
    """The one function that moves an eBook, with what each step needs and sets off."""
    ebook = _locked(ebook_id)
    if to == State.IN_ASSEMBLY and ebook.state == State.NEW:
        _start_assembly(ebook)
    if to == State.READY_FOR_REVIEW and (not ebook.title.strip() or not ebook.chapters.exists()):
        raise NotReady("Ein E-Book braucht einen Titel und mindestens ein Kapitel.")
    _move(ebook, to, by=by)
    if to == State.APPROVED:
        ebook.version += 1
        ebook.render_error = ""
        ebook.ready_emailed_at = None
        ebook.save(update_fields=["version", "render_error", "ready_emailed_at"])
        enqueue_on_commit("shop.tasks.render_custom_ebook", ebook.pk)
    if to == State.IN_ASSEMBLY:
        enqueue_on_commit("shop.tasks.render_ebook_preview", ebook.pk)
    if to == State.REFUNDED:
        Entitlement.objects.filter(order_line=ebook.order_line, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        ebook.refund_id = _refund(ebook)
        ebook.save(update_fields=["refund_id"])
    return ebook


def _refund(ebook: CustomEbook) -> str:
    """Refunds what the line cost. Inside the cancelling transaction: if Stripe refuses, nothing
    is cancelled; the key makes a repeated cancel return Stripe's first refund."""
    line = OrderLine.objects.select_related("order").get(pk=ebook.order_line_id)
    if not line.order.stripe_payment_intent:
        return ""
    refund = stripe_api.refund_payment(
        payment_intent=line.order.stripe_payment_intent,
        amount_cents=line.gross_cents,
        idempotency_key=f"refund-custom-ebook-{ebook.pk}",
        order_line_ids=[line.pk],
    )
    return refund["id"]


def _start_assembly(ebook: CustomEbook) -> None:
    """The desk starts from the wish: its working title and the articles the reader named."""
    if not ebook.title:
        ebook.title = ebook.working_title
    if not ebook.chapters.exists():
        EbookChapter.objects.bulk_create(
            EbookChapter(ebook=ebook, article=article, position=position)
            for position, article in enumerate(ebook.wished_articles.order_by("title"), start=1)
        )


@transaction.atomic
def submit_wish(
    *,
    ebook_id: int,
    by,
    working_title: str,
    questions: str,
    articles: list[Article],
    format: str,
    note: str,
) -> CustomEbook:
    ebook = _locked(ebook_id)
    if not ebook.wish_is_open:
        raise WishClosed
    ebook.working_title, ebook.questions, ebook.format, ebook.note = (
        working_title, questions, format, note,
    )  # fmt: skip
    ebook.wish_submitted_at = timezone.now()
    ebook.full_clean(exclude=["order_line", "buyer"])
    ebook.save()
    ebook.wished_articles.set(articles)
    if ebook.state == State.AWAITING_WISH:
        _move(ebook, State.NEW, by=by)
    return ebook


def _book_parts(ebook: CustomEbook) -> list[Article]:
    return [chapter.article for chapter in ebook.chapters.select_related("article")]


def render_preview(*, ebook_id: int) -> None:
    """The staff's preview of the current assembly, rendered by the worker."""
    ebook = CustomEbook.objects.select_related("order_line__order").get(pk=ebook_id)
    articles = _book_parts(ebook)
    if not articles:
        return
    base = pdf.ebook_pdf(ebook=ebook, articles=articles, dedicated_to=ebook.order_line.order.email)
    copy = pdf.preview_copy(base)
    with transaction.atomic():
        ebook = _locked(ebook_id)
        old = ebook.preview.name
        ebook.preview.save(f"ebook-{ebook.pk}-preview.pdf", ContentFile(copy), save=False)
        ebook.preview_rendered_at = timezone.now()
        ebook.save(update_fields=["preview", "preview_rendered_at"])
        if old and old != ebook.preview.name:
            transaction.on_commit(lambda: ebook.preview.storage.delete(old))


def render_final(*, ebook_id: int) -> str:
    """Renders the approved version once, in the formats the reader wished, licensed to them;
    then the book is delivered. Idempotent: only an approved book is rendered, and delivering it
    ends the approval."""
    try:
        with transaction.atomic():
            ebook = _locked(ebook_id)
            if ebook.state != State.APPROVED:
                return f"not approved ({ebook.state})"
            _render_deliveries(ebook)
            ebook.render_error = ""
            _move(ebook, State.DELIVERED, by=None)
            enqueue_on_commit("shop.tasks.send_ebook_ready_email", ebook_id)
    except Exception as exc:
        logger.exception("Custom eBook %s: final render failed", ebook_id)
        CustomEbook.objects.filter(pk=ebook_id).update(render_error=repr(exc))
        raise RenderFailed(f"eBook {ebook_id}") from exc
    return "delivered"


def _render_deliveries(ebook: CustomEbook) -> None:
    line = OrderLine.objects.select_related("order", "product").get(pk=ebook.order_line_id)
    order, articles, version = line.order, _book_parts(ebook), f"v{ebook.version}"
    files = {}
    if "pdf" in ebook.formats:
        base = pdf.ebook_pdf(ebook=ebook, articles=articles, dedicated_to=order.email)
        files[Delivery.Format.PDF] = licensed_copy(base, order=order)
    if "epub" in ebook.formats:
        files[Delivery.Format.EPUB] = pdf.ebook_epub(ebook=ebook, articles=articles, order=order)
    for format, content in files.items():
        delivery, _ = Delivery.objects.get_or_create(
            order_line=line, product=line.product, content_version=version, format=format,
            defaults={"status": Delivery.Status.RENDERED},
        )  # fmt: skip
        if delivery.file:
            delivery.file.delete(save=False)
        delivery.file.save(
            f"{order.reference}-{line.pk}-{version}.{format}", ContentFile(content), save=False
        )
        delivery.status, delivery.error = Delivery.Status.RENDERED, ""
        delivery.save()


def send_ready_email(*, ebook_id: int) -> str:
    """One e-mail per delivered version: each approval clears the mark."""

    def send(ebook: CustomEbook) -> str | None:
        if ebook.state != State.DELIVERED:
            return f"not delivered ({ebook.state})"
        emails.send_ebook_ready(ebook=ebook)
        return None

    return send_once(
        CustomEbook.objects,
        pk=ebook_id,
        mark="ready_emailed_at",
        error="ready_email_error",
        send=send,
    )


def remind_missing_wishes(*, ordered_before: datetime) -> int:
    """One reminder per eBook whose wish has not come two days after payment; sent once, so two
    beats never send twice."""

    def send(ebook: CustomEbook) -> str | None:
        emails.send_wish_reminder(ebook=ebook)
        return None

    waiting = CustomEbook.objects.filter(state=State.AWAITING_WISH)
    candidates = waiting.filter(
        reminder_sent_at__isnull=True, created_at__lt=ordered_before
    ).values_list("pk", flat=True)
    outcomes = [
        send_once(waiting, pk=ebook_id, mark="reminder_sent_at", error="reminder_error", send=send)
        for ebook_id in candidates
    ]
    return outcomes.count("sent")
