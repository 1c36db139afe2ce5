"""The newsletter: double opt-in (the link shows a button, only its POST confirms), issues sent
once to each confirmed subscriber with a one-click unsubscribe (RFC 8058), tampered links 404."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail, signing
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from newsletter import legal, links, services
from newsletter.models import Issue, IssueDelivery, Subscriber
from tests import factories

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
ISSUES = "/admin/newsletter/issue/"


@pytest.fixture(autouse=True)
def https_site(settings):
    settings.SITE_URL = "https://shop.example.com"


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_up(client, run_tasks, email="leser@example.com"):
    with run_tasks():
        return client.post("/newsletter/", {"email": email})


def main(response) -> str:
    """The page without the footer, whose form carries a CSRF token new on every page."""
    return response.content.decode().split("<main>")[1].split("</main>")[0]


def link_in(message, kind: str) -> str:
    """The path of the newsletter link of `kind` (bestaetigen, abmelden) in an e-mail's text."""
    url = re.search(rf"https://shop\.example\.com(/newsletter/{kind}/[^/\s]+/)", message.body)
    return url.group(1)


def confirmed(client, run_tasks, email="leser@example.com") -> Subscriber:
    sign_up(client, run_tasks, email)
    client.post(link_in(mail.outbox[-1], "bestaetigen"))
    return Subscriber.objects.get(email=email)


def send(staff, run_tasks, issue):
    with run_tasks():
        return staff.post(ISSUES, {"action": "send", "_selected_action": [issue.pk]}, follow=True)


@pytest.fixture
def staff(django_user_model):
    from django.test import Client

    client = Client()
    client.force_login(django_user_model.objects.create_superuser("redaktion", "r@x.de", "pw"))
    return client


@pytest.fixture
def issue():
    return Issue.objects.create(subject="Neu im November", body="## Gehalt\n\nDrei neue Texte.")


def test_every_page_has_the_sign_up_form_in_its_footer(client):
    footer = client.get("/").content.decode().split("<footer>")[1]

    assert 'action="/newsletter/"' in footer and "Newsletter abonnieren" in footer
    assert str(legal.CONSENT_TEXT) in footer


@time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN), tick=False)
def test_sign_up_stores_the_consent_and_sends_a_confirmation_link_only(client, run_tasks):
    response = sign_up(client, run_tasks, "Leser@Example.com")

    assert response.status_code == 200 and "Bitte bestätigen Sie" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "leser@example.com" and not subscriber.is_receiving
    assert subscriber.consent_text == str(legal.CONSENT_TEXT)
    assert subscriber.consent_version == "2026-11"
    assert subscriber.signed_up_at == datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
    [message] = mail.outbox
    assert message.to == ["leser@example.com"] and "bestätigen" in message.subject
    assert str(legal.CONSENT_TEXT) in message.body


def test_the_confirmation_request_is_written_in_the_language_of_the_sign_up(client, run_tasks):
    sign_up(client, run_tasks, "leserin@example.com")
    sign_up(in_english(client), run_tasks, "reader@example.com")

    german, english = mail.outbox
    assert german.subject == "Bitte bestätigen Sie Ihre Anmeldung zum Newsletter"
    assert "Guten Tag," in german.body and str(legal.CONSENT_TEXT) in german.body
    assert english.subject == "Please confirm your newsletter sign-up"
    assert "Hello," in english.body and "Guten Tag" not in english.body
    with translation.override("en"):
        english_consent = str(legal.CONSENT_TEXT)
    assert english_consent.startswith("Yes, I would like")
    assert english_consent in english.body
    assert "I can withdraw my consent" in english.alternatives[0][0]
    assert Subscriber.objects.get(email="reader@example.com").consent_text == english_consent


def test_opening_the_link_only_shows_a_button_and_the_post_confirms(client, run_tasks):
    sign_up(client, run_tasks)
    url = link_in(mail.outbox[0], "bestaetigen")

    opened = client.get(url)  # a mail scanner does this too

    assert opened.status_code == 200 and "Anmeldung bestätigen</button>" in opened.content.decode()
    assert Subscriber.objects.get().confirmed_at is None

    with time_machine.travel(datetime(2026, 11, 23, 10, 5, tzinfo=BERLIN), tick=False):
        assert "Danke, Sie sind angemeldet" in client.post(url).content.decode()

    subscriber = Subscriber.objects.get()
    assert subscriber.is_receiving
    assert subscriber.confirmed_at == datetime(2026, 11, 23, 10, 5, tzinfo=BERLIN)


def test_a_tampered_or_expired_confirmation_link_is_not_found_and_confirms_nothing(
    client, run_tasks, settings
):
    sign_up(client, run_tasks)
    url = link_in(mail.outbox[0], "bestaetigen")
    token = url.split("/")[-2]
    tampered = url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))

    assert client.get(tampered).status_code == 404
    assert client.post(tampered).status_code == 404
    assert client.post("/newsletter/bestaetigen/kaputt/").status_code == 404
    settings.NEWSLETTER_CONFIRMATION_MAX_AGE = timedelta(seconds=-1)
    assert client.post(url).status_code == 404
    assert Subscriber.objects.get().confirmed_at is None


def test_signing_up_again_sends_nothing_to_a_subscriber_or_within_minutes(client, run_tasks):
    sign_up(client, run_tasks)
    again = sign_up(client, run_tasks)  # a form sent twice, or by someone else

    assert len(mail.outbox) == 1
    stranger = sign_up(client, run_tasks, "neu@example.com")
    assert main(again) == main(stranger).replace("neu@example.com", "leser@example.com")

    client.post(link_in(mail.outbox[0], "bestaetigen"))
    with time_machine.travel(timedelta(hours=1)):
        sign_up(client, run_tasks)
    assert len(mail.outbox) == 2  # the one to neu@example.com only


def test_a_new_sign_up_voids_the_older_confirmation_link(client, run_tasks):
    sign_up(client, run_tasks)
    old = link_in(mail.outbox[0], "bestaetigen")
    with time_machine.travel(timedelta(hours=1)):
        sign_up(client, run_tasks)
        new = link_in(mail.outbox[1], "bestaetigen")

        assert client.post(old).status_code == 404
        assert client.post(new).status_code == 200


def test_an_invalid_address_gets_a_message_and_nothing_is_stored(client, run_tasks):
    response = sign_up(client, run_tasks, "kein-at-zeichen")

    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_an_issue_goes_once_to_each_confirmed_subscriber_only(client, staff, run_tasks, issue):
    alice = confirmed(client, run_tasks, "alice@example.com")
    sign_up(client, run_tasks, "unbestaetigt@example.com")
    gone = confirmed(client, run_tasks, "weg@example.com")
    services.unsubscribe(subscriber=gone)
    mail.outbox.clear()

    page = send(staff, run_tasks, issue)
    send(staff, run_tasks, issue)  # staff click twice

    assert "werden gesendet" in page.content.decode()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"] and message.subject == "Neu im November"
    assert "Drei neue Texte" in message.body
    assert "<h2>Gehalt</h2>" in message.alternatives[0][0]
    assert list(IssueDelivery.objects.values_list("subscriber", flat=True)) == [alice.pk]
    assert Issue.objects.get().sending_started_at is not None


def test_an_issue_is_framed_in_each_subscribers_language_around_what_staff_wrote(
    client, staff, run_tasks, issue
):
    confirmed(client, run_tasks, "leserin@example.com")
    confirmed(in_english(client), run_tasks, "reader@example.com")
    mail.outbox.clear()

    send(staff, run_tasks, issue)

    sent = {message.to[0]: message for message in mail.outbox}
    german, english = sent["leserin@example.com"], sent["reader@example.com"]
    assert german.subject == english.subject == "Neu im November"
    for message in (german, english):
        assert "Drei neue Texte" in message.body
        assert "<h2>Gehalt</h2>" in message.alternatives[0][0]
    assert "Newsletter abbestellen:" in german.body
    assert "Unsubscribe from the newsletter:" in english.body
    assert "Unsubscribe from the newsletter</a>" in english.alternatives[0][0]
    assert '<html lang="en">' in english.alternatives[0][0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_english_for_who_signed_up_in_english_before_the_language_was_kept():
    before = [("newsletter", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("newsletter", "Subscriber")
    with translation.override("en"):
        english_consent = str(legal.CONSENT_TEXT)
    for email, consent_text in [("leserin@example.com", str(legal.CONSENT_TEXT)),
                                ("reader@example.com", english_consent)]:  # fmt: skip
        old.objects.create(email=email, consent_text=consent_text, consent_version="2026-11")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    languages = dict(Subscriber.objects.values_list("email", "language"))
    assert languages == {"leserin@example.com": "de", "reader@example.com": "en"}


def test_a_subscriber_who_confirms_later_gets_the_issue_when_it_is_sent_again(
    client, staff, run_tasks, issue
):
    confirmed(client, run_tasks, "alice@example.com")
    send(staff, run_tasks, issue)
    confirmed(client, run_tasks, "bob@example.com")
    mail.outbox.clear()

    send(staff, run_tasks, issue)

    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_a_failed_email_is_retried_alone(client, run_tasks, issue, settings):
    confirmed(client, run_tasks, "alice@example.com")
    # Django's SMTP backend against a port nobody listens on: the mail server is down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False

    assert services.send_issue(issue_id=issue.pk) == (0, 1)
    assert not IssueDelivery.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert services.send_issue(issue_id=issue.pk) == (1, 0)
    assert services.send_issue(issue_id=issue.pk) == (0, 0)
    assert len(mail.outbox) == 1


def test_every_issue_carries_a_one_click_unsubscribe_that_works_by_post(
    client, staff, run_tasks, issue
):
    confirmed(client, run_tasks)
    mail.outbox.clear()
    send(staff, run_tasks, issue)
    [message] = mail.outbox
    headers = message.message()  # the headers as they leave for the SMTP server

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = re.fullmatch(r"<(https://[^>]+)>", headers["List-Unsubscribe"]).group(1)
    visible = link_in(message, "abmelden")
    assert header_url == "https://shop.example.com" + visible
    assert header_url in message.alternatives[0][0]

    # What a mail program does: a POST without cookies or CSRF token, the RFC's body.
    from django.test import Client

    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        visible, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Subscriber.objects.get().is_receiving
    mail.outbox.clear()
    send(staff, run_tasks, Issue.objects.create(subject="Dezember", body="Mehr."))
    assert mail.outbox == []


def test_the_unsubscribe_link_opened_in_a_browser_shows_a_button_first(client, run_tasks):
    subscriber = confirmed(client, run_tasks)
    url = links.unsubscribe_url(subscriber).removeprefix("https://shop.example.com")

    page = client.get(url)

    assert "Abbestellen</button>" in page.content.decode()
    assert Subscriber.objects.get().is_receiving
    client.post(url)
    assert not Subscriber.objects.get().is_receiving


def test_a_tampered_unsubscribe_link_is_not_found_and_changes_nothing(client, run_tasks):
    alice = confirmed(client, run_tasks, "alice@example.com")
    bob = confirmed(client, run_tasks, "bob@example.com")
    url = links.unsubscribe_url(alice).removeprefix("https://shop.example.com")
    token = url.split("/")[-2]
    # Alice's signature on Bob's id, a changed signature, and no signature at all.
    payload, signature = token.rsplit(":", 1)
    forged = links.unsubscribe_url(bob).split("/")[-2].rsplit(":", 1)[0] + ":" + signature
    for bad in [forged, payload + ":" + signature[::-1], payload, "x"]:
        assert client.post(f"/newsletter/abmelden/{bad}/").status_code == 404
        assert client.get(f"/newsletter/abmelden/{bad}/").status_code == 404

    assert Subscriber.objects.receiving().count() == 2


def test_an_unsubscribe_link_from_before_links_carried_their_time_still_works(client, run_tasks):
    subscriber = confirmed(client, run_tasks)
    token = signing.Signer(salt=links.UNSUBSCRIBE_SALT).sign_object({"subscriber": subscriber.pk})

    assert client.post(f"/newsletter/abmelden/{token}/").status_code == 200

    assert not Subscriber.objects.get().is_receiving


def test_signing_up_stores_the_consent_in_the_language_given():
    services.sign_up(email="reader@example.com", language="en")

    subscriber = Subscriber.objects.get()
    assert subscriber.language == "en"
    assert subscriber.consent_text.startswith("Yes, I would like")


def test_a_purchase_subscribes_nobody(client, run_tasks):
    factories.paid_order(factories.article().product, buyer_email="kaeufer@example.com")

    assert not Subscriber.objects.exists()


def test_the_footer_form_works_without_a_csrf_cookie(run_tasks):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/")

    assert "csrftoken" not in page.cookies
    with run_tasks():
        assert browser.post("/newsletter/", {"email": "leser@example.com"}).status_code == 200
    assert Subscriber.objects.get().email == "leser@example.com"
