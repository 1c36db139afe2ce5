"""After payment: the buyer's licensed PDF is rendered, stored and e-mailed exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents.models import RenderedPdf
from shop.models import Delivery, Order
from shop.orders import fulfilment, selectors, services
from tests import factories
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db

LONG_BODY = "\n\n".join(
    f"## Abschnitt {n}\n\n" + "Wer vorbereitet ist, verhandelt gelassener und erfolgreicher. " * 40
    for n in range(1, 7)
)


def paid_order(email="alice@example.com", article=None):
    order = factories.pending_order(buyer_email=email, of=article)
    services.complete_checkout(session=factories.completed_session(order))
    order.refresh_from_db()
    return order


def fulfil(order):
    fulfilment.render_deliveries(order_id=order.pk)
    return fulfilment.send_delivery_email(order_id=order.pk)


def test_buyer_gets_one_email_with_their_licensed_pdf(outbox):
    article = factories.article(title="Führen ohne Titel", body=LONG_BODY)
    order = paid_order(article=article)

    assert fulfil(order) == "sent"

    [message] = outbox
    assert message.to == ["alice@example.com"]
    assert order.reference in message.subject
    assert "/library/" in message.body and "persönlichen Gebrauch" in message.body
    [(filename, pdf, mimetype), (invoice_name, *_)] = message.attachments
    assert invoice_name == f"{order.invoices.get().number}.pdf"
    assert mimetype == "application/pdf" and filename.endswith(f"{order.reference}.pdf")
    pages = pages_text(pdf)
    assert len(pages) >= 2
    assert "Führen ohne Titel" in pages[0]
    licence = (
        f"Lizenziert für alice@example.com · Bestellung {order.reference}"
        " · nur zur persönlichen Nutzung"
    )
    assert all(licence in page for page in pages)
    order.refresh_from_db()
    assert order.fulfilled_at is not None


def test_the_licence_line_speaks_the_language_of_the_order_the_content_stays_german(outbox):
    article = factories.article(title="Führen ohne Titel", body=LONG_BODY)
    german = paid_order(email="de@example.com", article=article)
    english = services.create_order(product=article.product, email="en@example.com", language="en")
    english.stripe_session_id = f"cs_test_{english.reference}"
    english.save(update_fields=["stripe_session_id"])
    services.complete_checkout(session=factories.completed_session(english))

    fulfil(german)
    fulfil(english)

    german_pages, english_pages = (pages_text(m.attachments[0][1]) for m in outbox)
    assert all(
        f"Lizenziert für de@example.com · Bestellung {german.reference} · nur zur persönlichen "
        "Nutzung" in page
        for page in german_pages
    )
    assert all(
        f"Licensed to en@example.com · order {english.reference} · personal use only" in page
        for page in english_pages
    )
    assert not any("Lizenziert" in page for page in english_pages)
    # One base PDF for both: the article and its labels are German whoever buys it.
    assert german_pages[0].split("Lizenziert")[0] == english_pages[0].split("Licensed")[0]


def test_running_fulfilment_again_sends_nothing_new(outbox):
    order = paid_order()
    fulfil(order)

    assert fulfil(order) == "already sent"
    assert len(outbox) == 1
    assert Delivery.objects.filter(order_line__order=order).count() == 1


def test_base_pdf_is_rendered_once_per_content_version_for_many_buyers():
    article = factories.article()
    for email in ["a@example.com", "b@example.com", "c@example.com"]:
        fulfil(paid_order(email=email, article=article))

    assert RenderedPdf.objects.count() == 1
    assert Delivery.objects.filter(status=Delivery.Status.RENDERED).count() == 3

    article.body += "\n\nEin Nachtrag der Redaktion."
    article.save()
    fulfil(paid_order(email="d@example.com", article=article))
    assert RenderedPdf.objects.count() == 2


def test_each_buyer_copy_names_its_own_buyer(outbox):
    article = factories.article()
    fulfil(paid_order(email="a@example.com", article=article))
    fulfil(paid_order(email="b@example.com", article=article))

    first, second = (pages_text(m.attachments[0][1])[0] for m in outbox)
    assert "a@example.com" in first and "b@example.com" not in first
    assert "b@example.com" in second


def test_unpaid_order_is_not_fulfilled(outbox):
    order = factories.pending_order()

    assert fulfil(order) == "not paid"
    assert not Delivery.objects.exists() and outbox == []


def test_staff_resend_sends_the_same_copy_again(outbox):
    order = paid_order()
    fulfil(order)

    assert fulfilment.send_delivery_email(order_id=order.pk, resend=True) == "sent"
    assert len(outbox) == 2
    assert outbox[0].attachments[0][1] == outbox[1].attachments[0][1]


def test_render_again_replaces_the_copy_without_a_second_email(outbox):
    order = paid_order()
    fulfil(order)
    first = Delivery.objects.get()

    fulfilment.render_deliveries(order_id=order.pk, rerender=True)

    again = Delivery.objects.get()
    assert again.pk == first.pk and again.updated_at > first.updated_at
    assert fulfilment.send_delivery_email(order_id=order.pk) == "already sent"
    assert len(outbox) == 1


def test_a_failed_render_is_recorded_for_staff_and_retried(outbox, settings):
    order = paid_order()
    settings.MEDIA_ROOT = "/proc/no-such-place"  # storage refuses to write: a real failure

    with pytest.raises(fulfilment.FulfilmentIncomplete):
        fulfilment.render_deliveries(order_id=order.pk)

    failed = Delivery.objects.get()
    assert failed.status == Delivery.Status.FAILED and failed.error
    assert fulfilment.send_delivery_email(order_id=order.pk) == "not rendered yet"
    assert outbox == []


def test_paid_orders_left_unfulfilled_are_found_again(settings):
    stuck = paid_order()
    Order.objects.filter(pk=stuck.pk).update(paid_at=timezone.now() - timedelta(minutes=10))
    fresh = paid_order(email="b@example.com")
    done = paid_order(email="c@example.com")
    Order.objects.filter(pk=done.pk).update(
        paid_at=timezone.now() - timedelta(minutes=10), fulfilled_at=timezone.now()
    )

    found = selectors.unfulfilled_order_ids(paid_before=timezone.now() - settings.FULFILMENT_GRACE)
    assert found == [stuck.pk]
    assert fresh.pk not in found
