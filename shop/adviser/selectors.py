"""Reads for the KI-Berater: who may use it, and until when."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from shop.models import CancellationNotice, Entitlement, Product, Subscription


@dataclass(frozen=True)
class AdviserAccess:
    """Why a reader may read every article online, and until when."""

    until: datetime
    # Either their own subscription, or a grant that comes with a custom eBook or a series.
    subscription: Subscription | None = None


def adviser_access(*, user) -> AdviserAccess | None:
    """The one answer to "may this reader read the KI-Berater": from a subscription while paid (and
    through the grace period after a failed renewal), else from a custom eBook or series bought
    within ADVISER_GRANT_PERIOD whose entitlement still stands. Two queries at most."""
    if not user.is_authenticated:
        return None
    now = timezone.now()
    running = Subscription.objects.filter(
        buyer=user,
        status__in=Subscription.WITH_ACCESS,
        paid_until__gt=now - settings.ADVISER_GRACE_PERIOD,
    ).order_by("-paid_until")
    for subscription in running:
        if subscription.has_access:
            return AdviserAccess(until=subscription.access_until, subscription=subscription)
    # Derived from the ledger, never stored: a refund that revokes the source ends it too.
    latest_paid = Entitlement.objects.filter(
        buyer=user,
        revoked_at__isnull=True,
        product__kind__in=[Product.Kind.CUSTOM_EBOOK, Product.Kind.SERIES],
        order_line__order__paid_at__gt=now - settings.ADVISER_GRANT_PERIOD,
    ).aggregate(latest=Max("order_line__order__paid_at"))["latest"]
    if latest_paid is None:
        return None
    return AdviserAccess(until=latest_paid + settings.ADVISER_GRANT_PERIOD)


def notices_awaiting_confirmation():
    """Notices that named no fitting Abo-Nummer, whose link went out longer ago than
    CANCELLATION_CONFIRMATION_DUE and was never used: staff must look at them."""
    return CancellationNotice.objects.filter(
        subscription__isnull=True,
        link_confirmed_at__isnull=True,
        link_sent_at__lt=timezone.now() - settings.CANCELLATION_CONFIRMATION_DUE,
    )
