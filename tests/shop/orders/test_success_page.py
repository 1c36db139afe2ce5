"""After paying, the success page sums up the order as the invoice will (lines, total, VAT),
offers the signed-in buyer each PDF at once, and says what comes for a course."""

import re

import pytest

from shop.models import Order, Product
from shop.orders import fulfilment
from tests import factories
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db


def paid_on_stripe(client, stripe_server, path, email="a@example.com"):
    location = client.post(path, {"email": email, **factories.LAPSE_CONSENT})["Location"]
    session_id = location.rsplit("/", 1)[1]
    stripe_server.complete(session_id)
    return session_id


def test_the_page_sums_up_the_order_with_its_vat_and_invoice(client, stripe_server):
    article = factories.article(title="Gehalt verhandeln", price_cents=490)

    session_id = paid_on_stripe(client, stripe_server, f"/artikel/{article.slug}/kaufen/")
    page = client.get("/checkout/success/", {"session_id": session_id}).content.decode()

    order = Order.objects.get()
    table = re.search(r'<table class="summary">.*?</table>', page, re.S).group(0)
    assert "Gehalt verhandeln (PDF)" in table and "4,90 €" in table
    assert "Gesamt" in table and "darin 7 % USt." in table and "0,32 €" in table
    assert order.invoices.get().number in page
    # Not signed in: the PDFs come by e-mail, or at once after signing in.
    assert "anmelden" in page and "/sign-in/?next=/library/" in page


def test_a_signed_in_buyer_downloads_the_pdf_from_the_page(client, stripe_server):
    article = factories.article(title="Gehalt verhandeln")
    client.force_login(factories.buyer_account(email="a@example.com"))

    session_id = paid_on_stripe(client, stripe_server, f"/artikel/{article.slug}/kaufen/")
    first = client.get("/checkout/success/", {"session_id": session_id}).content.decode()
    assert "werden gerade für Sie erstellt" in first  # paid by this visit, not yet rendered
    fulfilment.render_deliveries(order_id=Order.objects.get().pk)
    page = client.get("/checkout/success/", {"session_id": session_id}).content.decode()

    link = re.search(r'href="(/library/download/[^"]+)"', page).group(1)
    assert "„Gehalt verhandeln (PDF)“ herunterladen" in page and "herunterladen (PDF)" not in page
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_a_course_bought_promises_no_pdf_but_the_course(client, stripe_server):
    course = course_factories.course(title="Souverän verhandeln")
    Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="eCourse Souverän verhandeln",
        price_cents=2990,
    )  # fmt: skip

    session_id = paid_on_stripe(client, stripe_server, f"/kurse/{course.slug}/kaufen/")
    page = client.get("/checkout/success/", {"session_id": session_id}).content.decode()

    assert "Ihr Kurs „Souverän verhandeln“ ist freigeschaltet." in page
    assert f"/courses/{course.slug}/learn/" in page
    card = re.search(r'<div class="card">.*?</div>', page, re.S).group(0)
    assert "PDF" not in card
