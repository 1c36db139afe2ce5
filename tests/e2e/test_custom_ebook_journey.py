"""A reader orders a custom eBook and tells us the wish; the desk assembles it in the admin over
HTTP, looks at the worker's preview and approves; a real Celery worker renders PDF and EPUB and
mails the reader, who downloads both from the library. Nobody else sees any of it."""

import re
import time
from io import BytesIO

import pytest
import requests
from ebooklib import epub

from shop.models import CustomEbook, EbookChapter, EbookStateChange, Order, Product
from tests import factories
from tests.admin_login import current_code
from tests.e2e.reader import csrf_post, wait_for_mail
from tests.pdf_text import pages_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
State = CustomEbook.State


def wait_until(predicate, *, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sign_in(browser, base_url, email, mail_folder, mails_before):
    """The worker sends the link, maybe after e-mails it was given earlier (eve's own order)."""
    csrf_post(browser, f"{base_url}/sign-in/", {"email": email})
    links = []

    def link_arrived():
        for message in wait_for_mail(mail_folder, mails_before + 1)[mails_before:]:
            body = message.get_body(("plain",)).get_content()
            links.extend(re.findall(r"http://\S+/sign-in/\S+/", body))
        return bool(links)

    wait_until(link_arrived, what=f"the sign-in link for {email}")
    csrf_post(browser, links[0], {})


def test_custom_ebook_from_payment_to_delivery(
    live_server,
    stripe,
    worker,
    mail_folder,
    django_user_model,  # noqa: F811
):
    gehalt = factories.article(title="Gehalt verhandeln ohne Bauchweh")
    anfang = factories.article(title="Die ersten 100 Tage im neuen Job")
    abschied = factories.article(title="Kündigen mit Stil")
    Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )
    staff = django_user_model.objects.create_superuser("redaktion", "r@example.com", "geheim-123")
    base = live_server.url
    reader = requests.Session()

    # Pay through the spine's checkout: the success page asks for the wish.
    page = reader.get(f"{base}/individuelles-e-book/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    checkout = reader.post(
        f"{base}/individuelles-e-book/kaufen/",
        data={"email": "leser@example.com", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/individuelles-e-book/"}, allow_redirects=False,
    )  # fmt: skip
    assert checkout.status_code == 303
    back = reader.post(checkout.headers["Location"], data={"method": "card"})
    assert "Erzählen Sie uns Ihren Wunsch" in back.text

    # The order's e-mail: the invoice, no book yet, a link to the wish form.
    [order_mail] = wait_for_mail(mail_folder, 1)
    worker.wait_for_log("'sent'")
    [invoice] = list(order_mail.iter_attachments())
    assert invoice.get_filename() == f"{Order.objects.get().invoices.get().number}.pdf"
    body = order_mail.get_body(("plain",)).get_content()
    wish_url = re.search(r"http://\S+/library/e-book/\d+/wunsch/", body).group(0)
    ebook = CustomEbook.objects.get()
    assert ebook.state == State.AWAITING_WISH

    # The reader signs in, searches the catalog and sends the wish.
    sign_in(reader, base, "leser@example.com", mail_folder, 1)
    assert "Erzählen Sie uns Ihren Wunsch" in reader.get(f"{base}/library/").text
    found = reader.get(wish_url, params={"q": "Gehalt"}).text
    assert gehalt.title in found and abschied.title not in found
    sent = csrf_post(reader, wish_url, {
        "working_title": "Mein Weg nach oben", "questions": "Gehalt, Anfang und Abschied.",
        "articles": [gehalt.pk, abschied.pk], "format": "both", "note": "",
    })  # fmt: skip
    assert "Ihr Wunsch ist bei uns angekommen" in sent.text

    # The desk signs in to the admin, with the code of its authenticator app, and finds the
    # request in the queue.
    desk = requests.Session()
    csrf_post(desk, f"{base}/admin/login/?next=/admin/", {
        "username": "redaktion", "password": "geheim-123", "otp_token": current_code(staff),
    })  # fmt: skip
    queue_url = f"{base}/admin/shop/customebook/"
    queue = desk.get(queue_url).text
    assert "Mein Weg nach oben" in queue and "Neu" in queue
    csrf_post(desk, queue_url, {"action": "move_to_in_assembly", "_selected_action": ebook.pk})

    # Assembly: title, subtitle, preface; the wished chapters reordered and one added.
    change_url = f"{queue_url}{ebook.pk}/change/"
    wished = {c.article_id: c.pk for c in EbookChapter.objects.filter(ebook=ebook)}
    assert set(wished) == {gehalt.pk, abschied.pk}
    saved = csrf_post(desk, change_url, {
        "title": "Mein Weg nach oben", "subtitle": "Drei Texte für Ihren Berufsweg",
        "preface": "Für Sie zusammengestellt von der Redaktion.",
        "chapters-TOTAL_FORMS": 3, "chapters-INITIAL_FORMS": 2,
        "chapters-0-id": wished[gehalt.pk], "chapters-0-position": 3,
        "chapters-0-article": gehalt.pk,
        "chapters-1-id": wished[abschied.pk], "chapters-1-position": 1,
        "chapters-1-article": abschied.pk,
        "chapters-2-position": 2, "chapters-2-article": anfang.pk,
        "state_changes-TOTAL_FORMS": 0, "state_changes-INITIAL_FORMS": 0, "_continue": "1",
    })  # fmt: skip
    assert saved.status_code == 200 and "errornote" not in saved.text
    order = [abschied.title, anfang.title, gehalt.title]

    # The worker renders the preview; staff open it from the change page.
    def preview_shows_the_new_order() -> bool:
        page = desk.get(change_url).text
        link = re.search(r'href="(/admin/shop/customebook/\d+/preview/)"', page)
        if not link:
            return False
        text = " ".join(pages_text(desk.get(base + link.group(1)).content))
        return all(title in text for title in order) and text.index(order[0]) < text.index(order[2])

    wait_until(preview_shows_the_new_order, what="the preview")
    preview_url = f"{queue_url}{ebook.pk}/preview/"
    assert "Vorschau für die Redaktion" in pages_text(desk.get(preview_url).content)[0]

    # Review and approval; the worker renders the book once and mails the reader.
    csrf_post(desk, queue_url, {"action": "move_to_ready_for_review", "_selected_action": ebook.pk})
    csrf_post(desk, queue_url, {"action": "move_to_approved", "_selected_action": ebook.pk})
    ready_mail = wait_for_mail(mail_folder, 3)[-1]
    assert "ist fertig" in ready_mail["Subject"] and ready_mail["To"] == "leser@example.com"
    ebook.refresh_from_db()
    assert (ebook.state, ebook.version) == (State.DELIVERED, 1)

    # The reader finds PDF and EPUB in the library.
    library = reader.get(f"{base}/library/").text
    downloads = re.findall(r'href="(/library/download/[^"]+/)"', library)
    assert len(downloads) == 2
    pdf_copy, epub_copy = (reader.get(base + link) for link in downloads)
    assert pdf_copy.headers["Content-Type"] == "application/pdf"
    text = " ".join(pages_text(pdf_copy.content))
    starts = [text.index(f"KAPITEL {n} {title}") for n, title in enumerate(order, start=1)]
    assert starts == sorted(starts)
    assert "Lizenziert für leser@example.com" in text
    assert epub_copy.headers["Content-Type"] == "application/epub+zip"
    book = epub.read_epub(BytesIO(epub_copy.content), {"ignore_ncx": True})
    assert [link.title for link in book.toc][1:4] == order
    assert "leser@example.com" in book.get_metadata("DC", "rights")[0][0]

    # Every state change is on record with who made it.
    changes = [
        (c.from_state, c.to_state, c.changed_by.username if c.changed_by else None)
        for c in EbookStateChange.objects.filter(ebook=ebook)
    ]
    assert changes == [
        (State.AWAITING_WISH, State.NEW, "leser@example.com"),
        (State.NEW, State.IN_ASSEMBLY, "redaktion"),
        (State.IN_ASSEMBLY, State.READY_FOR_REVIEW, "redaktion"),
        (State.READY_FOR_REVIEW, State.APPROVED, "redaktion"),
        (State.APPROVED, State.DELIVERED, None),
    ]

    # Nobody else sees the wish, the preview, the queue or the book.
    sign_in_other = requests.Session()
    factories.paid_order(factories.article().product, buyer_email="eve@example.com")
    sign_in(sign_in_other, base, "eve@example.com", mail_folder, 3)
    assert sign_in_other.get(wish_url).status_code == 404
    assert all(sign_in_other.get(base + link).status_code == 404 for link in downloads)
    for url in (queue_url, preview_url):
        response = sign_in_other.get(url, allow_redirects=False)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
        response = reader.get(url, allow_redirects=False)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
