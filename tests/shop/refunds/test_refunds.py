"""Refunds and disputes arrive as signed Stripe webhooks: a refund gets a cancellation invoice and
takes back what it refunded; a dispute takes back everything and asks staff to look."""

import pytest

from courses.selectors import has_access
from devstripe import signing
from shop.ebooks import services as ebooks
from shop.invoicing import emails as invoicing_emails
from shop.invoicing import services as invoicing
from shop.models import CustomEbook, Entitlement, Invoice, Order, Product
from shop.orders import fulfilment, links, services
from shop.payments import stripe_api
from tests import factories
from tests.courses import factories as course_factories
from tests.shop.stripe_events import outcome, refund

pytestmark = pytest.mark.django_db


def bought(stripe_server, products: list[Product], email="alice@example.com") -> Order:
    """Paid through the Stripe stand-in, so refunds and charges know the payment; several
    products make one order of several lines, as a basket would."""
    order = services.create_order(product=products[0], email=email)
    for product in products[1:]:
        order.lines.create(
            product=product, description=product.name, gross_cents=product.price_cents,
            list_price_cents=product.price_cents,
            vat_rate=product.vat_rate, vat_cents=product.vat_cents,
        )  # fmt: skip
    order.total_cents = sum(p.price_cents for p in products)
    session = stripe_api.create_checkout_session(
        order=order, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    order.stripe_session_id = session["id"]
    order.save()
    services.complete_checkout(session=stripe_server.complete(session["id"])["data"]["object"])
    order.refresh_from_db()
    fulfilment.render_deliveries(order_id=order.pk)
    return order


def course_product() -> Product:
    return Product.objects.create(
        kind=Product.Kind.COURSE, course=course_factories.course(lessons=1), name="eCourse",
        price_cents=2990,
    )  # fmt: skip


def test_a_full_refund_cancels_the_invoice_and_closes_the_download(
    client, stripe_server, post_event, outbox
):
    order = bought(stripe_server, [factories.article(price_cents=490).product])
    original = order.invoices.get()
    client.force_login(order.buyer)
    download = links.download_url(
        delivery=order.lines.get().deliveries.get(), user=order.buyer
    ).removeprefix("http://testserver")
    assert client.get(download).status_code == 200

    event = refund(stripe_server, order, 490)
    assert outcome(post_event(event)).startswith("refunded ST-")

    cancellation = order.invoices.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert cancellation.number == f"ST-{cancellation.issued_on.year}-000001"
    assert cancellation.corrects == original
    assert cancellation.stripe_refund_id == event["data"]["object"]["refunds"]["data"][0]["id"]
    [line] = cancellation.lines.all()
    assert (line.gross_cents, line.vat_cents, line.net_cents) == (-490, -32, -458)
    assert client.get(download).status_code == 404

    invoicing.render_pdf(invoice_id=cancellation.pk)
    assert invoicing_emails.email_credit_note(invoice_id=cancellation.pk) == "sent"
    [message] = outbox
    assert cancellation.number in message.subject and original.number in message.body
    assert "4,90 € erstattet" in message.body
    assert [name for name, *_ in message.attachments] == [f"{cancellation.number}.pdf"]
    library = client.get("/library/").content.decode()
    assert f"Rechnungskorrektur {cancellation.number}" in library
    assert f"Rechnung {original.number}" in library
    assert invoicing_emails.email_credit_note(invoice_id=cancellation.pk) == "already sent"


def test_the_cancellation_pdf_refers_to_the_original_with_negative_amounts(
    stripe_server, post_event
):
    from tests.pdf_text import pages_text

    order = bought(stripe_server, [factories.article(price_cents=490).product])
    post_event(refund(stripe_server, order, 490))
    cancellation = order.invoices.get(kind=Invoice.Kind.CREDIT_NOTE)

    invoicing.render_pdf(invoice_id=cancellation.pk)

    cancellation.refresh_from_db()
    [text] = pages_text(cancellation.pdf.read())
    assert f"Rechnungskorrektur (Stornorechnung) {cancellation.number}" in text
    assert f"unsere Rechnung {order.invoices.get(kind='invoice').number}" in text
    assert "-4,58 € 7 % -0,32 € -4,90 €" in text


def test_a_replayed_or_repeated_refund_event_changes_nothing(stripe_server, post_event):
    order = bought(stripe_server, [factories.article().product])
    event = refund(stripe_server, order, 490)
    post_event(event)

    assert outcome(post_event(event)) == "duplicate"
    # Stripe may send the same refund again under a new event id (charge.refunded after a
    # later update of the charge): its refund id is handled already.
    again = signing.event("charge.refunded", event["data"]["object"])
    assert outcome(post_event(again)) == "no new refund"
    assert order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_a_refund_of_one_whole_line_revokes_only_that_line(stripe_server, post_event):
    article, course = factories.article(price_cents=490).product, course_product()
    order = bought(stripe_server, [article, course])
    assert has_access(learner=order.buyer, course=course.course)

    assert outcome(post_event(refund(stripe_server, order, 2990))).startswith("refunded")

    cancellation = order.invoices.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert [(li.description, li.gross_cents) for li in cancellation.lines.all()] == [
        ("eCourse", -2990)
    ]
    assert not has_access(learner=order.buyer, course=course.course)
    assert Entitlement.objects.get(product=article).revoked_at is None
    order.refresh_from_db()
    assert not order.needs_review

    # The rest later: the remaining line, and with it the whole order, is cancelled.
    assert outcome(post_event(refund(stripe_server, order, 490, key="r2"))).startswith("refunded")
    assert Entitlement.objects.filter(order_line__order=order, revoked_at__isnull=True).count() == 0
    assert order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 2


def test_a_partial_refund_matching_no_line_is_invoiced_for_the_amount_and_flagged(
    stripe_server, post_event
):
    article, course = factories.article(price_cents=490).product, course_product()
    order = bought(stripe_server, [article, course])

    assert outcome(post_event(refund(stripe_server, order, 1000))).startswith("partial refund")

    cancellation = order.invoices.get(kind=Invoice.Kind.CREDIT_NOTE)
    lines = list(cancellation.lines.all())
    assert sum(line.gross_cents for line in lines) == -1000
    assert {str(line.vat_rate) for line in lines} == {"7.00", "19.00"}
    assert (
        Entitlement.objects.filter(order_line__order=order, revoked_at__isnull=False).count() == 0
    )
    order.refresh_from_db()
    assert order.needs_review and "passt zu keiner Position" in order.review_note


def test_two_lines_of_the_same_price_are_not_guessed_between(stripe_server, post_event):
    first, second = factories.article(price_cents=490), factories.article(price_cents=490)
    order = bought(stripe_server, [first.product, second.product])

    assert outcome(post_event(refund(stripe_server, order, 490))).startswith("partial refund")

    assert not Entitlement.objects.filter(revoked_at__isnull=False).exists()
    assert Order.objects.get(pk=order.pk).needs_review


def test_a_refund_without_the_refund_list_is_handled_by_the_amount_once(stripe_server, post_event):
    order = bought(stripe_server, [factories.article().product])
    charge = refund(stripe_server, order, 490)["data"]["object"]
    del charge["refunds"]  # API versions since 2022-11-15 leave it out of the event

    assert outcome(post_event(signing.event("charge.refunded", charge))).startswith("refunded")
    assert outcome(post_event(signing.event("charge.refunded", charge))) == "no new refund"
    assert order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_cancelling_a_custom_ebook_ends_in_exactly_one_cancellation_invoice(
    stripe_server, post_event, django_user_model
):
    product = Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )
    order = bought(stripe_server, [product])
    ebook = CustomEbook.objects.get(order_line__order=order)
    staff = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")
    ebooks.submit_wish(
        ebook_id=ebook.pk, by=ebook.buyer, working_title="Mein Weg", questions="Wie?",
        articles=[], format=CustomEbook.Format.PDF, note="",
    )  # fmt: skip

    ebooks.change_state(ebook_id=ebook.pk, to=CustomEbook.State.REFUNDED, by=staff)
    event = stripe_server.charge_refunded(order.stripe_payment_intent)

    assert outcome(post_event(event)).startswith("refunded")
    assert outcome(post_event(signing.event("charge.refunded", event["data"]["object"]))) == (
        "no new refund"
    )
    [cancellation] = order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE)
    assert cancellation.stripe_refund_id == CustomEbook.objects.get(pk=ebook.pk).refund_id
    assert [line.order_line_id for line in cancellation.lines.all()] == [ebook.order_line_id]


def test_a_dispute_takes_back_access_and_flags_the_order(stripe_server, post_event):
    course = course_product()
    order = bought(stripe_server, [course, factories.article().product])

    answer = post_event(stripe_server.dispute(order.stripe_payment_intent))

    assert outcome(answer) == "disputed: revoked and flagged"
    assert not Entitlement.objects.filter(order_line__order=order, revoked_at__isnull=True).exists()
    assert not has_access(learner=order.buyer, course=course.course)
    order.refresh_from_db()
    assert order.needs_review and "angefochten" in order.review_note
    assert not order.invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_a_course_bought_twice_stays_open_when_one_purchase_is_refunded(stripe_server, post_event):
    course = course_product()
    first = bought(stripe_server, [course])
    bought(stripe_server, [course])

    post_event(refund(stripe_server, first, 2990))

    assert has_access(learner=first.buyer, course=course.course)


def test_events_for_payments_the_shop_does_not_know_change_nothing(stripe_server, post_event):
    order = bought(stripe_server, [factories.article().product])
    charge = refund(stripe_server, order, 490)["data"]["object"]

    for payment_intent in ["pi_unknown", None, 42]:
        changed = {**charge, "payment_intent": payment_intent}
        assert outcome(post_event(signing.event("charge.refunded", changed))) == "unknown order"
    garbage = {**charge, "refunds": {"data": [{"id": 1, "amount": "490"}, "x", None]}}
    assert outcome(post_event(signing.event("charge.refunded", garbage))) == "no new refund"
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert Entitlement.objects.get().revoked_at is None
