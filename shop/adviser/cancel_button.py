"""The cancel button (§ 312k BGB): a notice given without signing in, recorded first whatever
follows, and every visitor answered alike, in the same time: Stripe and the e-mails are the
worker's steps.

A notice whose Abo-Nummer and address both fit a running subscription cancels it at the end of
its paid period. One that names the address alone cannot show that its sender is the
subscriber, so its confirmation of receipt (the receipt counts from the notice) asks that
address to confirm it by a signed link; confirming cancels the address's newest running
subscription. A notice still unconfirmed after CANCELLATION_CONFIRMATION_DUE is listed for staff
(`selectors.notices_awaiting_confirmation`), never dropped."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from plumbing.mail import send_email, send_once
from plumbing.tasks import enqueue_on_commit
from shop.adviser import links, services
from shop.models import CancellationNotice, Subscription
from shop.payments import stripe_api

logger = logging.getLogger(__name__)


def _running(email: str) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        email__iexact=email.strip(), stripe_subscription_id__isnull=False
    ).exclude(status__in=Subscription.ENDED)


def give_notice(
    *,
    name: str,
    email: str,
    contract: str = "",
    kind: str,
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> CancellationNotice:
    """Records the notice and leaves the rest to the worker: cancelling the subscription its
    Abo-Nummer and address name, or sending the confirmation that asks the address to confirm."""
    with transaction.atomic():
        notice = CancellationNotice(
            name=name, email=email.strip(), contract=contract, kind=kind, reason=reason,
            language=language,
        )  # fmt: skip
        notice.full_clean()
        if contract.strip():
            named = _running(email).filter(reference__iexact=contract.strip())
            notice.subscription = named.first()
        notice.save()
        if notice.subscription is not None:
            enqueue_on_commit("shop.tasks.cancel_at_period_end", notice.pk)
        else:
            enqueue_on_commit("shop.tasks.send_cancellation_confirmation", notice.pk)
    return notice


@transaction.atomic
def confirm_notice(*, notice_id: int) -> CancellationNotice:
    """The address's owner confirmed by the link: the newest running subscription of the address
    is cancelled. Confirming again changes nothing."""
    notice = CancellationNotice.objects.select_for_update().get(pk=notice_id)
    if notice.link_confirmed_at is not None:
        return notice
    notice.link_confirmed_at = timezone.now()
    if notice.subscription is None:
        notice.subscription = _running(notice.email).order_by("-created_at").first()
    notice.save(update_fields=["link_confirmed_at", "subscription"])
    if notice.subscription is not None:
        enqueue_on_commit("shop.tasks.cancel_at_period_end", notice.pk)
    return notice


def cancel_at_period_end(*, notice_id: int) -> str:
    """The worker's step for a notice with its subscription: Stripe ends it with the paid
    period, then the reader is told when. If Stripe does not answer, staff see why on the notice
    and the confirmation says the end follows separately."""
    notice = CancellationNotice.objects.select_related("subscription").get(pk=notice_id)
    if notice.ends_at is None:
        try:
            cancelled = stripe_api.cancel_subscription_at_period_end(
                subscription_id=notice.subscription.stripe_subscription_id
            )
        except stripe_api.StripeUnavailable as exc:
            logger.warning("Notice %s: Stripe did not cancel: %s", notice.pk, exc)
            notice.stripe_error = str(exc)
            notice.save(update_fields=["stripe_error"])
        else:
            services.update_from_stripe(stripe_subscription=cancelled)
            notice.ends_at = services.current_period_end(cancelled)
            notice.save(update_fields=["ends_at"])
    if notice.confirmed_at is None:
        return send_notice_receipt(notice_id=notice.pk)
    return send_contract_end(notice_id=notice.pk)


def _send(notice: CancellationNotice, **context) -> None:
    # § 312k BGB wants the notice's content in the confirmation: the sender's words, quoted.
    send_email(
        to=notice.email,
        language=notice.language,
        template="shop/emails/notice_receipt",
        context={"notice": notice, **context},
        quoting={"name": notice.name, "contract": notice.contract, "reason": notice.reason},
    )


def send_notice_receipt(*, notice_id: int) -> str:
    """The confirmation § 312k BGB asks for, in text form, once: what was received, when, and
    the end if known. For a notice without its subscription, where the address has one running,
    it carries the link that confirms the notice."""

    def send(notice: CancellationNotice) -> None:
        context = {}
        if notice.subscription_id is None and _running(notice.email).exists():
            token = links.confirm_notice_token(notice)
            path = reverse("shop:confirm_notice", kwargs={"token": token})
            context["confirm_url"] = settings.SITE_URL + path
            notice.link_sent_at = notice.link_sent_at or timezone.now()
            notice.save(update_fields=["link_sent_at"])
        _send(notice, **context)

    return send_once(
        CancellationNotice.objects,
        pk=notice_id,
        mark="confirmed_at",
        error="confirmation_error",
        send=send,
    )


def send_contract_end(*, notice_id: int) -> str:
    """After a notice confirmed by link was carried out: the confirmation again, now with the
    contract's end."""

    def send(notice: CancellationNotice) -> str | None:
        if notice.ends_at is None:
            return "no end known (staff see Stripe's error)"
        _send(notice)
        return None

    # Its failure shows where the receipt's would: both are the notice's confirmation.
    return send_once(
        CancellationNotice.objects,
        pk=notice_id,
        mark="end_sent_at",
        error="confirmation_error",
        send=send,
    )
