"""VAT: a product's kind decides its rate (from settings), the order line keeps the rate it
was sold at, and invoice lines, summary and totals agree to the cent on every rounding edge."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
import requests
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from shop.invoicing import services as invoicing
from shop.legal import texts as legal
from shop.models import Product
from shop.money import vat_included
from shop.orders import services
from tests import factories
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db

SEVEN, NINETEEN = Decimal("7"), Decimal("19")


def product(price_cents: int, category=Product.VatCategory.PUBLICATION) -> Product:
    if category == Product.VatCategory.ELEARNING:
        return Product.objects.create(
            kind=Product.Kind.COURSE, course=course_factories.course(lessons=1), name="eCourse",
            price_cents=price_cents,
        )  # fmt: skip
    return factories.article(price_cents=price_cents).product


def test_the_category_gives_the_rate_from_settings_and_the_order_keeps_the_rate_it_sold_at(
    settings,
):
    article, course = product(490), product(2990, Product.VatCategory.ELEARNING)
    assert (article.vat_rate, course.vat_rate) == (SEVEN, NINETEEN)

    order = factories.paid_order_of([article, course])
    settings.VAT_RATES = {"publication": Decimal("5"), "elearning": Decimal("16")}

    assert article.vat_rate == Decimal("5")
    assert [str(line.vat_rate) for line in order.lines.order_by("pk")] == ["7.00", "19.00"]
    assert [str(line.vat_rate) for line in order.invoices.get().lines.all()] == ["7.00", "19.00"]


@pytest.mark.parametrize(
    ("kind", "rate"),
    [("article", SEVEN), ("series", SEVEN), ("custom_ebook", SEVEN), ("course", NINETEEN),
     ("adviser", NINETEEN)],
)  # fmt: skip
def test_each_kind_of_product_carries_its_rate(kind, rate):
    assert Product(kind=kind, name="Produkt", price_cents=100).vat_rate == rate


def test_a_course_created_without_a_word_about_vat_sells_at_19_percent():
    Product.objects.create(
        kind=Product.Kind.COURSE, course=course_factories.course(lessons=1), name="eCourse",
        price_cents=2990,
    )  # fmt: skip

    order = services.create_order(product=Product.objects.get(), email="a@example.com")

    line = order.lines.get()
    assert (str(line.vat_rate), line.vat_cents) == ("19.00", 477)


def test_prices_are_shown_with_vat_included(client):
    article = factories.article(price_cents=490)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "4,90 €" in page and "inkl. 7 % MwSt. (0,32 €)" in page


def test_stripes_checkout_page_says_the_price_includes_vat(client, stripe_server):
    course = product(2990, Product.VatCategory.ELEARNING)

    pay_url = services.start_checkout(
        product=course, email="a@example.com", lapse_consent_version=legal.LAPSE_CONSENT_VERSION
    )

    [request] = [r for r in stripe_server.requests if r.path == "/v1/checkout/sessions"]
    [item] = request.params["line_items"]
    assert item["price_data"]["product_data"]["description"] == "inkl. 19 % MwSt."
    assert item["price_data"]["tax_behavior"] == "inclusive"
    assert "eCourse inkl. 19 % MwSt." in requests.get(pay_url, timeout=10).text


@pytest.mark.django_db(transaction=True)
def test_migrating_back_stores_the_category_of_each_products_kind_again():
    Product.objects.create(kind=Product.Kind.CUSTOM_EBOOK, name="E-Book", price_cents=7900)
    factories.adviser_product()
    before = [("shop", "0017_withdrawal_subscription")]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("shop", "Product")
    categories = dict(Old.objects.values_list("name", "vat_category"))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert categories == {"E-Book": "publication", "KI-Berater": "elearning"}


def exact_vat(gross_cents: int, rate: Decimal) -> Decimal:
    return Decimal(gross_cents) * rate / (100 + rate)


@pytest.mark.parametrize("rate", [SEVEN, NINETEEN])
def test_the_vat_of_a_gross_price_rounds_half_up_to_the_cent_right_at_the_edge(rate):
    # The prices up to 100 € whose exact VAT lies closest to half a cent, from both sides.
    edges = sorted(range(1, 10_001), key=lambda g: abs(exact_vat(g, rate) % 1 - Decimal("0.5")))
    for gross in [1, 2, *edges[:40]]:
        expected = exact_vat(gross, rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert vat_included(gross_cents=gross, rate_percent=rate) == expected, gross
    assert vat_included(gross_cents=1, rate_percent=rate) == 0


def test_many_lines_with_both_rates_agree_to_the_cent_in_lines_summary_and_totals():
    # Prices whose VAT falls just either side of half a cent, so rounding drifts if anything
    # summed the gross before taking VAT.
    prices = [1, 8, 15, 107, 499, 4_99, 7_49, 12_34, 79_00]
    products = [product(p) for p in prices] + [
        product(p, Product.VatCategory.ELEARNING) for p in [1, 6, 119, 29_90, 3_99]
    ]
    order = factories.paid_order_of(products)
    invoice = order.invoices.get()

    lines = list(invoice.lines.all())
    assert len(lines) == len(products) and invoice.total_gross_cents() == order.total_cents
    for line in lines:
        assert line.vat_cents == vat_included(
            gross_cents=line.gross_cents, rate_percent=line.vat_rate
        )
    # The 7 % lines' VAT adds up to 722 ct, where VAT taken from their summed gross would be 720.
    summary = [(row.rate, row.gross_cents, row.vat_cents, row.net_cents) for row in
               invoice.vat_summary()]  # fmt: skip
    assert summary == [(Decimal(7), 110_12, 7_22, 102_90), (Decimal(19), 35_15, 5_61, 29_54)]
    assert (invoice.total_vat_cents(), invoice.total_net_cents()) == (12_83, 132_44)


def test_one_cent_lines_carry_no_vat_and_still_add_up():
    order = factories.paid_order_of(
        [product(1) for _ in range(3)] + [product(1, Product.VatCategory.ELEARNING)]
    )

    summary = order.invoices.get().vat_summary()
    assert [(str(r.rate), r.net_cents, r.vat_cents, r.gross_cents) for r in summary] == [
        ("7.00", 3, 0, 3), ("19.00", 1, 0, 1),
    ]  # fmt: skip


@pytest.mark.parametrize(("amount", "expected"), [(1, 1), (333, 333), (4_321, 4_321)])
def test_a_partial_cancellation_splits_the_amount_over_the_rates_to_the_cent(amount, expected):
    order = factories.paid_order_of([product(4_90), product(29_90, Product.VatCategory.ELEARNING)])
    original = order.invoices.get()

    with transaction.atomic():
        cancellation = invoicing.issue_credit_note(
            original=original, refund_id=f"re_{amount}", amount_cents=amount, lines=None
        )

    lines = list(cancellation.lines.all())
    assert -sum(line.gross_cents for line in lines) == expected
    for line in lines:
        assert -line.vat_cents == vat_included(
            gross_cents=-line.gross_cents, rate_percent=line.vat_rate
        )
    shares = {str(line.vat_rate): -line.gross_cents for line in lines}
    # In proportion to 4,90 € at 7 % and 29,90 € at 19 %, to within a cent.
    assert abs(shares.get("7.00", 0) - amount * 490 / 3480) < 1
