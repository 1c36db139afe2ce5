"""The KI-Berater subscription: subscribing (by a link e-mailed to the address, which opens the
checkout), keeping its state as Stripe's events tell it, booking each paid invoice as an order,
and ending it at once after a withdrawal.

Stripe sends its events out of order and more than once. The state kept here therefore only
moves forward: an ended subscription stays ended, a period end never moves back, and a period
that was paid is not made past due again by an older copy of the subscription. Only a refund or
dispute of a month takes its payment back (`revoke_paid_period`).
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from plumbing.mail import send_email
from plumbing.tasks import enqueue_on_commit
from shop.accounts.services import buyer_account
from shop.adviser import links
from shop.models import (
    Order,
    Product,
    Subscription,
    SubscriptionPayment,
)
from shop.orders import services as orders
from shop.payments import payloads, stripe_api
from shop.payments.payloads import identifier, mapping, timestamp

logger = logging.getLogger(__name__)


class AlreadySubscribed(Exception):
    """The address has a running subscription; a second one would charge twice."""


def ask_to_subscribe(*, email: str, language: str) -> None:
    """The subscribe form: whatever the address, the same step, so the answer tells nobody who
    subscribes. The worker e-mails the address its link to the checkout, or, to a subscriber,
    that they read already."""
    enqueue_on_commit("shop.tasks.send_subscription_link", email.strip().lower(), language)


def _is_subscribed(email: str) -> bool:
    running = Subscription.objects.filter(email=email, status__in=Subscription.WITH_ACCESS)
    return any(subscription.has_access for subscription in running)


def send_subscription_link(*, email: str, language: str) -> str:
    """The worker's step: the link that opens the checkout, or, for a running subscription,
    a note that it runs (a second one would charge twice)."""
    subscribed = _is_subscribed(email)
    context = {"subscribed": subscribed}
    if not subscribed:
        token = links.subscribe_token(email=email, language=language)
        path = reverse("shop:adviser_checkout", kwargs={"token": token})
        context["url"] = settings.SITE_URL + path
    send_email(
        to=email, language=language, template="shop/emails/subscription_link", context=context
    )
    return "already subscribed" if subscribed else "sent"


def start_subscription(
    *, product: Product, email: str, language: str = settings.LANGUAGE_CODE
) -> str:
    """Creates the subscription and its Stripe Checkout Session in subscription mode; returns the
    URL to send the reader to. `language` is the reader's; every month's e-mail is written in it."""
    email = email.strip().lower()
    if _is_subscribed(email):
        raise AlreadySubscribed(email)
    subscription = Subscription(email=email, product=product, language=language)
    subscription.full_clean(exclude=["reference"])
    orders.save_with_new_reference(subscription, prefix="A")
    session = stripe_api.create_subscription_checkout_session(
        subscription=subscription,
        success_url=settings.SITE_URL + reverse("shop:adviser_welcome"),
        cancel_url=settings.SITE_URL + reverse("shop:adviser"),
    )
    Subscription.objects.filter(pk=subscription.pk).update(stripe_session_id=session["id"])
    return session["url"]


def _locked_subscription(*, stripe_id: str | None, metadata) -> Subscription | None:
    """Ours, by Stripe's id or, before the shop has learnt that id, by the reference the
    checkout put into every object's metadata."""
    locked = Subscription.objects.select_for_update()
    found = locked.filter(stripe_subscription_id=stripe_id).first() if stripe_id else None
    reference = mapping(metadata).get("subscription_reference")
    if found is None and identifier(reference):
        found = locked.filter(reference=reference).first()
    if found is not None and stripe_id and found.stripe_subscription_id not in (None, stripe_id):
        return None  # the reference of ours, but another subscription at Stripe
    if found is not None and stripe_id:
        found.stripe_subscription_id = stripe_id
    return found


def current_period_end(stripe_subscription: dict) -> datetime | None:
    # Since API version 2025-03-31 the billing period lives on the subscription's items.
    items = payloads.listed(stripe_subscription.get("items"))
    ends = [timestamp(mapping(item).get("current_period_end")) for item in items]
    return max((end for end in ends if end), default=None)


@transaction.atomic
def complete_checkout(*, session: dict) -> str:
    """checkout.session.completed in subscription mode: the reader agreed; Stripe's subscription
    and invoice events bring its state and payments."""
    subscription = _locked_subscription(
        stripe_id=identifier(session.get("subscription")), metadata=session.get("metadata")
    )
    if subscription is None:
        return "unknown subscription"
    if session.get("status") != "complete":
        return "no change (session not complete)"
    subscription.stripe_session_id = subscription.stripe_session_id or identifier(session.get("id"))
    subscription.stripe_customer_id = (
        identifier(session.get("customer")) or subscription.stripe_customer_id
    )
    if subscription.status == Subscription.Status.CHECKOUT:
        subscription.status = Subscription.Status.INCOMPLETE
    if subscription.buyer is None:
        subscription.buyer = buyer_account(email=subscription.email)
    subscription.save()
    return "subscription started"


def _apply(subscription: Subscription, stripe_subscription: dict) -> str:
    status = stripe_subscription.get("status")
    if (
        not isinstance(status, str)
        or status not in Subscription.Status.values
        or status == Subscription.Status.CHECKOUT
    ):
        return "unknown status"
    if subscription.is_ended:
        return f"no change ({subscription.status})"
    subscription.stripe_customer_id = (
        identifier(stripe_subscription.get("customer")) or subscription.stripe_customer_id
    )
    if status in Subscription.ENDED:
        subscription.status = status
        subscription.ended_at = timestamp(stripe_subscription.get("ended_at")) or timezone.now()
        subscription.save()
        return "ended"
    period_end = current_period_end(stripe_subscription)
    known_end = subscription.current_period_end
    if period_end is None:
        return "no period"
    if known_end and period_end < known_end:
        return "stale: an older period"
    paid = subscription.paid_until is not None and subscription.paid_until >= period_end
    if status in Subscription.UNPAID and paid:
        # The invoice of this period was paid: this copy is older than that payment.
        status = Subscription.Status.ACTIVE
    # A notice to cancel stands for the period it was given in; an older copy without it
    # must not undo it.
    keeps_notice = subscription.cancel_at_period_end and period_end == known_end
    subscription.status = status
    subscription.current_period_end = period_end
    subscription.cancel_at_period_end = keeps_notice or bool(
        stripe_subscription.get("cancel_at_period_end")
    )
    if subscription.buyer is None:
        subscription.buyer = buyer_account(email=subscription.email)
    subscription.save()
    return status


@transaction.atomic
def update_from_stripe(*, stripe_subscription: dict) -> str:
    """customer.subscription.created, .updated and .deleted: Stripe's status and period end."""
    subscription = _locked_subscription(
        stripe_id=identifier(stripe_subscription.get("id")),
        metadata=stripe_subscription.get("metadata"),
    )
    if subscription is None:
        return "unknown subscription"
    return _apply(subscription, stripe_subscription)


def _invoice_subscription(invoice: dict) -> Subscription | None:
    # Since API version 2025-03-31 an invoice names its subscription under parent.
    details = mapping(mapping(invoice.get("parent")).get("subscription_details"))
    return _locked_subscription(
        stripe_id=identifier(details.get("subscription")), metadata=details.get("metadata")
    )


def _invoice_period(invoice: dict) -> tuple[datetime, datetime] | None:
    """The period the invoice's lines bill. Not the invoice's own period_start/period_end: for a
    subscription those are the period before."""
    lines = payloads.listed(invoice.get("lines"))
    periods = [mapping(mapping(line).get("period")) for line in lines]
    starts = [timestamp(period.get("start")) for period in periods]
    ends = [timestamp(period.get("end")) for period in periods]
    starts, ends = [s for s in starts if s], [e for e in ends if e]
    if not starts or not ends:
        return None
    return min(starts), max(ends)


def _line_description(subscription: Subscription, *, period) -> str:
    """Stored on the line and read in the order's e-mail and invoice, so in the subscriber's
    language, with its dates as that language writes them (as the e-mails' |date does)."""
    with translation.override(subscription.language):
        start, end = (formats.date_format(timezone.localtime(moment)) for moment in period)
        return gettext("KI-Berater-Abo %(start)s–%(end)s") % {"start": start, "end": end}


def _paying_intents(invoice: dict) -> set[str]:
    """The PaymentIntents the invoice names as having paid it: under `payments` since API
    version 2025-03-31 (includable: only there when asked for), under `payment_intent` before."""
    payments = [mapping(payment) for payment in payloads.listed(invoice.get("payments"))]
    intents = {
        payloads.identifier_of(mapping(payment.get("payment")).get("payment_intent"))
        for payment in payments
        if payment.get("status") == "paid"
    }
    intents.add(payloads.identifier_of(invoice.get("payment_intent")))
    intents.discard(None)
    return intents


def _payment_intent(invoice: dict) -> str | None:
    """The one PaymentIntent that paid the invoice. An event's invoice does not carry it, so
    Stripe is asked. None when Stripe cannot say, or names several."""
    intents = _paying_intents(invoice)
    if not intents:
        try:
            intents = _paying_intents(stripe_api.retrieve_invoice_with_payments(invoice["id"]))
        except stripe_api.StripeUnavailable as exc:
            logger.warning("Invoice %s: its payment not known: %s", invoice["id"], exc)
    return intents.pop() if len(intents) == 1 else None


def _book_order(subscription: Subscription, invoice: dict, *, amount: int, period) -> Order:
    """A pending order for one paid period, at the amount Stripe charged, with the payment that
    paid it: refunds and disputes name the payment, not the invoice."""
    payment_intent = _payment_intent(invoice)
    order = Order(
        email=subscription.email,
        language=subscription.language,
        currency=settings.SHOP_CURRENCY,
        total_cents=amount,
        stripe_payment_intent=payment_intent or "",
    )
    order.full_clean(exclude=["reference"])
    orders.save_with_new_reference(order)
    if payment_intent is None:
        # A refund of this month would not find the order; staff learn it now, not then.
        note = gettext(
            "Zahlung zur Stripe-Rechnung %s nicht ermittelt: Erstattungen dieses Monats bitte "
            "von Hand bearbeiten."
        )
        order.flag_for_review(note % invoice["id"])
    # What Stripe charged for the period; a Stripe-side coupon is not the shop's discount.
    orders.add_line(
        order=order,
        product=subscription.product,
        description=_line_description(subscription, period=period),
        list_price_cents=amount,
    )
    return order


@transaction.atomic
def record_paid_invoice(*, invoice: dict) -> str:
    """invoice.paid: the period is paid. Booked as a paid order through the shop's one paying
    path, once per invoice, so it is invoiced and e-mailed like every other order."""
    subscription = _invoice_subscription(invoice)
    if subscription is None:
        return "unknown subscription"
    invoice_id, period, amount = (
        identifier(invoice.get("id")),
        _invoice_period(invoice),
        payloads.cents(invoice.get("amount_paid")),
    )
    if invoice_id is None or period is None or amount is None:
        logger.warning("Invoice %s: no period or amount; not recorded", invoice.get("id"))
        return "unreadable invoice"
    if SubscriptionPayment.objects.filter(stripe_invoice_id=invoice_id).exists():
        return "already recorded"
    # A free period (a coupon) pays for access but is no sale.
    order = _book_order(subscription, invoice, amount=amount, period=period) if amount else None
    SubscriptionPayment.objects.create(
        subscription=subscription,
        stripe_invoice_id=invoice_id,
        order=order,
        period_start=period[0],
        period_end=period[1],
    )
    subscription.paid_until = max(filter(None, [subscription.paid_until, period[1]]))
    if not subscription.is_ended and (
        subscription.current_period_end is None or period[1] >= subscription.current_period_end
    ):
        subscription.status = Subscription.Status.ACTIVE
        subscription.current_period_end = period[1]
    subscription.save()
    if order is None:
        return "free period recorded"
    # In another currency than the shop's, the paying path flags the order for staff. The buyer's
    # name and address, as Stripe keeps them on its invoice, go onto the shop's invoice.
    payment = {
        "id": invoice_id,
        "amount_total": amount,
        "currency": invoice.get("currency"),
        "payment_intent": order.stripe_payment_intent,
        "customer_details": {
            "name": invoice.get("customer_name"),
            "address": invoice.get("customer_address"),
        },
    }
    return orders.pay_order(order=order, payment=payment)


@transaction.atomic
def revoke_paid_period(*, order: Order) -> None:
    """A refund or dispute takes back the month `order` paid, as it takes back an entitlement:
    access then runs as if its invoice had never been paid, to the end of the last period still
    paid (with the grace a renewal gets). The subscription at Stripe goes on: a refunded month
    is no notice, and the next renewal pays again."""
    payment = SubscriptionPayment.objects.filter(order=order, revoked_at__isnull=True).first()
    if payment is None:
        return
    subscription = Subscription.objects.select_for_update().get(pk=payment.subscription_id)
    payment.revoked_at = timezone.now()
    payment.save(update_fields=["revoked_at"])
    still_paid = subscription.payments.filter(revoked_at__isnull=True)
    subscription.paid_until = still_paid.aggregate(end=Max("period_end"))["end"]
    subscription.save(update_fields=["paid_until"])


@transaction.atomic
def end_now(*, subscription_id: int) -> str:
    """A withdrawn subscription ends at once, at Stripe too: no further month is charged and
    access stops now. An ended subscription is left as it is, and so is the
    customer.subscription.deleted event Stripe sends afterwards. Only a subscription with a paid
    month is withdrawn, and its invoice told the shop Stripe's id."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    if subscription.is_ended:
        return f"no change ({subscription.status})"
    cancelled = stripe_api.cancel_subscription_now(
        subscription_id=subscription.stripe_subscription_id
    )
    return _apply(subscription, cancelled)


@transaction.atomic
def record_failed_invoice(*, invoice: dict) -> str:
    """invoice.payment_failed for a renewal: past due. Stripe retries; access continues for the
    grace period after the paid one (Subscription.access_until)."""
    subscription = _invoice_subscription(invoice)
    if subscription is None:
        return "unknown subscription"
    period = _invoice_period(invoice)
    if period is None:
        return "unreadable invoice"
    if subscription.status not in (Subscription.Status.ACTIVE, Subscription.Status.TRIALING):
        return f"no change ({subscription.status})"
    if subscription.paid_until and subscription.paid_until >= period[1]:
        return "no change (period paid)"
    subscription.status = Subscription.Status.PAST_DUE
    subscription.current_period_end = max(
        filter(None, [subscription.current_period_end, period[1]])
    )
    subscription.save()
    return "past due"
