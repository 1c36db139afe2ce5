"""Custom eBooks: the wish after payment, one reminder, the desk's states, the final renders."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from ebooklib import epub

from shop.ebooks import services as ebooks
from shop.models import CustomEbook, Delivery, EbookChapter, InvalidTransition, Product
from shop.orders import fulfilment, services
from shop.payments import stripe_api
from tests import factories
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db
State = CustomEbook.State


@pytest.fixture
def product():
    return Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")


def bought(product, email="alice@example.com") -> CustomEbook:
    order = factories.paid_order(product, buyer_email=email)
    return CustomEbook.objects.get(order_line__order=order)


def wish(ebook, *, articles=(), format=CustomEbook.Format.BOTH) -> CustomEbook:
    return ebooks.submit_wish(
        ebook_id=ebook.pk, by=ebook.buyer, working_title="Mein Weg nach oben",
        questions="Wie verhandle ich mein Gehalt?", articles=list(articles), format=format,
        note="",
    )  # fmt: skip


def assembled(ebook, staff, articles) -> CustomEbook:
    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=staff)
    EbookChapter.objects.filter(ebook=ebook).delete()
    for position, article in enumerate(articles, start=1):
        EbookChapter.objects.create(ebook=ebook, article=article, position=position)
    CustomEbook.objects.filter(pk=ebook.pk).update(
        title="Gehalt, Anfang, Abschied", subtitle="Drei Texte für Alice", preface="Für Alice."
    )
    return ebooks.change_state(ebook_id=ebook.pk, to=State.READY_FOR_REVIEW, by=staff)


def read(delivery: Delivery) -> bytes:
    with delivery.file.open("rb") as file:
        return file.read()


def test_payment_opens_a_book_that_waits_for_the_wish_and_the_email_links_the_form(product, outbox):
    ebook = bought(product)
    order = ebook.order_line.order

    fulfilment.render_deliveries(order_id=order.pk)
    # No PDF to wait for: the e-mail goes out at once, asking for the wish.
    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"

    assert ebook.state == State.AWAITING_WISH and ebook.buyer == order.buyer
    [message] = outbox
    assert "Erzählen Sie uns Ihren Wunsch" in message.subject
    assert [name for name, *_ in message.attachments] == [f"{order.invoices.get().number}.pdf"]
    assert f"/library/e-book/{ebook.pk}/wunsch/" in message.body
    assert not Delivery.objects.filter(order_line__order=order).exists()


def test_the_success_page_and_the_library_ask_for_the_wish(client, product, stripe_server):
    checkout = client.post("/individuelles-e-book/kaufen/", {"email": "alice@example.com"})
    session_id = checkout["Location"].rsplit("/", 1)[-1]
    stripe_server.complete(session_id)

    success = client.get("/checkout/success/", {"session_id": session_id}).content.decode()

    ebook = CustomEbook.objects.get()
    assert "Erzählen Sie uns Ihren Wunsch" in success
    assert f"/library/e-book/{ebook.pk}/wunsch/" in success
    client.force_login(ebook.buyer)
    library = client.get("/library/").content.decode()

    assert "Erzählen Sie uns Ihren Wunsch" in library
    assert f"/library/e-book/{ebook.pk}/wunsch/" in library

    wish(ebook)
    library = client.get("/library/").content.decode()
    assert "Erzählen Sie uns Ihren Wunsch" not in library and "Mein Weg nach oben" in library


def test_the_reader_searches_the_catalog_and_sends_the_wish(client, product):
    wanted = factories.article(title="Gehalt verhandeln ohne Bauchweh")
    factories.article(title="Die ersten 100 Tage")
    ebook = bought(product)
    client.force_login(ebook.buyer)
    url = f"/library/e-book/{ebook.pk}/wunsch/"

    search = client.get(url, {"q": "Gehalt"}).content.decode()
    assert "Gehalt verhandeln ohne Bauchweh" in search and "Die ersten 100 Tage" not in search

    response = client.post(url, {
        "working_title": "Mehr Geld", "questions": "Wie fange ich an?", "articles": [wanted.pk],
        "format": "epub", "note": "Bitte kurz.",
    })  # fmt: skip

    assert response.status_code == 302 and response["Location"] == "/library/"
    ebook.refresh_from_db()
    assert ebook.state == State.NEW and ebook.wish_submitted_at
    assert (ebook.working_title, ebook.format, ebook.note) == ("Mehr Geld", "epub", "Bitte kurz.")
    assert list(ebook.wished_articles.all()) == [wanted]
    [change] = ebook.state_changes.all()
    assert (change.from_state, change.to_state, change.changed_by) == (
        State.AWAITING_WISH, State.NEW, ebook.buyer,
    )  # fmt: skip


def test_an_incomplete_wish_is_shown_again_with_its_errors(client, product):
    ebook = bought(product)
    client.force_login(ebook.buyer)

    response = client.post(f"/library/e-book/{ebook.pk}/wunsch/", {"format": "pdf"})

    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()


def test_the_wish_is_fixed_once_the_desk_starts(client, product, staff):
    ebook = wish(bought(product))
    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=staff)
    client.force_login(ebook.buyer)

    # The page without its footer, which has the newsletter's form.
    page = client.get(f"/library/e-book/{ebook.pk}/wunsch/").content.decode().split("</main>")[0]
    client.post(f"/library/e-book/{ebook.pk}/wunsch/", {
        "working_title": "Anders", "questions": "?", "format": "pdf",
    })  # fmt: skip

    assert '<form method="post"' not in page and "Mein Weg nach oben" in page
    assert CustomEbook.objects.get(pk=ebook.pk).working_title == "Mein Weg nach oben"
    with pytest.raises(ebooks.WishClosed):
        wish(ebook)


def test_no_one_else_sees_a_wish(client, product):
    ebook = wish(bought(product))
    url = f"/library/e-book/{ebook.pk}/wunsch/"

    assert client.get(url).status_code == 302  # to sign in
    client.force_login(bought(product, email="eve@example.com").buyer)
    assert client.get(url).status_code == 404
    changed = {"working_title": "x", "questions": "y", "format": "pdf"}
    assert client.post(url, changed).status_code == 404
    assert CustomEbook.objects.get(pk=ebook.pk).working_title == "Mein Weg nach oben"


def test_one_reminder_two_days_after_payment_while_the_wish_is_missing(product, outbox):
    waiting, answered = bought(product), wish(bought(product, email="bob@example.com"))
    later = timezone.now() + timedelta(days=2, minutes=1)

    assert ebooks.remind_missing_wishes(ordered_before=timezone.now() - timedelta(days=2)) == 0
    with time_machine.travel(later):
        cutoff = timezone.now() - timedelta(days=2)
        assert ebooks.remind_missing_wishes(ordered_before=cutoff) == 1
        assert ebooks.remind_missing_wishes(ordered_before=cutoff) == 0

    [reminder] = outbox
    assert reminder.to == ["alice@example.com"] and "Wunsch" in reminder.subject
    assert f"/library/e-book/{waiting.pk}/wunsch/" in reminder.body
    assert CustomEbook.objects.get(pk=answered.pk).reminder_sent_at is None


def test_the_desk_starts_from_the_wish_and_every_change_names_who_and_when(product, staff):
    first, second = factories.article(title="B-Text"), factories.article(title="A-Text")
    ebook = wish(bought(product), articles=[first, second])

    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=staff)

    ebook.refresh_from_db()
    assert ebook.title == "Mein Weg nach oben"
    assert [c.article.title for c in ebook.chapters.all()] == ["A-Text", "B-Text"]
    changes = [(c.from_state, c.to_state, c.changed_by) for c in ebook.state_changes.all()]
    assert changes == [
        (State.AWAITING_WISH, State.NEW, ebook.buyer), (State.NEW, State.IN_ASSEMBLY, staff),
    ]  # fmt: skip
    assert all(c.changed_at for c in ebook.state_changes.all())


def test_only_allowed_transitions_happen(product, staff):
    ebook = bought(product)

    with pytest.raises(InvalidTransition):
        ebooks.change_state(ebook_id=ebook.pk, to=State.APPROVED, by=staff)
    wish(ebook)
    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=staff)
    with pytest.raises(ebooks.NotReady):
        ebooks.change_state(ebook_id=ebook.pk, to=State.READY_FOR_REVIEW, by=staff)
    assert CustomEbook.objects.get(pk=ebook.pk).state == State.IN_ASSEMBLY


def test_approval_renders_pdf_and_epub_once_licensed_to_the_buyer(
    product, staff, outbox, django_capture_on_commit_callbacks
):
    articles = [factories.article(title=t) for t in ("Drei", "Eins", "Zwei")]
    ebook = assembled(wish(bought(product)), staff, [articles[1], articles[2], articles[0]])
    order = ebook.order_line.order

    with django_capture_on_commit_callbacks() as enqueued:
        ebooks.change_state(ebook_id=ebook.pk, to=State.APPROVED, by=staff)
    assert len(enqueued) == 1
    assert ebooks.render_final(ebook_id=ebook.pk) == "delivered"
    assert ebooks.render_final(ebook_id=ebook.pk) == "not approved (delivered)"

    pdf_copy = Delivery.objects.get(order_line__order=order, format="pdf")
    epub_copy = Delivery.objects.get(order_line__order=order, format="epub")
    assert pdf_copy.content_version == epub_copy.content_version == "v1"
    pages = pages_text(read(pdf_copy))
    text = " ".join(pages)
    assert re.search(r"KAPITEL 1 Eins .* KAPITEL 2 Zwei .* KAPITEL 3 Drei", text)
    licence = (
        f"Lizenziert für alice@example.com · Bestellung {order.reference}"
        " · nur zur persönlichen Nutzung"
    )
    assert all(licence in page for page in pages)
    book = epub.read_epub(BytesIO(read(epub_copy)), {"ignore_ncx": True})
    assert [link.title for link in book.toc][1:4] == ["Eins", "Zwei", "Drei"]
    assert book.get_metadata("DC", "rights")[0][0] == licence

    assert ebooks.send_ready_email(ebook_id=ebook.pk) == "sent"
    assert ebooks.send_ready_email(ebook_id=ebook.pk) == "already sent"
    [ready] = outbox
    assert "ist fertig" in ready.subject and "/library/" in ready.body


def test_a_new_version_needs_no_new_purchase_and_the_library_offers_the_latest(
    client, product, staff
):
    articles = [factories.article(title=t) for t in ("Eins", "Zwei")]
    ebook = assembled(wish(bought(product)), staff, articles)
    ebooks.change_state(ebook_id=ebook.pk, to=State.APPROVED, by=staff)
    ebooks.render_final(ebook_id=ebook.pk)

    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=staff)
    EbookChapter.objects.create(ebook=ebook, article=factories.article(title="Drei"), position=3)
    ebooks.change_state(ebook_id=ebook.pk, to=State.READY_FOR_REVIEW, by=staff)
    ebooks.change_state(ebook_id=ebook.pk, to=State.APPROVED, by=staff)
    ebooks.render_final(ebook_id=ebook.pk)

    client.force_login(ebook.buyer)
    library = client.get("/library/").content.decode()
    links = re.findall(r'href="(/library/download/[^"]+/)"', library)
    assert len(links) == 2 and "(Version 2)" in library
    newest = client.get(links[0])
    assert newest["Content-Type"] == "application/pdf"
    assert "Drei" in " ".join(pages_text(b"".join(newest.streaming_content)))
    assert client.get(links[1])["Content-Type"] == "application/epub+zip"
    assert ebook.order_line.order.lines.count() == 1


def bought_through_stripe(product, stripe_server) -> CustomEbook:
    session = stripe_server.complete(
        services.start_checkout(product=product, email="alice@example.com").rsplit("/", 1)[-1]
    )["data"]["object"]
    services.complete_checkout(session=session)
    return CustomEbook.objects.get(order_line__order__stripe_session_id=session["id"])


def test_cancelling_refunds_the_line_and_revokes_the_book(client, product, staff, stripe_server):
    ebook = wish(bought_through_stripe(product, stripe_server))

    ebooks.change_state(ebook_id=ebook.pk, to=State.REFUNDED, by=staff)

    [refund] = stripe_server.refunds
    order = ebook.order_line.order
    assert (refund["payment_intent"], refund["amount"]) == (order.stripe_payment_intent, 7900)
    assert CustomEbook.objects.get(pk=ebook.pk).refund_id == refund["id"]
    client.force_login(ebook.buyer)
    assert client.get(f"/library/e-book/{ebook.pk}/wunsch/").status_code == 404
    assert "Noch ist nichts da" in client.get("/library/").content.decode()


def test_a_refund_stripe_refuses_cancels_nothing(product, staff, stripe_server):
    ebook = wish(bought(product))  # paid with a payment intent Stripe does not know

    with pytest.raises(stripe_api.StripeUnavailable):
        ebooks.change_state(ebook_id=ebook.pk, to=State.REFUNDED, by=staff)

    ebook.refresh_from_db()
    assert ebook.state == State.NEW and not ebook.state_changes.filter(to_state=State.REFUNDED)
    assert ebook.order_line.entitlements.get().revoked_at is None
