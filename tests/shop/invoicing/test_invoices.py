"""Every paid order gets an invoice: numbered without gaps, a snapshot of seller, buyer, lines
and VAT, rendered to PDF, attached to the order's e-mail and kept in the buyer's library."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from shop.invoicing import services as invoicing
from shop.models import Invoice, Order, Product, Subscription
from shop.orders import fulfilment, services
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.courses import factories as course_factories
from tests.pdf_text import pages_text
from tests.shop.adviser.subscriber import subscribe_by_link

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CUSTOMER = {
    "email": "alice@example.com",
    "name": "Alice Beispiel",
    "phone": None,
    "tax_exempt": "none",
    "tax_ids": [],
    "business_name": None,
    "individual_name": None,
    "address": {
        "city": "Köln",
        "country": "DE",
        "line1": "Domstraße 5",
        "line2": None,
        "postal_code": "50667",
        "state": None,
    },
}


def course_product(price_cents=2990):
    return Product.objects.create(
        kind=Product.Kind.COURSE, course=course_factories.course(lessons=1), name="eCourse",
        price_cents=price_cents,
    )  # fmt: skip


def test_a_paid_order_gets_an_invoice_with_seller_buyer_lines_and_payment(settings):
    settings.INVOICE_SELLER = {
        "name": "Beispiel Verlag GmbH", "address": "Verlagsweg 1\n10115 Berlin",
        "vat_id": "DE123456789", "tax_number": "30/123/45678",
    }  # fmt: skip
    article = factories.article(price_cents=490)
    order = factories.paid_order_of(
        [article.product, course_product()],
        customer_details=CUSTOMER,
        payment_method_types=["card", "sepa_debit"],
    )

    invoice = order.invoices.get()
    assert invoice.number == f"RE-{invoice.issued_on.year}-000001"
    assert invoice.issued_on == order.paid_at.astimezone(BERLIN).date()
    assert (invoice.seller_name, invoice.seller_vat_id, invoice.seller_tax_number) == (
        "Beispiel Verlag GmbH", "DE123456789", "30/123/45678",
    )  # fmt: skip
    assert invoice.buyer_name == "Alice Beispiel"
    assert invoice.buyer_address == "Domstraße 5\n50667 Köln"
    assert invoice.payment_method == "Karte"
    rows = [
        (li.gross_cents, str(li.vat_rate), li.vat_cents, li.net_cents) for li in invoice.lines.all()
    ]
    assert rows == [(490, "7.00", 32, 458), (2990, "19.00", 477, 2513)]
    summary = [
        (str(s.rate), s.net_cents, s.vat_cents, s.gross_cents) for s in invoice.vat_summary()
    ]
    assert summary == [("7.00", 458, 32, 490), ("19.00", 2513, 477, 2990)]
    assert invoice.total_gross_cents() == order.total_cents == 3480


def test_a_delayed_sepa_debit_is_named_on_the_invoice():
    order = factories.pending_order()
    session = factories.completed_session(
        order, payment_status="unpaid", payment_method_types=["card", "sepa_debit"]
    )
    assert services.complete_checkout(session=session) == "awaiting payment"
    assert not order.invoices.exists()

    services.confirm_async_payment(session={**session, "payment_status": "paid"})

    assert order.invoices.get().payment_method == "SEPA-Lastschrift"


def test_a_method_that_cannot_be_told_apart_gets_a_neutral_name_and_no_address_is_no_problem():
    order = factories.paid_order_of(
        [factories.article().product],
        payment_method_types=["card", "paypal"],
        customer_details=None,
    )

    invoice = order.invoices.get()
    assert invoice.payment_method == "Online-Zahlung über Stripe"
    assert (invoice.buyer_name, invoice.buyer_address) == ("", "")
    assert invoice.buyer_email == "alice@example.com"


def test_numbers_follow_each_other_and_start_again_each_year():
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=BERLIN), tick=False):
        first = factories.paid_order_of([factories.article().product]).invoices.get()
        second = factories.paid_order_of([factories.article().product]).invoices.get()
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=BERLIN), tick=False):
        new_year = factories.paid_order_of([factories.article().product]).invoices.get()

    assert [first.number, second.number, new_year.number] == [
        "RE-2026-000001", "RE-2026-000002", "RE-2027-000001",
    ]  # fmt: skip
    assert new_year.issued_on.isoformat() == "2027-01-01"


def test_a_payment_that_rolls_back_leaves_no_gap():
    doomed = factories.pending_order()

    with pytest.raises(RuntimeError, match="after the invoice"), transaction.atomic():
        services.complete_checkout(session=factories.completed_session(doomed))
        assert doomed.invoices.get().number.endswith("-000001")
        raise RuntimeError("the database failed after the invoice was numbered")

    assert not Invoice.objects.exists()
    paid = factories.paid_order_of([factories.article().product])
    assert paid.invoices.get().number.endswith("-000001")


def test_a_replayed_payment_issues_no_second_invoice():
    order = factories.pending_order()
    session = factories.completed_session(order)
    services.complete_checkout(session=session)

    assert services.complete_checkout(session=session) == "already paid"
    assert order.invoices.count() == 1


@pytest.mark.django_db(transaction=True)
def test_numbers_are_only_drawn_inside_the_paying_transaction():
    with pytest.raises(RuntimeError, match="inside the paying transaction"):
        invoicing._next_number("RE", 2026)


def test_the_pdf_shows_the_invoice_in_german_and_goes_with_the_order_email(outbox):
    order = factories.paid_order_of(
        [factories.article(title="Führen ohne Titel").product], customer_details=CUSTOMER
    )

    fulfilment.render_deliveries(order_id=order.pk)
    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"

    invoice = order.invoices.get()
    [message] = outbox
    assert f"Ihre Rechnung {invoice.number} finden Sie im Anhang" in message.body
    attached = dict((name, content) for name, content, _ in message.attachments)
    [text] = pages_text(attached[f"{invoice.number}.pdf"])
    assert f"Rechnung {invoice.number}" in text and order.reference in text
    assert "Alice Beispiel" in text and "Domstraße 5" in text
    assert "Führen ohne Titel (PDF)" in text and "Bezahlt per Karte" in text
    assert "4,58 € 7 % 0,32 € 4,90 €" in text  # net, rate, VAT, gross
    assert "USt-IdNr." in text


def test_an_invoice_is_rendered_once_and_never_again(settings):
    order = factories.paid_order_of([factories.article().product])
    invoice = order.invoices.get()
    invoicing.render_pdf(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    first = invoice.pdf.name

    settings.INVOICE_SELLER = {**settings.INVOICE_SELLER, "name": "Ein neuer Name"}
    fulfilment.render_deliveries(order_id=order.pk, rerender=True)

    invoice.refresh_from_db()
    assert invoice.pdf.name == first and invoice.seller_name != "Ein neuer Name"


def test_the_owner_downloads_the_invoice_from_the_library_and_nobody_else(
    client, django_user_model
):
    order = factories.paid_order_of([factories.article().product])
    fulfilment.render_deliveries(order_id=order.pk)
    invoice = order.invoices.get()

    client.force_login(order.buyer)
    library = client.get("/library/").content.decode()
    url = f"/library/rechnung/{invoice.pk}/"
    assert f'href="{url}"' in library and f"Rechnung {invoice.number}" in library
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert invoice.number in " ".join(pages_text(b"".join(response.streaming_content)))

    client.force_login(django_user_model.objects.create(username="mallory", email="m@example.com"))
    assert client.get(url).status_code == 404
    assert client.get("/library/rechnung/999999/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_staff_read_invoices_in_the_admin_and_cannot_change_them(client, django_user_model):
    order = factories.paid_order_of([factories.article().product])
    fulfilment.render_deliveries(order_id=order.pk)
    invoice = order.invoices.get()
    sign_in_to_admin(
        client, django_user_model.objects.create_superuser("chef", "c@example.com", "pw")
    )

    listing = client.get("/admin/shop/invoice/").content.decode()
    assert invoice.number in listing and "4,90 €" in listing
    page = client.get(f"/admin/shop/invoice/{invoice.pk}/change/").content.decode()
    assert 'name="_save"' not in page and invoice.number in page
    assert client.get(f"/admin/shop/invoice/{invoice.pk}/pdf/")["Content-Type"] == "application/pdf"
    assert client.get("/admin/shop/invoice/add/").status_code == 403
    assert client.post(f"/admin/shop/invoice/{invoice.pk}/delete/").status_code == 403


def test_a_discounted_line_shows_list_price_and_discount_and_vat_on_what_was_paid():
    factories.discount_code(code="SOMMER", percent_off=10)
    order = services.create_order(
        product=factories.article(price_cents=490).product, email="a@example.com",
        discount_code="SOMMER",
    )  # fmt: skip
    order.stripe_session_id = f"cs_test_{order.reference}"
    order.save()
    services.complete_checkout(session=factories.completed_session(order))
    fulfilment.render_deliveries(order_id=order.pk)

    invoice = order.invoices.get()
    [line] = invoice.lines.all()
    assert (line.list_price_cents, line.discount_cents, line.gross_cents) == (490, 49, 441)
    assert line.vat_cents == 29 and invoice.total_gross_cents() == order.total_cents == 441
    invoice.refresh_from_db()
    [text] = pages_text(invoice.pdf.read())
    assert "Listenpreis 4,90 € abzüglich Rabatt SOMMER 0,49 €" in text
    assert "4,12 € 7 % 0,29 € 4,41 €" in text


def test_a_free_order_gets_an_invoice_over_nothing_paid():
    factories.discount_code(code="GRATIS", amount_off_cents=10_000)
    order = services.create_order(
        product=factories.article(price_cents=490).product, email="a@example.com",
        discount_code="GRATIS",
    )  # fmt: skip
    order.stripe_session_id = f"cs_test_{order.reference}"
    order.save()
    services.complete_checkout(
        session=factories.completed_session(
            order, payment_status="no_payment_required", payment_intent=None
        )
    )

    invoice = order.invoices.get()
    assert invoice.payment_method == "Keine Zahlung nötig"
    assert (invoice.total_gross_cents(), invoice.total_vat_cents()) == (0, 0)


def test_each_paid_ratgeber_month_is_invoiced_at_19_percent_and_mailed(
    client, stripe_server, post_event, outbox
):
    factories.adviser_product(price_cents=500)
    assert subscribe_by_link(client, "abo@example.com").status_code == 303
    subscription = Subscription.objects.get()
    before = len(stripe_server.events)
    completed = stripe_server.complete(subscription.stripe_session_id)
    for event in [completed, *stripe_server.events[before:]]:
        assert post_event(event).status_code == 200

    order = Order.objects.get(email="abo@example.com")
    [line] = order.invoices.get().lines.all()
    assert (line.description, str(line.vat_rate), line.vat_cents, line.gross_cents) == (
        order.lines.get().description, "19.00", 80, 500,
    )  # fmt: skip
    fulfilment.render_deliveries(order_id=order.pk)
    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"
    [message] = outbox
    assert [name for name, *_ in message.attachments] == [f"{order.invoices.get().number}.pdf"]
