"""The newsletter's e-mails are written in the subscriber's language around what staff wrote, and
every issue carries a one-click unsubscribe (RFC 8058) that a mail program can POST."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from newsletter import legal
from newsletter.models import Issue, Subscriber
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


def test_the_confirmation_request_is_written_in_the_language_of_the_sign_up(client, sign_up):
    sign_up("leserin@example.com")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_up("reader@example.com")

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


def test_an_issue_is_framed_in_each_subscribers_language_around_what_staff_wrote(send, issue):
    factories.subscriber("leserin@example.com")
    factories.subscriber("reader@example.com", language="en")

    send(issue)

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


def test_an_issue_comes_in_the_publishers_layout_saying_why_the_reader_gets_it(send, issue):
    factories.subscriber("leserin@example.com")

    send(issue)

    [message] = mail.outbox
    html = message.alternatives[0][0]
    why = "Sie erhalten diese E-Mail, weil Sie unseren Newsletter abonniert haben."
    for text in (message.body, html):
        assert why in text and settings.PUBLISHER_NAME in text.replace("&amp;", "&")
        assert f"{settings.SITE_URL}/vertraege-kuendigen/" in text
    assert html.index("<h2>Gehalt</h2>") < html.index(why) < html.index("Newsletter abbestellen")
    assert "max-width: 600px" in html and "<link" not in html


def test_the_subject_is_what_staff_wrote_on_one_line(send):
    factories.subscriber()

    send(Issue.objects.create(subject="Gehalt & Karriere:\n<Neu>", body="Mehr."))

    assert mail.outbox[0].subject == "Gehalt & Karriere: <Neu>"


def test_every_issue_carries_a_one_click_unsubscribe_that_works_by_post(send, issue, link_in):
    factories.subscriber()
    send(issue)
    [message] = mail.outbox
    headers = message.message()  # the headers as they leave for the SMTP server

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = re.fullmatch(r"<(https://[^>]+)>", headers["List-Unsubscribe"]).group(1)
    visible = link_in("abmelden", message)
    assert header_url == "https://shop.example.com" + visible
    assert header_url in message.alternatives[0][0]

    # What a mail program does: a POST without cookies or CSRF token, the RFC's body.
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        visible, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Subscriber.objects.get().is_receiving
    mail.outbox.clear()
    send(Issue.objects.create(subject="Dezember", body="Mehr."))
    assert mail.outbox == []
