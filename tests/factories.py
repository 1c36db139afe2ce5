"""Plain functions that make the shop's objects for tests."""

import itertools
import json
from datetime import date

from django.conf import settings

from devstripe import signing
from shop.accounts.services import buyer_account  # noqa: F401 - for tests that need an account
from shop.legal import texts as legal
from shop.models import Article, DiscountCode, Order, Product
from shop.orders import services

_numbers = itertools.count(1)
# What a buyer's checkout form sends for content delivered at once: the ticked consent box.
LAPSE_CONSENT = {"lapse_consent": "on", "lapse_consent_version": legal.LAPSE_CONSENT_VERSION}

BODY = """Gute Vorbereitung ist die halbe Verhandlung.

## Zahlen statt Gefühle

Wer seinen Marktwert kennt, verhandelt ruhiger. Vergleichen Sie Gehälter in Ihrer Branche,
notieren Sie Ihre Erfolge des letzten Jahres und legen Sie eine Untergrenze fest.

## Das Gespräch

- Nennen Sie zuerst eine Zahl.
- Begründen Sie sie mit Ergebnissen.
- Schweigen Sie danach.
"""


def article(
    *, title: str | None = None, status=Article.Status.PUBLISHED, price_cents=490, body: str = BODY
) -> Article:
    n = next(_numbers)
    created = Article.objects.create(
        title=title or f"Gehalt verhandeln, Teil {n}",
        slug=f"gehalt-verhandeln-{n}",
        author="Jana Beispiel",
        teaser="Wie Sie in zwanzig Minuten mehr erreichen als in zwanzig Jahren Warten.",
        body=body,
        published_on=date(2026, 3, 1),
        status=status,
    )
    Product.objects.create(article=created, name=f"{created.title} (PDF)", price_cents=price_cents)
    return created


def pending_order(*, buyer_email: str = "alice@example.com", of: Article | None = None) -> Order:
    order = services.create_order(product=(of or article()).product, email=buyer_email)
    order.stripe_session_id = f"cs_test_{order.reference}"
    order.save(update_fields=["stripe_session_id"])
    return order


def completed_session(order: Order, **overrides) -> dict:
    """The checkout.session Stripe sends when the buyer has paid for `order`."""
    fields = {"id": order.stripe_session_id, **overrides}
    return signing.completed_session(
        reference=order.reference, amount=order.total_cents, email=order.email,
        currency=fields.pop("currency", order.currency), **fields,
    )  # fmt: skip


def signed_body(event: dict, *, secret: str | None = None, timestamp: int | None = None):
    """The body and Stripe-Signature header of a webhook request, made exactly as Stripe does."""
    body = json.dumps(event).encode()
    header = signing.sign(
        body, secret=secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )
    return body, header


def series(*, parts: list[Article] | None = None, price_cents: int = 990, title: str | None = None):
    """A series on sale; its parts in the order given (positions 10, 20, ...)."""
    from shop.models import Series, SeriesArticle

    n = next(_numbers)
    created = Series.objects.create(
        title=title or f"Verhandeln in Serie {n}",
        slug=f"verhandeln-serie-{n}",
        description="Drei Texte, die aufeinander aufbauen.",
    )
    for position, part in enumerate(parts or [article() for _ in range(3)], start=1):
        SeriesArticle.objects.create(series=created, article=part, position=position * 10)
    Product.objects.create(
        kind=Product.Kind.SERIES, series=created, name=f"{created.title} (Reihe)",
        price_cents=price_cents,
    )  # fmt: skip
    return created


def paid_order(product: Product, *, buyer_email: str = "alice@example.com") -> Order:
    """An order for `product`, paid as the webhook pays it."""
    order = services.create_order(product=product, email=buyer_email)
    order.stripe_session_id = f"cs_test_{order.reference}"
    order.save(update_fields=["stripe_session_id"])
    services.complete_checkout(session=completed_session(order))
    order.refresh_from_db()
    return order


def discount_code(*, code: str = "SOMMER", **fields):
    """A discount code, valid from now on, 10 % off everything unless `fields` say otherwise."""
    products = fields.pop("products", [])
    if "amount_off_cents" not in fields:
        fields.setdefault("percent_off", 10)
    created = DiscountCode(code=code, **fields)
    created.full_clean(exclude=["products"])
    created.save()
    created.products.set(products)
    return created


def adviser_product(*, price_cents: int = 500):
    """The KI-Berater subscription on sale: 5 € a month, 19 % VAT."""
    return Product.objects.create(
        kind=Product.Kind.ADVISER, name="KI-Berater", price_cents=price_cents
    )


def custom_ebook_product():
    """The custom eBook on offer: made to the reader's wish after purchase."""
    return Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )


def paid_order_of(products: list[Product], *, buyer_email="alice@example.com", **session) -> Order:
    """An order of several lines (one per product, as a basket would make it), paid by the
    webhook's service; `session` overrides fields of Stripe's checkout.session."""
    order = Order.objects.create(
        reference=services.new_order_reference(), email=buyer_email,
        total_cents=sum(p.price_cents for p in products), stripe_session_id=f"cs_{next(_numbers)}",
    )  # fmt: skip
    for product in products:
        services.add_line(order=order, product=product)
    services.complete_checkout(session=completed_session(order, **session))
    order.refresh_from_db()
    return order
