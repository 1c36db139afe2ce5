"""Everything that changes an order: checkout, payment (from the webhook, the success page or a
KI-Berater invoice), abandonment, and the entitlements payment grants."""

import logging
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from courses import services as courses
from plumbing.tasks import enqueue_on_commit
from shop.accounts.selectors import account_for
from shop.accounts.services import buyer_account
from shop.catalog.selectors import series_offer
from shop.ebooks import services as ebooks
from shop.invoicing import services as invoicing
from shop.legal import texts as legal
from shop.models import (
    Entitlement,
    Order,
    OrderLine,
    Product,
    Subscription,
    WithdrawalConsent,
)
from shop.money import vat_included
from shop.orders import discounts
from shop.payments import payloads, stripe_api

logger = logging.getLogger(__name__)


# Crockford's base32: digits and capitals without I, L, O and U, which readers confuse.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 5


def new_order_reference() -> str:
    """A reference nobody can guess from another one (2026-K7QF-2MZP: 40 random bits), so a
    stranger cannot name a buyer's order. Invoice numbers, not these, are the gap-free sequence
    the law asks for."""
    drawn = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{timezone.localdate().year}-{drawn[:4]}-{drawn[4:]}"


def read_reference(typed: str) -> str:
    """A reference as a reader may type it (spaces, small letters, O for 0, I or L for 1), in the
    form the shop stores it. Older references (2026-000123, A2026-000045) read the same."""
    return "".join(typed.split()).upper().translate(str.maketrans("OIL", "011"))


def save_with_new_reference(record: Order | Subscription, *, prefix: str = "") -> None:
    """Saves a new order or subscription under a fresh reference. The database's unique
    constraint catches the rare drawing of one already taken; another is drawn."""
    for attempt in range(REFERENCE_ATTEMPTS):
        record.reference = prefix + new_order_reference()
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
        else:
            return


class LapseConsentMissing(Exception):
    """Content delivered at once is sold only with the buyer's consent to the lapse of the right
    of withdrawal, given to the text in force (`shop.legal`)."""


@transaction.atomic
def create_order(
    *,
    product: Product,
    email: str,
    discount_code: str = "",
    lapse_consent_version: str | None = None,
    language: str = settings.LANGUAGE_CODE,
) -> Order:
    """A pending order with a snapshot of the product's current price, the only source of prices
    (for a series, what it costs the buyer who owns some parts already), less what a discount
    code takes off (raises discounts.DiscountRefused). With
    `lapse_consent_version`, the buyer agreed to that version of the lapse consent now.
    `language` is the buyer's at checkout; the order's e-mails are written in it."""
    price_cents = product.price_cents
    if product.kind == Product.Kind.SERIES:
        price_cents = series_offer(series=product.series, user=account_for(email=email)).price_cents
    redemption = (
        discounts.redeem(code=discount_code, product=product, email=email, price_cents=price_cents)
        if discount_code.strip()
        else None
    )
    discount_cents = redemption.discount_cents if redemption else 0
    gross_cents = price_cents - discount_cents
    order = Order(
        email=email.strip().lower(),
        language=language,
        currency=settings.SHOP_CURRENCY,
        total_cents=gross_cents,
        discount_code=redemption.code if redemption else None,
        discount_code_text=redemption.code.code if redemption else "",
        discount_buyer=discounts.counted_buyer(email) if redemption else "",
    )
    order.full_clean(exclude=["reference"])
    save_with_new_reference(order)
    add_line(
        order=order, product=product, list_price_cents=price_cents, discount_cents=discount_cents
    )
    if lapse_consent_version is not None:
        if lapse_consent_version != legal.LAPSE_CONSENT_VERSION:
            raise LapseConsentMissing(lapse_consent_version)
        WithdrawalConsent.objects.create(
            order=order, text=str(legal.LAPSE_CONSENT_TEXT), version=lapse_consent_version
        )
    return order


def add_line(
    *,
    order: Order,
    product: Product,
    description: str = "",
    list_price_cents: int | None = None,
    discount_cents: int = 0,
) -> OrderLine:
    """A line of a pending order: what it sells, at the product's price unless Stripe charged
    another (a KI-Berater month), less its discount, with the VAT that gross contains. Every
    line is made here, so every line's VAT is computed the same way."""
    list_price = product.price_cents if list_price_cents is None else list_price_cents
    gross_cents = list_price - discount_cents
    return OrderLine.objects.create(
        order=order,
        product=product,
        description=description or product.name,
        list_price_cents=list_price,
        discount_cents=discount_cents,
        gross_cents=gross_cents,
        vat_rate=product.vat_rate,
        vat_cents=vat_included(gross_cents=gross_cents, rate_percent=product.vat_rate),
    )


def start_checkout(
    *,
    product: Product,
    email: str,
    discount_code: str = "",
    lapse_consent_version: str | None = None,
    language: str = settings.LANGUAGE_CODE,
) -> str:
    """Creates the order and its Stripe Checkout Session; returns the URL to send the buyer to.
    Without the consent its product needs, neither is made."""
    if legal.asks_lapse_consent(product.kind) and lapse_consent_version is None:
        raise LapseConsentMissing(product.kind)
    order = create_order(
        product=product,
        email=email,
        discount_code=discount_code,
        lapse_consent_version=lapse_consent_version,
        language=language,
    )
    success_url = settings.SITE_URL + reverse("shop:checkout_success")
    try:
        session = stripe_api.create_checkout_session(
            order=order,
            success_url=success_url + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=settings.SITE_URL + reverse("shop:checkout_cancelled"),
        )
    except stripe_api.StripeUnavailable:
        # No session, so no webhook will ever end this order: end it here, which also gives
        # back the discount code it redeemed.
        _abandon_unstarted(order_id=order.pk)
        raise
    Order.objects.filter(pk=order.pk).update(stripe_session_id=session["id"])
    return session["url"]


@transaction.atomic
def _abandon_unstarted(*, order_id: int) -> None:
    order = Order.objects.select_for_update().get(pk=order_id)
    order.move_to(Order.Status.ABANDONED)
    order.save(update_fields=["status"])


def _locked_order_for(session: dict) -> Order | None:
    reference = payloads.metadata_value(session, "order_reference") or payloads.identifier(
        session.get("client_reference_id")
    )
    if reference is None:
        return None
    return Order.objects.select_for_update().filter(reference=reference).first()


def _pay(order: Order, session: dict) -> str:
    if order.is_paid:
        return "already paid"
    if order.status == Order.Status.ABANDONED:
        order.flag_for_review(
            f"Zahlung für abgebrochene Bestellung eingegangen ({session.get('id')})."
        )
        return "paid after abandonment: flagged"
    amount, currency = session.get("amount_total"), str(session.get("currency") or "").lower()
    if amount != order.total_cents or currency != order.currency:
        order.flag_for_review(
            f"Betrag laut Stripe {amount} {currency}, Bestellung {order.total_cents} "
            f"{order.currency} (Session {session.get('id')})."
        )
        logger.warning("Order %s: amount mismatch, not paid", order.reference)
        return "amount mismatch: flagged"
    delayed_payment = order.status == Order.Status.AWAITING_PAYMENT
    order.move_to(Order.Status.PAID)
    order.paid_at = timezone.now()
    order.stripe_payment_intent = payloads.identifier(session.get("payment_intent")) or ""
    order.buyer = buyer_account(email=order.email)
    order.save()
    grant_entitlements(order=order)
    invoicing.issue_invoice(order=order, session=session, delayed_payment=delayed_payment)
    enqueue_on_commit("shop.tasks.fulfil_order", order.pk)
    return "paid"


@transaction.atomic
def pay_order(*, order: Order, payment: dict) -> str:
    """Pays an order from another Stripe object than a Checkout Session (a subscription's paid
    invoice: id, amount_total, currency), the same way the webhook pays a checkout."""
    return _pay(Order.objects.select_for_update().get(pk=order.pk), payment)


def grant_entitlements(*, order: Order) -> None:
    """One entitlement per line for what it sold; a series line also one for each of its parts.
    A part the buyer owns already is granted again on this line: owning it is no reason to
    fail, and refunding either purchase later revokes only its own line."""
    for line in order.lines.select_related("product__course"):
        if line.product.kind == Product.Kind.ADVISER:
            continue  # access follows the subscription's state, not a paid line
        products = [line.product]
        if line.product.kind == Product.Kind.SERIES:
            products += Product.objects.filter(
                kind=Product.Kind.ARTICLE, article__series_parts__series=line.product.series_id
            ).order_by("article__series_parts__position")
        for product in products:
            Entitlement.objects.get_or_create(
                order_line=line, product=product, defaults={"buyer": order.buyer}
            )
        if line.product.kind == Product.Kind.COURSE:
            courses.enrol(learner=order.buyer, course=line.product.course, language=order.language)
        if line.product.kind == Product.Kind.CUSTOM_EBOOK:
            ebooks.open_for(line=line, buyer=order.buyer)


@transaction.atomic
def complete_checkout(*, session: dict) -> str:
    """checkout.session.completed, and the success page: paid now, or waiting for a SEPA debit."""
    order = _locked_order_for(session)
    if order is None:
        return "unknown order"
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return _pay(order, session)
    if order.status == Order.Status.PENDING:
        order.move_to(Order.Status.AWAITING_PAYMENT)
        order.save(update_fields=["status"])
        return "awaiting payment"
    return f"no change ({order.status})"


@transaction.atomic
def confirm_async_payment(*, session: dict) -> str:
    order = _locked_order_for(session)
    if order is None:
        return "unknown order"
    return _pay(order, session)


@transaction.atomic
def abandon_checkout(*, session: dict) -> str:
    """The session expired or the delayed payment failed: the order will never be paid."""
    order = _locked_order_for(session)
    if order is None:
        return "unknown order"
    if Order.Status.ABANDONED not in Order.TRANSITIONS[order.status]:
        return f"no change ({order.status})"
    order.move_to(Order.Status.ABANDONED)
    order.save(update_fields=["status"])
    return "abandoned"


# What Stripe's Checkout Session ids look like; anything else is no session of ours.
CHECKOUT_SESSION_ID = re.compile(r"cs_(test|live)_[A-Za-z0-9]{1,250}")


def confirm_checkout_return(*, session_id: str) -> Order | None:
    """The buyer is back from Stripe, maybe before the webhook: settle the order the same way.
    Stripe is asked only about a session of one of our orders that still waits for its
    payment, so a visitor's made-up id costs no request to Stripe with our key."""
    if not CHECKOUT_SESSION_ID.fullmatch(session_id):
        return None
    order = Order.objects.filter(stripe_session_id=session_id).first()
    if order is None or order.status not in (Order.Status.PENDING, Order.Status.AWAITING_PAYMENT):
        return order
    try:
        session = stripe_api.retrieve_checkout_session(session_id)
    except stripe_api.StripeUnavailable:
        logger.warning("Could not fetch checkout session %s; waiting for the webhook", session_id)
    else:
        if session.get("status") == "complete":
            complete_checkout(session=session)
    order.refresh_from_db()
    return order
