"""Text series: one price below the sum of its parts, every part granted, one combined PDF."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import RenderedPdf
from shop.catalog import pdf, tasks
from shop.catalog import services as catalog_services
from shop.models import Delivery, Entitlement, Product, SeriesArticle
from shop.orders import fulfilment
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db


def read(delivery: Delivery) -> bytes:
    with delivery.file.open("rb") as file:
        return file.read()


@pytest.fixture
def parts():
    # Created in one order, placed in another: the series' positions decide.
    third = factories.article(title="Kündigen mit Stil")
    first = factories.article(title="Gehalt verhandeln")
    second = factories.article(title="Die ersten 100 Tage")
    return [first, second, third]


@pytest.fixture
def series(parts):
    return factories.series(parts=parts, price_cents=990)


def test_buying_a_series_grants_the_series_and_each_part_on_one_line(series, parts):
    order = factories.paid_order(series.product)

    line = order.lines.get()
    granted = Entitlement.objects.filter(order_line=line, buyer=order.buyer)
    assert {e.product for e in granted} == {series.product, *(a.product for a in parts)}


def test_a_part_owned_already_is_no_reason_to_fail(series, parts):
    earlier = factories.paid_order(parts[0].product)

    order = factories.paid_order(series.product)

    assert order.is_paid and order.buyer == earlier.buyer
    assert Entitlement.objects.filter(buyer=order.buyer, product=parts[0].product).count() == 2
    assert Entitlement.objects.filter(order_line__order=order).count() == 4


def test_the_combined_pdf_has_every_part_in_the_series_order(series, parts):
    order = factories.paid_order(series.product)

    fulfilment.render_deliveries(order_id=order.pk)

    combined = Delivery.objects.get(order_line__order=order, product=series.product)
    pages = pages_text(read(combined))
    assert series.title in pages[0] and "Textreihe · 3 Artikel" in pages[0]
    contents = next(page for page in pages if page.startswith("Inhalt"))
    assert re.search(r"1\. Gehalt verhandeln .*2\. Die ersten 100 Tage .*3\. Kündigen mit Stil",
                     contents)  # fmt: skip
    starts = [
        next(n for n, page in enumerate(pages) if page.startswith(f"KAPITEL {k} {a.title}"))
        for k, a in enumerate(parts, start=1)
    ]
    assert starts == sorted(starts)
    licence = (
        f"Lizenziert für alice@example.com · Bestellung {order.reference}"
        " · nur zur persönlichen Nutzung"
    )
    assert all(licence in page for page in pages)


def test_each_part_is_delivered_as_its_own_licensed_pdf(series, parts):
    order = factories.paid_order(series.product)

    fulfilment.render_deliveries(order_id=order.pk)

    for article in parts:
        copy = Delivery.objects.get(order_line__order=order, product=article.product)
        pages = pages_text(read(copy))
        assert article.title in pages[0] and order.reference in pages[0]


def test_the_combined_base_is_rendered_once_per_version_of_the_series(series, parts):
    for email in ("alice@example.com", "bob@example.com"):
        fulfilment.render_deliveries(
            order_id=factories.paid_order(series.product, buyer_email=email).pk
        )
    version = pdf.series_content_version(series, parts)
    assert RenderedPdf.objects.filter(key=version).count() == 1

    parts[1].body += "\n\nEin neuer Absatz."
    parts[1].save()
    SeriesArticle.objects.filter(series=series, article=parts[2]).update(position=1)

    assert pdf.series_content_version(series, [parts[2], parts[0], parts[1]]) != version


def test_the_order_email_attaches_the_combined_pdf(series, outbox):
    order = factories.paid_order(series.product)
    fulfilment.render_deliveries(order_id=order.pk)

    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"

    [message] = outbox
    [(name, content, mimetype), _invoice] = message.attachments
    assert name == f"{series.slug}-{order.reference}.pdf" and mimetype == "application/pdf"
    assert series.title in pages_text(content)[0]


def test_the_library_shows_the_series_with_its_parts_and_their_downloads(client, series, parts):
    order = factories.paid_order(series.product)
    fulfilment.render_deliveries(order_id=order.pk)
    client.force_login(order.buyer)

    page = client.get("/library/").content.decode()

    assert page.count(series.title) == 1 and "Gesamt-PDF herunterladen" in page
    positions = [page.index(article.title) for article in parts]
    assert positions == sorted(positions)
    links = re.findall(r'href="(/library/download/[^"]+/)"', page)
    assert len(links) == 4
    downloads = [client.get(link) for link in links]
    assert all(response.status_code == 200 for response in downloads)
    assert parts[0].title in pages_text(b"".join(downloads[1].streaming_content))[0]

    client.force_login(factories.paid_order(parts[0].product, buyer_email="eve@example.com").buyer)
    assert all(client.get(link).status_code == 404 for link in links)


def test_the_series_page_says_which_parts_the_reader_owns(client, series, parts):
    owner = factories.paid_order(parts[1].product).buyer

    anonymous = client.get(series.get_absolute_url()).content.decode()
    client.force_login(owner)
    signed_in = client.get(series.get_absolute_url()).content.decode()

    assert "Bereits in Ihrer Bibliothek" not in anonymous
    assert signed_in.count("Bereits in Ihrer Bibliothek") == 1
    owned = signed_in.index("Bereits in Ihrer Bibliothek")
    assert signed_in.index(parts[1].title) < owned < signed_in.index(parts[2].title)
    assert "Sie besitzen 1 von 3 Artikeln" in signed_in
    assert "9,90" in signed_in and "Sie sparen 4,80" in signed_in
    assert "Die ganze Reihe kostet Sie noch 5,00 €" in signed_in


def test_the_series_page_costs_the_same_queries_for_two_parts_as_for_eight(client):
    buyer = None
    counts = []
    for size in (2, 8):
        parts = [factories.article() for _ in range(size)]
        series = factories.series(parts=parts, price_cents=size * 490 - 100)
        buyer = buyer or factories.paid_order(parts[0].product).buyer
        client.force_login(buyer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(series.get_absolute_url()).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_series_must_cost_less_than_its_parts(series):
    product = series.product
    product.price_cents = 3 * 490

    with pytest.raises(ValidationError, match="unter der Summe"):
        product.full_clean()
    product.save()
    assert "nicht unter der Summe" in catalog_services.series_price_problem(series=series)
    product.price_cents = 3 * 490 - 1
    product.full_clean()


def test_a_series_product_needs_a_series():
    with pytest.raises(ValidationError):
        Product(kind=Product.Kind.SERIES, name="Reihe", price_cents=500).full_clean()


def test_staff_see_a_price_above_the_parts_when_they_save_the_series(
    client, django_user_model, django_capture_on_commit_callbacks
):
    sign_in_to_admin(client, django_user_model.objects.create_superuser("r", "r@example.com", "pw"))
    one, two = factories.article(), factories.article()

    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(
            "/admin/shop/series/add/",
            {
                "title": "Zwei Texte", "slug": "zwei-texte", "description": "",
                "parts-TOTAL_FORMS": 2, "parts-INITIAL_FORMS": 0,
                "parts-0-position": 1, "parts-0-article": one.pk,
                "parts-1-position": 2, "parts-1-article": two.pk,
                "product-TOTAL_FORMS": 1, "product-INITIAL_FORMS": 0,
                "product-0-name": "Zwei Texte (Reihe)", "product-0-price_cents": 980,
                "product-0-is_active": "on",
            },
            follow=True,
        )  # fmt: skip

    assert response.status_code == 200
    assert "nicht unter der Summe" in response.content.decode()
    assert Product.objects.get(series__slug="zwei-texte").kind == Product.Kind.SERIES
    # The combined PDF is rendered ahead of the first buyer; other callbacks refresh the catalog.
    task_names = [c.func.__self__.name for c in enqueued if hasattr(c, "func")]
    assert task_names == ["shop.tasks.prerender_series_pdf"]


def test_prerendering_a_series_fills_the_cache_fulfilment_reads(series, parts):
    tasks.prerender_series_pdf(series.pk)

    assert RenderedPdf.objects.filter(key=pdf.series_content_version(series, parts)).exists()


def test_the_library_costs_the_same_queries_however_much_was_bought(client):
    buyer = factories.paid_order(factories.article().product).buyer
    client.force_login(buyer)

    def library_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/library/").status_code == 200
        return len(queries)

    small = factories.paid_order(factories.series(price_cents=990).product)
    fulfilment.render_deliveries(order_id=small.pk)
    before = library_queries()
    parts = [factories.article() for _ in range(6)]
    large = factories.paid_order(factories.series(parts=parts, price_cents=2000).product)
    fulfilment.render_deliveries(order_id=large.pk)
    factories.paid_order(factories.article().product)

    assert library_queries() == before
