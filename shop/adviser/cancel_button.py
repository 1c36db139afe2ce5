"""The cancel button (§ 312k BGB): a notice given without signing in, recorded first whatever
follows; a matching KI-Berater subscription cancelled at the end of its paid period; the
confirmation of receipt sent at once."""

import logging

from django.conf import settings
from django.db import transaction

from plumbing.mail import send_email, send_once
from plumbing.tasks import enqueue_on_commit
from shop.adviser import services
from shop.models import CancellationNotice, Subscription
from shop.payments import stripe_api

logger = logging.getLogger(__name__)


def _subscription_to_cancel(*, email: str, contract: str) -> Subscription | None:
    running = Subscription.objects.filter(
        email__iexact=email.strip(), stripe_subscription_id__isnull=False
    ).exclude(status__in=Subscription.ENDED)
    named = running.filter(reference__iexact=contract.strip()).first() if contract.strip() else None
    return named or running.order_by("-created_at").first()


def give_notice(
    *,
    name: str,
    email: str,
    contract: str = "",
    kind: str,
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> CancellationNotice:
    """The cancel button: the notice is recorded first, whatever follows; a matching
    subscription is cancelled at the end of its paid period; the confirmation goes out at once."""
    with transaction.atomic():
        notice = CancellationNotice(
            name=name, email=email.strip(), contract=contract, kind=kind, reason=reason,
            language=language,
        )  # fmt: skip
        notice.full_clean()
        notice.subscription = _subscription_to_cancel(email=email, contract=contract)
        notice.save()
    subscription = notice.subscription
    if subscription is not None:
        try:
            cancelled = stripe_api.cancel_subscription_at_period_end(
                subscription_id=subscription.stripe_subscription_id
            )
        except stripe_api.StripeUnavailable as exc:
            logger.warning("Notice %s: Stripe did not cancel: %s", notice.pk, exc)
            notice.stripe_error = str(exc)
            notice.save(update_fields=["stripe_error"])
        else:
            services.update_from_stripe(stripe_subscription=cancelled)
            notice.ends_at = services.current_period_end(cancelled)
            notice.save(update_fields=["ends_at"])
    try:
        send_notice_receipt(notice_id=notice.pk)
    except OSError:
        logger.warning("Notice %s: receipt not sent now; the worker retries", notice.pk)
        enqueue_on_commit("shop.tasks.send_cancellation_confirmation", notice.pk)
    return notice


def send_notice_receipt(*, notice_id: int) -> str:
    """The confirmation § 312k BGB asks for, in text form, once: what was received, when, and
    the end if known."""

    def send(notice: CancellationNotice) -> None:
        send_email(
            to=notice.email,
            language=notice.language,
            template="shop/emails/notice_receipt",
            context={"notice": notice},
        )

    return send_once(
        CancellationNotice.objects,
        pk=notice_id,
        mark="confirmed_at",
        error="confirmation_error",
        send=send,
    )
