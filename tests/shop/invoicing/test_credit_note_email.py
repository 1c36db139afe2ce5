"""The credit note's e-mail says what was refunded and lists it as the credit note does: each
line, the total, the VAT in it, and which invoice it corrects."""

import pytest

from shop.invoicing import emails, services
from shop.models import Product
from tests import factories
from tests.courses import factories as course_factories
from tests.shop.order_emails import (
    assert_in_the_publishers_layout,
    assert_lists_what_was_paid,
    texts,
)

pytestmark = pytest.mark.django_db


def test_a_credit_note_email_lists_the_refunded_line_and_the_corrected_invoice(outbox):
    article = factories.article(title="Gut verhandelt", price_cents=490)
    course = Product.objects.create(
        kind=Product.Kind.COURSE, course=course_factories.course(lessons=1),
        name="Verhandeln üben (eCourse)", price_cents=2990,
    )  # fmt: skip
    order = factories.paid_order_of([article.product, course])
    original = order.invoices.get()
    credit_note = services.issue_credit_note(
        original=original, refund_id="re_test_1", amount_cents=2990,
        lines=[order.lines.get(product=course)],
    )  # fmt: skip
    services.render_pdf(invoice_id=credit_note.pk)

    assert emails.email_credit_note(invoice_id=credit_note.pk) == "sent"

    [message] = outbox
    text, html = texts(message)
    assert "haben wir 29,90 € erstattet" in text and "haben wir 29,90 € erstattet" in html
    assert_lists_what_was_paid(
        message, original, lines=[("Verhandeln üben (eCourse)", "-29,90 €")], total="-29,90 €",
        vat=[("19", "-4,77 €")],
    )  # fmt: skip
    corrects = f"Rechnungskorrektur {credit_note.number} zur Rechnung {original.number}"
    assert corrects in text and corrects in html
    assert "Gut verhandelt" not in text
    assert_in_the_publishers_layout(message)
