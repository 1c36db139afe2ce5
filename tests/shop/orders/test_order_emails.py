"""The order's e-mail says what was bought, in words that fit it, and lists what was paid: each
line with its price, the total, the VAT in it and the invoice's number, in the text and in the
HTML, inside the publisher's layout."""

import pytest
from django.conf import settings

from shop.models import Invoice, Order, Product, Subscription
from shop.orders import fulfilment
from tests import factories
from tests.courses import factories as course_factories
from tests.shop.adviser.subscriber import subscribe_by_link
from tests.shop.order_emails import (
    assert_in_the_publishers_layout,
    assert_lists_what_was_paid,
    texts,
)
from tests.shop.stripe_events import send

pytestmark = pytest.mark.django_db


def delivered(order: Order) -> Invoice:
    fulfilment.render_deliveries(order_id=order.pk)
    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"
    return order.invoices.get()


def test_an_article_email_attaches_the_article_as_pdf_and_lists_what_was_paid(outbox):
    article = factories.article(title="Führen ohne Titel", price_cents=490)

    invoice = delivered(factories.paid_order(article.product))

    [message] = outbox
    text, html = texts(message)
    for words in ["Im Anhang finden Sie: - den Artikel „Führen ohne Titel“ als PDF",
                  "Das PDF ist auf alice@example.com lizenziert",
                  "Viel Freude beim Lesen!"]:  # fmt: skip
        assert words in text
    assert "den Artikel „Führen ohne Titel“ als PDF" in html
    assert_lists_what_was_paid(
        message, invoice, lines=[("Führen ohne Titel (PDF)", "4,90 €")], total="4,90 €",
        vat=[("7", "0,32 €")],
    )  # fmt: skip
    assert_in_the_publishers_layout(message)


def test_a_series_email_attaches_the_combined_pdf_and_points_to_the_parts(outbox):
    series = factories.series(title="Verhandeln in drei Schritten", price_cents=990)

    invoice = delivered(factories.paid_order(series.product))

    [message] = outbox
    text, html = texts(message)
    combined = (
        "die Reihe „Verhandeln in drei Schritten“ als ein PDF mit allen Teilen; jeden Teil "
        "einzeln finden Sie als eigenes PDF in Ihrer Bibliothek"
    )
    assert combined in text and combined in html
    assert "Die PDFs sind auf alice@example.com lizenziert" in text
    assert_lists_what_was_paid(
        message, invoice, lines=[("Verhandeln in drei Schritten (Reihe)", "9,90 €")],
        total="9,90 €", vat=[("7", "0,65 €")],
    )  # fmt: skip
    assert_in_the_publishers_layout(message)


def test_a_course_email_links_the_course_and_promises_no_pdf_or_reading(outbox):
    course = course_factories.course(lessons=2, title="Souverän verhandeln")
    product = Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="Souverän verhandeln (eCourse)",
        price_cents=2990,
    )  # fmt: skip

    invoice = delivered(factories.paid_order(product))

    [message] = outbox
    text, html = texts(message)
    assert "Ihr Kurs „Souverän verhandeln“ ist freigeschaltet." in text
    course_url = f"{settings.SITE_URL}{course.get_absolute_url()}"
    assert f"Zum Kurs: {course_url}" in text
    assert "Zum Kurs" in html and f'href="{course_url}"' in message.alternatives[0][0]
    for version in (text, html):
        assert "PDF" not in version and "Lesen" not in version
        assert "Viel Erfolg!" in version
    assert_lists_what_was_paid(
        message, invoice, lines=[("Souverän verhandeln (eCourse)", "29,90 €")], total="29,90 €",
        vat=[("19", "4,77 €")],
    )  # fmt: skip
    assert_in_the_publishers_layout(message)


def test_a_custom_ebook_email_asks_for_the_wish_and_lists_what_was_paid(outbox):
    order = factories.paid_order(factories.custom_ebook_product())

    invoice = delivered(order)

    [message] = outbox
    text, html = texts(message)
    ebook = order.lines.get().custom_ebook
    wish = "Ihr individuelles E-Book stellt unsere Redaktion nach Ihrem Wunsch zusammen."
    assert wish in text and wish in html
    assert f"Wunsch mitteilen: {settings.SITE_URL}/library/e-book/{ebook.pk}/wunsch/" in text
    assert "Wunsch mitteilen" in html
    assert "Viel Freude beim Lesen!" not in text and "Im Anhang finden Sie" not in text
    assert_lists_what_was_paid(
        message, invoice, lines=[("Ihr individuelles E-Book", "79,00 €")], total="79,00 €",
        vat=[("7", "5,17 €")],
    )  # fmt: skip
    assert_in_the_publishers_layout(message)


def test_a_ki_berater_month_email_confirms_the_month_and_lists_what_was_paid(
    client, stripe_server, post_event, outbox
):
    factories.adviser_product(price_cents=500)
    assert subscribe_by_link(client, "alice@example.com").status_code == 303
    subscription = Subscription.objects.get()
    made = len(stripe_server.events)
    send(post_event, [stripe_server.complete(subscription.stripe_session_id),
                      *stripe_server.events[made:]])  # fmt: skip
    order = Order.objects.get()

    invoice = delivered(order)

    [message] = outbox
    text, html = texts(message)
    month = "Der KI-Berater steht Ihnen für den bezahlten Zeitraum zur Verfügung."
    assert month in text and month in html
    assert f"Zum KI-Berater: {settings.SITE_URL}/ki-berater/" in text
    assert "PDF" not in text and "Viel Freude beim Lesen!" not in text
    assert_lists_what_was_paid(
        message, invoice, lines=[(order.lines.get().description, "5,00 €")], total="5,00 €",
        vat=[("19", "0,80 €")],
    )  # fmt: skip
    assert_in_the_publishers_layout(message)


def test_an_order_of_several_lines_lists_each_with_its_price_and_the_vat_of_each_rate(outbox):
    article = factories.article(title="Gut verhandelt", price_cents=490)
    course = course_factories.course(lessons=1, title="Verhandeln üben")
    course_product = Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="Verhandeln üben (eCourse)", price_cents=2990
    )

    invoice = delivered(factories.paid_order_of([article.product, course_product]))

    [message] = outbox
    text, _html = texts(message)
    assert "den Artikel „Gut verhandelt“ als PDF" in text
    assert "Ihr Kurs „Verhandeln üben“ ist freigeschaltet." in text
    assert_lists_what_was_paid(
        message, invoice,
        lines=[("Gut verhandelt (PDF)", "4,90 €"), ("Verhandeln üben (eCourse)", "29,90 €")],
        total="34,80 €", vat=[("7", "0,32 €"), ("19", "4,77 €")],
    )  # fmt: skip
