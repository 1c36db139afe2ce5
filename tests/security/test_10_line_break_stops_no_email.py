"""Finding 10: a line break typed by a buyer silently stopped an e-mail. A working title with
"\\r\\n" became the "ready" e-mail's subject, Django refused the header, the task failed for
good, and the admin showed the eBook "Ausgeliefert". Now every subject is one line, and an
e-mail that fails shows staff why, next to what it was for."""

import pytest
from django.core import mail

from newsletter import services as newsletter
from newsletter import tasks as newsletter_tasks
from newsletter.models import Issue, Subscriber
from shop.ebooks import services as ebooks
from shop.ebooks import tasks as ebook_tasks
from shop.models import CustomEbook, EbookChapter, Product
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.security.smtp import RefusingMailServer

pytestmark = pytest.mark.django_db
State = CustomEbook.State


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")


@pytest.fixture
def refusing_mail_server(settings):
    """Django's SMTP backend against a real server on loopback that refuses every message."""
    with RefusingMailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
            "127.0.0.1",
            server.port,
            False,
        )
        yield server


def wished_by_the_buyer(client, working_title: str) -> CustomEbook:
    product = Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )
    ebook = CustomEbook.objects.get(order_line__order=factories.paid_order(product))
    client.force_login(ebook.buyer)
    response = client.post(f"/library/e-book/{ebook.pk}/wunsch/", {
        "working_title": working_title, "questions": "Wie fange ich an?", "format": "pdf",
        "note": "",
    })  # fmt: skip
    assert response.status_code == 302
    client.logout()
    return CustomEbook.objects.get(pk=ebook.pk)


def approved(ebook: CustomEbook, staff) -> None:
    """Staff take the wish as it came (the title is the working title) and approve it."""
    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=staff)
    EbookChapter.objects.create(ebook=ebook, article=factories.article(title="Eins"), position=1)
    ebooks.change_state(ebook_id=ebook.pk, to=State.READY_FOR_REVIEW, by=staff)
    ebooks.change_state(ebook_id=ebook.pk, to=State.APPROVED, by=staff)


def test_a_line_break_in_the_working_title_still_sends_the_ready_email_on_one_line(
    client, staff, outbox, run_tasks
):
    ebook = wished_by_the_buyer(client, "Mein Weg\r\nnach oben")
    assert ebook.working_title == "Mein Weg\r\nnach oben"  # kept as typed: it is the wish

    with run_tasks():  # the final render, then the ready e-mail, as the worker runs them
        approved(ebook, staff)

    ebook.refresh_from_db()
    assert ebook.state == State.DELIVERED and ebook.ready_emailed_at is not None
    [ready] = [m for m in outbox if "ist fertig" in m.subject]
    assert ready.subject == "Ihr E-Book „Mein Weg nach oben“ ist fertig"
    assert "\n" not in ready.message()["Subject"] and "\r" not in ready.message()["Subject"]
    assert ebook.ready_email_error == ""


def test_a_ready_email_the_mail_server_refuses_is_shown_to_staff_until_it_goes_out(
    client, staff, django_capture_on_commit_callbacks, refusing_mail_server
):
    ebook = wished_by_the_buyer(client, "Mehr Geld")
    with django_capture_on_commit_callbacks():  # the tasks are run below, one by one
        approved(ebook, staff)
        assert ebooks.render_final(ebook_id=ebook.pk) == "delivered"

    # The worker tries, the server refuses, the retries run out: the task fails for good.
    failed = ebook_tasks.send_ebook_ready_email.apply(args=[ebook.pk])
    assert failed.state == "FAILURE" and failed.info.args[0] == 554

    ebook.refresh_from_db()
    assert ebook.state == State.DELIVERED and ebook.ready_emailed_at is None
    sign_in_to_admin(client, staff)
    queue = client.get("/admin/shop/customebook/").content.decode()
    assert "Fertig-E-Mail fehlgeschlagen: SMTPDataError" in queue
    assert "Message refused by policy" in queue
    detail = client.get(f"/admin/shop/customebook/{ebook.pk}/change/").content.decode()
    assert "Fertig-E-Mail fehlgeschlagen" in detail and "Message refused by policy" in detail

    refusing_mail_server.refusing = False
    assert ebook_tasks.send_ebook_ready_email.apply(args=[ebook.pk]).get() == "sent"
    ebook.refresh_from_db()
    assert ebook.ready_emailed_at is not None and ebook.ready_email_error == ""
    assert (
        "Fertig-E-Mail fehlgeschlagen"
        not in client.get("/admin/shop/customebook/").content.decode()
    )
    [ready] = refusing_mail_server.accepted
    assert ready["Subject"] == "Ihr E-Book „Mehr Geld“ ist fertig"


def test_a_header_django_refuses_fails_at_once_and_staff_see_why(client, staff, outbox, run_tasks):
    """Not transient, so not retried: an address that slipped past validation into the row."""
    ebook = wished_by_the_buyer(client, "Mehr Geld")
    ebook.order_line.order.__class__.objects.filter(pk=ebook.order_line.order_id).update(
        email="alice@example.com\nBcc: everyone@example.com"
    )
    with pytest.raises(mail.BadHeaderError), run_tasks():
        approved(ebook, staff)

    ebook.refresh_from_db()
    assert ebook.state == State.DELIVERED and ebook.ready_emailed_at is None and outbox == []
    sign_in_to_admin(client, staff)
    queue = client.get("/admin/shop/customebook/").content.decode()
    assert "Fertig-E-Mail fehlgeschlagen: BadHeaderError" in queue


def test_a_newsletter_issue_shows_staff_the_addresses_it_could_not_reach(
    client, staff, refusing_mail_server
):
    for address in ("a@example.com", "b@example.com"):
        Subscriber.objects.create(email=address, confirmed_at="2026-11-01T10:00Z")
    issue = Issue.objects.create(subject="Gehalt im Dezember", body="Text")
    newsletter.start_sending(issue=issue)

    failed = newsletter_tasks.send_issue.apply(args=[issue.pk])
    assert failed.state == "FAILURE" and isinstance(failed.info, newsletter_tasks.IssueIncomplete)

    sign_in_to_admin(client, staff)
    page = client.get("/admin/newsletter/issue/").content.decode()
    assert "2 nicht gesendet, zuletzt SMTPDataError" in page
    assert "Message refused by policy" in page

    refusing_mail_server.refusing = False
    assert newsletter_tasks.send_issue.apply(args=[issue.pk]).get() == 2
    assert Issue.objects.get(pk=issue.pk).send_error == ""
