"""Refunds and disputes from Stripe: a credit note per refund, and the refunded lines'
entitlements revoked.

Which lines a refund covers: the lines its metadata names (the shop's own refunds, such as a
refunded custom eBook), else all lines not yet refunded when it refunds what they cost together,
else the one set of open lines whose gross adds up to the amount. When none or several match, the
credit note is issued for the amount alone, nothing is revoked, and the order is flagged
for staff to decide: a guess could take away what the buyer still paid for.
"""

import itertools
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as courses
from plumbing.tasks import enqueue_on_commit
from shop.adviser import services as adviser
from shop.invoicing import services as invoicing
from shop.models import Entitlement, Invoice, Order, OrderLine, Product
from shop.money import format_eur
from shop.payments import payloads

logger = logging.getLogger(__name__)

# More open lines than this are not searched for a matching set: staff decide.
MAX_LINES_TO_MATCH = 12


@dataclass(frozen=True)
class Refund:
    id: str
    amount_cents: int
    line_ids: frozenset[int]


def _locked_order(payment_intent) -> Order | None:
    payment_intent = payloads.identifier(payment_intent)
    if payment_intent is None:
        return None
    return Order.objects.select_for_update().filter(stripe_payment_intent=payment_intent).first()


def _refunds_in(charge: dict, *, already_credited_cents: int) -> list[Refund]:
    """The charge's refunds. Stripe lists them in `refunds` where the API version includes it;
    otherwise what `amount_refunded` adds beyond the refunds handled so far is one refund,
    named by the charge and that total, so a replay finds it handled."""
    if isinstance(payloads.mapping(charge.get("refunds")).get("data"), list):
        return [
            Refund(refund["id"], refund["amount"], _line_ids(refund))
            for refund in map(payloads.mapping, payloads.listed(charge.get("refunds")))
            if payloads.identifier(refund.get("id"))
            and payloads.cents(refund.get("amount"))
            and refund.get("status") not in ("failed", "canceled")
        ]
    total = payloads.cents(charge.get("amount_refunded"))
    if total is None or total <= already_credited_cents:
        return []
    return [Refund(f"{charge.get('id')}/{total}", total - already_credited_cents, frozenset())]


def _line_ids(refund: dict) -> frozenset[int]:
    value = payloads.metadata_value(refund, "order_lines")
    if value is None:
        return frozenset()
    return frozenset(int(part) for part in value.split(",") if part.strip().isdigit())


def _refunded_lines(refund: Refund, open_lines: list[OrderLine]) -> list[OrderLine] | None:
    named = [line for line in open_lines if line.pk in refund.line_ids]
    if named and sum(line.gross_cents for line in named) == refund.amount_cents:
        return named
    if sum(line.gross_cents for line in open_lines) == refund.amount_cents:
        return open_lines
    if len(open_lines) > MAX_LINES_TO_MATCH:
        return None
    matches = [
        list(subset)
        for size in range(1, len(open_lines))
        for subset in itertools.combinations(open_lines, size)
        if sum(line.gross_cents for line in subset) == refund.amount_cents
    ]
    return matches[0] if len(matches) == 1 else None


def revoke_lines(*, order: Order, lines: list[OrderLine]) -> None:
    """Takes back what the lines granted; a course closes unless another purchase still
    entitles the buyer to it; a KI-Berater month no longer counts as paid."""
    now = timezone.now()
    Entitlement.objects.filter(order_line__in=lines, revoked_at__isnull=True).update(revoked_at=now)
    for line in lines:
        if line.product.kind == Product.Kind.ADVISER:
            adviser.revoke_paid_period(order=order)
        if line.product.kind != Product.Kind.COURSE or order.buyer is None:
            continue
        still_entitled = Entitlement.objects.filter(
            buyer=order.buyer, product=line.product, revoked_at__isnull=True
        ).exists()
        if not still_entitled:
            courses.end_enrolment(learner=order.buyer, course=line.product.course)


@transaction.atomic
def refund_charge(*, charge: dict) -> str:
    """charge.refunded: one credit note for each refund not handled before."""
    order = _locked_order(charge.get("payment_intent"))
    if order is None:
        return "unknown order"
    original = order.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    if original is None:
        order.flag_for_review(_("Erstattung ohne Rechnung eingegangen (%s).") % charge.get("id"))
        return "refund without invoice: flagged"
    credit_notes = order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE)
    credited_cents = -sum(invoice.total_gross_cents() for invoice in credit_notes)
    handled = set(credit_notes.values_list("stripe_refund_id", flat=True))
    outcomes = []
    for refund in _refunds_in(charge, already_credited_cents=credited_cents):
        if refund.id in handled:
            continue
        if refund.amount_cents > original.total_gross_cents() - credited_cents:
            order.flag_for_review(
                _("Erstattung %s übersteigt den offenen Rechnungsbetrag.") % refund.id
            )
            outcomes.append("refund exceeds invoice: flagged")
            continue
        outcomes.append(_credit(order, original, refund))
        credited_cents += refund.amount_cents
    return "; ".join(outcomes) or "no new refund"


def _credit(order: Order, original: Invoice, refund: Refund) -> str:
    open_lines = list(
        order.lines.filter(invoice_lines__isnull=False)
        .exclude(invoice_lines__invoice__kind=Invoice.Kind.CREDIT_NOTE)
        .select_related("product__course")
        .distinct()
        .order_by("pk")
    )
    lines = _refunded_lines(refund, open_lines)
    credit_note = invoicing.issue_credit_note(
        original=original, refund_id=refund.id, amount_cents=refund.amount_cents, lines=lines
    )
    enqueue_on_commit("shop.tasks.send_cancellation_invoice", credit_note.pk)
    if lines is None:
        note = _(
            "Teilerstattung %(refund)s über %(amount)s passt zu keiner Position: bitte prüfen."
        )
        order.flag_for_review(
            note % {"refund": refund.id, "amount": format_eur(refund.amount_cents)}
        )
        return f"partial refund {credit_note.number}: flagged"
    revoke_lines(order=order, lines=lines)
    return f"refunded {credit_note.number}"


@transaction.atomic
def dispute_charge(*, dispute: dict) -> str:
    """charge.dispute.created: the buyer's bank contests the payment. Access ends while it runs;
    no invoice changes until staff know the outcome."""
    order = _locked_order(dispute.get("payment_intent"))
    if order is None:
        return "unknown order"
    revoke_lines(order=order, lines=list(order.lines.select_related("product__course")))
    order.flag_for_review(_("Zahlung angefochten (%s): Zugriff gesperrt.") % dispute.get("id"))
    return "disputed: revoked and flagged"
