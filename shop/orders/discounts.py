"""Redeeming a discount code at checkout: whether it may be used now, by this buyer, for this
product, and how much it takes off. Callers hold the transaction that creates the order."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import DiscountCode, Order, Product
from shop.money import STRIPE_MINIMUM_CENTS, format_eur
from shop.payments import stripe_api

# Gmail ignores dots in the part before the @, so these are one mailbox; other providers do
# not (a.b@web.de and ab@web.de may be two people), so their dots count.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


class DiscountRefused(Exception):
    """The code cannot be used for this checkout; the message says why, for the buyer."""


@dataclass(frozen=True)
class Redemption:
    code: DiscountCode
    discount_cents: int


def redeem(
    *, code: str, product: Product, email: str, price_cents: int | None = None
) -> Redemption:
    """Locks the code's row until the order-creating transaction ends, so that simultaneous
    checkouts count each other's orders: the limits hold exactly. The code takes its share of
    `price_cents`, what this buyer is asked for the product (its price unless said)."""
    price_cents = product.price_cents if price_cents is None else price_cents
    discount = (
        DiscountCode.objects.select_for_update().filter(code__iexact=code.strip()).first()
        if code.strip()
        else None
    )
    if discount is None:
        raise DiscountRefused(_("Diesen Rabattcode kennen wir nicht."))
    now = timezone.now()
    if now < discount.valid_from:
        raise DiscountRefused(_("Dieser Rabattcode gilt noch nicht."))
    if not discount.is_valid_at(now):
        raise DiscountRefused(_("Dieser Rabattcode ist abgelaufen."))
    if not discount.applies_to(product):
        raise DiscountRefused(_("Dieser Rabattcode gilt nicht für dieses Produkt."))
    redeemed = redemptions(discount)
    if discount.max_redemptions is not None and redeemed.count() >= discount.max_redemptions:
        raise DiscountRefused(_("Dieser Rabattcode ist bereits vollständig eingelöst."))
    if (
        discount.max_redemptions_per_buyer is not None
        and redeemed.filter(discount_buyer=counted_buyer(email)).count()
        >= discount.max_redemptions_per_buyer
    ):
        raise DiscountRefused(_("Sie haben diesen Rabattcode bereits eingelöst."))
    discount_cents = discount.discount_cents(price_cents)
    if 0 < price_cents - discount_cents < STRIPE_MINIMUM_CENTS:
        raise DiscountRefused(
            _(
                "Mit diesem Rabattcode läge der Betrag unter %(minimum)s, dem kleinsten Betrag, "
                "den wir per Karte oder Lastschrift annehmen können."
            )
            % {"minimum": format_eur(STRIPE_MINIMUM_CENTS)}
        )
    return Redemption(code=discount, discount_cents=discount_cents)


def counted_buyer(email: str) -> str:
    """The mailbox behind an address, as the per-buyer limit counts it: case ignored, a
    "+tag" after the name dropped (name+1@… reaches name@…), and Gmail's dots ignored."""
    local, _at, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def redeeming(prefix: str = "") -> Q:
    """The orders that use up a code: paid, awaiting a delayed payment, or pending while their
    Checkout Session can still be paid. A cancelled order (checkout expired, payment failed or
    never started) gives its redemption back, and so does a pending order older than its
    session, even if Stripe's checkout.session.expired never arrives. `prefix` reaches the
    orders from another model ("orders__")."""
    held_since = timezone.now() - stripe_api.DISCOUNTED_CHECKOUT_LIFETIME
    return ~Q(**{f"{prefix}status": Order.Status.ABANDONED}) & ~Q(
        **{f"{prefix}status": Order.Status.PENDING, f"{prefix}created_at__lte": held_since}
    )


def redemptions(discount: DiscountCode):
    return Order.objects.filter(discount_code=discount).filter(redeeming())
