"""Withdrawals: a declaration made with "Vertrag widerrufen" (§ 356a BGB), whether the contract
it names can still be withdrawn, its confirmation of receipt, and the staff's refund.

A declaration is matched to an order, or to a KI-Berater subscription by its Abo-Nummer, only when
the reference and the contract's own e-mail address both fit: a stranger who knows a reference
withdraws nothing, and learns nothing from the page either, which reads the same whether anything
matched or not. The confirmation of receipt goes to the address given; only for a match does it
say whether the contract can still be withdrawn, in the language the declaration was made in.

Whoever knows a buyer's address and order reference could still file a declaration in the
buyer's name. So a matched declaration also sends the contract's own address a link, and staff
can refund only once it was followed (`confirm_by_owner`). The declaration counts from its
receipt all the same: the confirmation says who made it, not when.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from plumbing import links
from plumbing.mail import send_email, send_once
from plumbing.tasks import enqueue_on_commit
from shop.adviser import services as adviser
from shop.ebooks import services as ebooks
from shop.legal import texts as legal
from shop.models import (
    CustomEbook,
    Order,
    OrderLine,
    Subscription,
    SubscriptionPayment,
    WithdrawalConsent,
    WithdrawalDeclaration,
)
from shop.orders.services import read_reference
from shop.payments import stripe_api


class NotRefundable(Exception):
    """The declaration matched no order, names one that can no longer be withdrawn, or is done."""


@dataclass(frozen=True)
class WithdrawalRight:
    is_withdrawable: bool
    reason: str


def matching_contract(*, contract: str, email: str) -> tuple[Order | None, Subscription | None]:
    """The order and, for the KI-Berater, the subscription a declaration names, where the address
    given is theirs. A month's order names its subscription; an Abo-Nummer names the
    subscription and its first paid month's order, whose right is the subscription's. The
    reference is read as readers type it (small letters, O for 0)."""
    contract, email = read_reference(contract), email.strip()
    order = Order.objects.filter(reference=contract, email__iexact=email).first()
    if order is not None:
        month = SubscriptionPayment.objects.filter(order=order).select_related("subscription")
        return order, getattr(month.first(), "subscription", None)
    subscription = Subscription.objects.filter(reference=contract, email__iexact=email).first()
    if subscription is None:
        return None, None
    first_paid = subscription.payments.filter(order__isnull=False).order_by("period_start")
    return getattr(first_paid.first(), "order", None), subscription


def period_ends_on(order: Order) -> date:
    """The last day of the withdrawal period: the day of the contract (payment) is not counted
    (§ 187 Abs. 1 BGB), and the period runs to the end of its last day (§ 188 Abs. 1 BGB).
    A KI-Berater renewal is no new contract: its period runs from the subscription's first payment,
    so the subscription keeps its right of withdrawal for its first 14 days only."""
    first_period = (
        SubscriptionPayment.objects.filter(subscription__payments__order=order)
        .order_by("period_start")
        .first()
    )
    concluded = first_period.period_start if first_period else order.paid_at or order.created_at
    return timezone.localdate(concluded) + timedelta(days=settings.WITHDRAWAL_PERIOD_DAYS)


def withdrawal_right(*, order: Order, at: datetime) -> WithdrawalRight:
    """Whether `order` could still be withdrawn at `at`, and why, line by line: the one place
    that knows. The period is the order's (`period_ends_on`: the subscription's counts from its
    first month); a product kind with its own rule adds it in `_line_right`. The reason is
    written in the active language, its dates as that language writes them."""
    if not order.is_paid:
        return WithdrawalRight(False, _("Die Bestellung ist nicht bezahlt."))
    consent = WithdrawalConsent.objects.filter(order=order).first()
    ends_on = period_ends_on(order)
    in_period = timezone.localdate(at) <= ends_on
    rights = [
        (line, _line_right(line, consent=consent, in_period=in_period, ends_on=ends_on))
        for line in order.lines.select_related("product")
    ]
    return WithdrawalRight(
        any(right.is_withdrawable for _line, right in rights),
        "\n".join(f"{line.description}: {right.reason}" for line, right in rights),
    )


def _line_right(
    line: OrderLine, *, consent: WithdrawalConsent | None, in_period: bool, ends_on: date
) -> WithdrawalRight:
    ends = formats.date_format(ends_on)
    if not in_period:
        return WithdrawalRight(False, _("Die Widerrufsfrist endete am %(date)s.") % {"date": ends})
    ebook = CustomEbook.objects.filter(order_line=line).first()
    if ebook is not None:
        if ebook.state in (CustomEbook.State.AWAITING_WISH, CustomEbook.State.NEW):
            return WithdrawalRight(
                True,
                _("Die Redaktion hat mit dem E-Book noch nicht begonnen (Frist bis %(date)s).")
                % {"date": ends},
            )
        return WithdrawalRight(
            False,
            _("Die Zusammenstellung hat begonnen (Status: %(state)s).")
            % {"state": ebook.get_state_display()},
        )
    if legal.asks_lapse_consent(line.product.kind) and consent is not None:
        given = timezone.localtime(consent.given_at)
        return WithdrawalRight(
            False,
            _(
                "Das Widerrufsrecht ist mit Beginn der Lieferung erloschen: Zustimmung vom "
                "%(date)s (Fassung %(version)s)."
            )
            % {
                "date": f"{formats.date_format(given)}, {formats.time_format(given)}",
                "version": consent.version,
            },
        )
    return WithdrawalRight(True, _("Innerhalb der Widerrufsfrist bis %(date)s.") % {"date": ends})


@transaction.atomic
def declare(
    *, name: str, email: str, contract: str, message: str, language: str = settings.LANGUAGE_CODE
) -> WithdrawalDeclaration:
    """Records the declaration as received and has its confirmation of receipt sent at once. The
    assessment is written in the declaration's language: the confirmation quotes it."""
    order, subscription = matching_contract(contract=contract, email=email)
    declaration = WithdrawalDeclaration(
        name=name.strip(), email=email.strip().lower(), contract=contract.strip(),
        message=message.strip(), order=order, subscription=subscription, language=language,
    )  # fmt: skip
    with translation.override(language):
        right = _assessment(declaration)
    declaration.is_withdrawable, declaration.assessment = right.is_withdrawable, right.reason
    declaration.full_clean()
    declaration.save()
    enqueue_on_commit("shop.tasks.send_withdrawal_confirmation", declaration.pk)
    if declaration.is_matched:
        enqueue_on_commit("shop.tasks.send_withdrawal_owner_request", declaration.pk)
    return declaration


def _assessment(declaration: WithdrawalDeclaration) -> WithdrawalRight:
    if declaration.order is not None:
        return withdrawal_right(order=declaration.order, at=declaration.received_at)
    if declaration.subscription is not None:
        return WithdrawalRight(
            False,
            _("Abo %(reference)s ohne bezahlten Monat: nichts zu erstatten. Bitte von Hand prüfen.")
            % {"reference": declaration.subscription.reference},
        )
    return WithdrawalRight(
        False,
        _(
            "Keinem Vertrag zugeordnet (Bestell- oder Abo-Nummer und E-Mail-Adresse passen zu "
            "keinem Vertrag). Bitte von Hand prüfen."
        ),
    )


def _locked(declaration_id: int) -> WithdrawalDeclaration:
    return WithdrawalDeclaration.objects.select_for_update().get(pk=declaration_id)


def send_receipt(*, declaration_id: int) -> str:
    """The confirmation of receipt § 356a BGB asks for, once: what was declared, and when, in
    the language of the page it was declared on."""

    def send(declaration: WithdrawalDeclaration) -> None:
        send_email(
            to=declaration.email,
            language=declaration.language,
            template="shop/emails/withdrawal_receipt",
            context={"declaration": declaration},
            quoting={
                "name": declaration.name,
                "contract": declaration.contract,
                "message": declaration.message,
            },
        )

    return send_once(
        WithdrawalDeclaration.objects,
        pk=declaration_id,
        mark="confirmation_sent_at",
        error="confirmation_error",
        send=send,
    )


OWNER_LINK_SALT = "shop.withdrawals.owner-confirmation"


def owner_link(declaration: WithdrawalDeclaration) -> str:
    token = links.make_token({"declaration": declaration.pk}, salt=OWNER_LINK_SALT)
    return settings.SITE_URL + reverse("shop:withdrawal_owner_confirm", kwargs={"token": token})


def send_owner_request(*, declaration_id: int) -> str:
    """Once, to the contract's own address: the link that confirms the declaration was made by
    its owner. A declaration that matched nothing has no owner to ask."""

    def send(declaration: WithdrawalDeclaration) -> str | None:
        if not declaration.is_matched:
            return "no contract matched"
        send_email(
            to=declaration.contract_email,
            language=declaration.language,
            template="shop/emails/withdrawal_owner_request",
            context={
                "declaration": declaration,
                "reference": (declaration.subscription or declaration.order).reference,
                "url": owner_link(declaration),
                "valid_days": settings.WITHDRAWAL_OWNER_LINK_MAX_AGE.days,
            },
        )
        return None

    return send_once(
        WithdrawalDeclaration.objects.select_related("order", "subscription"),
        pk=declaration_id, mark="owner_request_sent_at", error="confirmation_error", send=send,
    )  # fmt: skip


def _declaration_of_owner_link(token: str, rows) -> WithdrawalDeclaration:
    data = links.read_token(
        token, salt=OWNER_LINK_SALT, max_age=settings.WITHDRAWAL_OWNER_LINK_MAX_AGE
    )
    declaration = rows.filter(pk=data.get("declaration")).first()
    if declaration is None or not declaration.is_matched:
        raise links.LinkInvalid
    return declaration


def declaration_for_owner_link(*, token: str) -> WithdrawalDeclaration:
    """What the link's page shows before its button is pressed; raises links.LinkInvalid
    (LinkExpired after WITHDRAWAL_OWNER_LINK_MAX_AGE)."""
    return _declaration_of_owner_link(token, WithdrawalDeclaration.objects)


@transaction.atomic
def confirm_by_owner(*, token: str) -> WithdrawalDeclaration:
    """The contract's owner pressed the link's button: staff may now refund. Pressing it again
    changes nothing."""
    declaration = _declaration_of_owner_link(
        token, WithdrawalDeclaration.objects.select_for_update()
    )
    if declaration.owner_confirmed_at is None:
        declaration.owner_confirmed_at = timezone.now()
        declaration.save(update_fields=["owner_confirmed_at"])
    return declaration


def unconfirmed_declaration_ids(*, received_before: datetime) -> list[int]:
    """Declarations whose confirmation should have gone out by now: a broker that lost the task
    must not leave one unconfirmed."""
    return list(
        WithdrawalDeclaration.objects.filter(
            confirmation_sent_at__isnull=True, received_at__lt=received_before
        ).values_list("pk", flat=True)
    )


def owner_request_missing_ids(*, received_before: datetime) -> list[int]:
    """Open, matched declarations whose owner was never asked: the task was lost, or they came
    before owners were asked."""
    return list(
        WithdrawalDeclaration.objects.filter(
            owner_request_sent_at__isnull=True, handled_at__isnull=True,
            received_at__lt=received_before,
        )
        .exclude(order__isnull=True, subscription__isnull=True)
        .values_list("pk", flat=True)
    )  # fmt: skip


@transaction.atomic
def refund(*, declaration_id: int, by) -> WithdrawalDeclaration:
    """Asks Stripe to refund what the withdrawn contract cost and marks the declaration handled.
    A withdrawn subscription first ends at Stripe at once, so no further month is charged, and
    every month it still counts as paid is refunded. The charge.refunded webhook does the rest
    (invoice, entitlements, the months' access). If Stripe refuses, the declaration stays open;
    Stripe's answers to a repeated action are those of the first, so nothing happens twice."""
    declaration = _locked(declaration_id)
    if declaration.handled_at:
        raise NotRefundable(_("Bereits erledigt."))
    if declaration.order_id is None or not declaration.is_withdrawable:
        raise NotRefundable(declaration.assessment)
    if declaration.owner_confirmed_at is None:
        raise NotRefundable(_("Bestätigung durch den Vertragsinhaber ausstehend."))
    orders = _withdrawn_orders(declaration)
    if declaration.subscription_id is not None:
        adviser.end_now(subscription_id=declaration.subscription_id)
    refund_ids = [refund_id for order in orders for refund_id in _refund_lines(order, by=by)]
    declaration.refund_ids = ", ".join(filter(None, refund_ids))
    _mark_handled(declaration, by=by)
    return declaration


def _withdrawn_orders(declaration: WithdrawalDeclaration) -> list[Order]:
    """The order declared; for the subscription, each month still counted as paid: a renewal
    charged before staff acted was charged under the withdrawn contract too. Locked before the
    subscription, in the order the refund webhook locks them."""
    locked = Order.objects.select_for_update().order_by("pk")
    if declaration.subscription_id is None:
        return [locked.get(pk=declaration.order_id)]
    months = SubscriptionPayment.objects.filter(
        subscription=declaration.subscription_id, revoked_at__isnull=True
    )
    return list(locked.filter(pk__in=months.values("order")))


def _refund_lines(order: Order, *, by) -> list[str]:
    """A custom eBook is cancelled through its own state machine, which refunds its line; every
    other line is refunded under a key of its own, so a repeated action never refunds twice."""
    refund_ids = []
    for line in order.lines.all():
        ebook = CustomEbook.objects.filter(order_line=line).first()
        if ebook is not None:
            if ebook.state != CustomEbook.State.REFUNDED:
                ebook = ebooks.change_state(ebook_id=ebook.pk, to=CustomEbook.State.REFUNDED, by=by)
            refund_ids.append(ebook.refund_id)
        elif order.stripe_payment_intent:
            refunded = stripe_api.refund_payment(
                payment_intent=order.stripe_payment_intent,
                amount_cents=line.gross_cents,
                idempotency_key=f"refund-order-line-{line.pk}",
            )
            refund_ids.append(refunded["id"])
    return refund_ids


@transaction.atomic
def close_without_refund(*, declaration_id: int, by) -> WithdrawalDeclaration:
    """Staff answered it otherwise (no right of withdrawal, no contract found)."""
    declaration = _locked(declaration_id)
    if declaration.handled_at:
        raise NotRefundable(_("Bereits erledigt."))
    _mark_handled(declaration, by=by)
    return declaration


def _mark_handled(declaration: WithdrawalDeclaration, *, by) -> None:
    declaration.handled_at, declaration.handled_by = timezone.now(), by
    declaration.save(update_fields=["handled_at", "handled_by", "refund_ids"])
