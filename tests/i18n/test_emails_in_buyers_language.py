"""E-mails go out in the language the buyer used at checkout, whoever sends them later (the
worker's services run here as the worker runs them, with no request and no language active)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import certificates, drip
from courses.models import Enrolment
from devstripe import signing
from shop.ebooks import services as ebooks
from shop.models import CustomEbook, Order, Product, Subscription, WithdrawalDeclaration
from shop.orders import fulfilment
from shop.withdrawals import services as withdrawals
from tests import factories
from tests.courses import factories as course_factories
from tests.i18n.german_words import german_words_in, visible_text
from tests.pdf_text import pages_text
from tests.shop.adviser.subscriber import subscribe_by_link
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db


def checkout(client, path, post_event, email="reader@example.com") -> Order:
    """Buys through the shop's pages and a signed webhook, as a reader and Stripe do."""
    assert client.post(path, {"email": email, **factories.LAPSE_CONSENT}).status_code == 303
    order = Order.objects.latest("pk")
    post_event(signing.event("checkout.session.completed", factories.completed_session(order)))
    order.refresh_from_db()
    assert order.is_paid
    return order


def fulfil(order: Order) -> None:
    fulfilment.render_deliveries(order_id=order.pk)
    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_an_order_placed_in_english_gets_its_email_in_english(
    in_english, stripe_server, post_event, outbox
):
    article = factories.article(title="Salary talks", price_cents=490)

    order = checkout(in_english, f"/artikel/{article.slug}/kaufen/", post_event)
    fulfil(order)

    assert order.language == "en"
    assert stripe_server.requests[-1].params["locale"] == "en"
    [message] = outbox
    assert message.subject == f"Your order {order.reference}: Your PDF is here"
    assert message.body.startswith("Hello,\n\nthank you for your order")
    assert "Attached you will find:" in message.body
    assert "The PDF is licensed to reader@example.com and for your personal use only." in (
        message.body
    )
    html = html_of(message)
    assert '<html lang="en">' in html
    assert german_words_in(message.body) == [] and german_words_in(visible_text(html)) == []
    # The PDF's own labels follow its German content; the licence line speaks the order's language.
    attachments = {name: content for name, content, _type in message.attachments}
    invoice = order.invoices.get()
    [page, *_] = pages_text(attachments.pop(invoice.download_name))
    for text in [f"Invoice {invoice.number}", "Thank you for your order. We charge you for:",
                 "VAT by rate", "The date of supply is the invoice date."]:  # fmt: skip
        assert text in page
    assert "Rechnung" not in page and "Netto" not in page
    [article_pdf] = attachments.values()
    assert f"Licensed to reader@example.com · order {order.reference}" in pages_text(article_pdf)[0]


def test_an_order_placed_in_german_gets_its_email_in_german(
    client, stripe_server, post_event, outbox
):
    article = factories.article(price_cents=490)

    order = checkout(client, f"/artikel/{article.slug}/kaufen/", post_event)
    fulfil(order)

    assert order.language == "de"
    assert stripe_server.requests[-1].params["locale"] == "de"
    [message] = outbox
    assert message.subject == f"Ihre Bestellung {order.reference}: Ihr PDF ist da"
    assert message.body.startswith("Guten Tag,\n\nvielen Dank für Ihre Bestellung")
    assert '<html lang="de">' in html_of(message)
    invoice = order.invoices.get()
    [invoice_pdf] = [
        content for name, content, _ in message.attachments if name == invoice.download_name
    ]
    assert f"Rechnung {invoice.number}" in pages_text(invoice_pdf)[0]


def test_the_language_of_the_page_that_sent_the_worker_does_not_leak(
    in_english, stripe_server, post_event, outbox
):
    """An English visitor's request activates English; a German order fulfilled right after,
    in the same thread, is still German."""
    german = factories.paid_order(factories.article().product, buyer_email="de@example.com")
    in_english.get("/")

    fulfil(german)

    assert outbox[0].subject.startswith("Ihre Bestellung")


@pytest.fixture
def course_product():
    course = course_factories.course(lessons=2, title="Negotiating")
    return Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="Negotiating course", price_cents=2990,
    )  # fmt: skip


def test_a_course_bought_in_english_teaches_in_english_down_to_the_certificate(
    in_english, stripe_server, post_event, outbox, course_product
):
    course = course_product.course
    order = checkout(in_english, f"/kurse/{course.slug}/kaufen/", post_event)
    fulfil(order)
    enrolment = Enrolment.objects.get(learner=order.buyer, course=course)
    assert enrolment.language == "en"
    assert outbox[-1].subject == f"Your order {order.reference}: Your course is ready"

    drip.switch_to_email(enrolment=enrolment, interval_days=1)
    drip.send_next_lesson(enrolment_id=enrolment.pk, force=True)
    lesson = outbox[-1]
    assert lesson.subject == "Negotiating: Lesson 1 of 2 – Lektion Nummer 1"
    assert "Your tasks" in lesson.body and "Done? One click is all it takes" in lesson.body
    assert "Lesson 1 of 2" in html_of(lesson) and '<html lang="en">' in html_of(lesson)

    certificate = certificates.issue_certificate(enrolment=enrolment)
    certificates.render_certificate(certificate_id=certificate.pk)
    assert certificates.send_certificate_email(certificate_id=certificate.pk) == "sent"
    mail = outbox[-1]
    assert mail.subject == "Your certificate: Negotiating"
    assert mail.body.startswith("Congratulations!\n\nYou have completed the course “Negotiating”")
    [page] = pages_text(mail.attachments[0][1])
    for text in ["Certificate", "We hereby confirm that", "has successfully completed the eCourse",
                 "Verification code", "Verify at:"]:  # fmt: skip
        assert text in page
    assert "Zertifikat" not in page and "bestätigen" not in page


def test_a_course_bought_in_german_teaches_in_german(client, stripe_server, post_event, outbox,
                                                     course_product):  # fmt: skip
    order = checkout(client, f"/kurse/{course_product.course.slug}/kaufen/", post_event)
    fulfil(order)
    enrolment = Enrolment.objects.get(learner=order.buyer)

    drip.switch_to_email(enrolment=enrolment, interval_days=1)
    drip.send_next_lesson(enrolment_id=enrolment.pk, force=True)

    assert enrolment.language == "de"
    assert outbox[-1].subject == "Negotiating: Lektion 1 von 2 – Lektion Nummer 1"
    assert "Ihre Aufgaben" in outbox[-1].body


def test_the_ebook_reminder_follows_the_order_language(
    in_english, stripe_server, post_event, outbox
):
    Product.objects.create(kind=Product.Kind.CUSTOM_EBOOK, name="Custom eBook", price_cents=7900)
    order = checkout(in_english, "/individuelles-e-book/kaufen/", post_event)
    CustomEbook.objects.filter(order_line__order=order).update(
        created_at=timezone.now() - timedelta(days=3)
    )

    assert ebooks.remind_missing_wishes(ordered_before=timezone.now() - timedelta(days=2)) == 1

    reminder = outbox[-1]
    assert (
        reminder.subject == f"Your eBook (order {order.reference}): we are waiting for your request"
    )
    assert reminder.body.startswith("Hello,\n\ntwo days ago you ordered a custom eBook")
    assert german_words_in(reminder.body) == []


def test_the_sign_in_link_comes_in_the_language_it_was_asked_in(in_english, outbox):
    factories.paid_order(factories.article().product, buyer_email="reader@example.com")

    with worker_runs():
        page = in_english.post("/sign-in/", {"email": "reader@example.com"}).content.decode()

    assert "Please check your inbox" in page
    [message] = outbox
    assert message.subject == "Your sign-in link for your library"
    assert re.search(
        r"use this link to sign in to your library:\nhttp://\S+/sign-in/", message.body
    )
    assert "valid for 60 minutes and can be used only once" in message.body


def test_a_ratgeber_subscribed_in_english_books_english_monthly_orders(
    in_english, stripe_server, post_event, outbox
):
    factories.adviser_product()
    assert subscribe_by_link(in_english, "reader@example.com").status_code == 303
    subscription = Subscription.objects.get()
    made = len(stripe_server.events)
    completed = stripe_server.complete(subscription.stripe_session_id)
    for event in [completed, *stripe_server.events[made:]]:
        assert post_event(event).status_code == 200

    order = Order.objects.get(email="reader@example.com")
    fulfil(order)

    assert subscription.language == order.language == "en"
    assert stripe_server.requests[0].params["locale"] == "en"
    assert order.lines.get().description.startswith("AI adviser subscription ")
    [message] = outbox
    assert message.subject == f"Your order {order.reference}: Your AI adviser payment"
    assert german_words_in(message.body) == []


def test_a_withdrawal_declared_in_english_is_confirmed_in_english_by_the_worker(
    in_english, outbox, django_capture_on_commit_callbacks
):
    page = in_english.post(
        "/vertrag-widerrufen/",
        {"name": "Rea Der", "email": "reader@example.com", "contract": "2026-999999",
         "message": "", "confirm": "1"},
    )  # fmt: skip
    declaration = WithdrawalDeclaration.objects.get()

    assert withdrawals.send_receipt(declaration_id=declaration.pk) == "sent"

    assert declaration.language == "en" and page.status_code in (200, 302)
    [message] = outbox
    assert message.subject.startswith("Confirmation of receipt of your withdrawal of ")
    assert german_words_in(message.body) == []
