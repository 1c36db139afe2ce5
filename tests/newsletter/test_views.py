"""The newsletter's pages: signing up stores the consent and asks for confirmation only; the
confirmation and unsubscribe links show a button, and only its POST acts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from newsletter import legal, links
from newsletter.models import Subscriber
from tests.newsletter import factories

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def main(response) -> str:
    """The page without the footer, whose form carries a CSRF token new on every page."""
    return response.content.decode().split("<main>")[1].split("</main>")[0]


@time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN), tick=False)
def test_sign_up_stores_the_consent_and_sends_a_confirmation_link_only(sign_up):
    response = sign_up("Leser@Example.com")

    assert response.status_code == 200 and "Bitte bestätigen Sie" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "leser@example.com" and not subscriber.is_receiving
    assert subscriber.consent_text == str(legal.CONSENT_TEXT)
    assert subscriber.consent_version == "2026-11"
    assert subscriber.signed_up_at == datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
    [message] = mail.outbox
    assert message.to == ["leser@example.com"] and "bestätigen" in message.subject
    assert str(legal.CONSENT_TEXT) in message.body


def test_opening_the_link_only_shows_a_button_and_the_post_confirms(client, sign_up, link_in):
    sign_up()
    url = link_in("bestaetigen")

    opened = client.get(url)  # a mail scanner does this too

    assert opened.status_code == 200 and "Anmeldung bestätigen</button>" in opened.content.decode()
    assert Subscriber.objects.get().confirmed_at is None

    with time_machine.travel(datetime(2026, 11, 23, 10, 5, tzinfo=BERLIN), tick=False):
        assert "Danke, Sie sind angemeldet" in client.post(url).content.decode()

    subscriber = Subscriber.objects.get()
    assert subscriber.is_receiving
    assert subscriber.confirmed_at == datetime(2026, 11, 23, 10, 5, tzinfo=BERLIN)


def test_signing_up_again_sends_nothing_to_a_subscriber_or_within_minutes(client, sign_up, link_in):
    sign_up()
    again = sign_up()  # a form sent twice, or by someone else

    assert len(mail.outbox) == 1
    stranger = sign_up("neu@example.com")
    assert main(again) == main(stranger).replace("neu@example.com", "leser@example.com")

    client.post(link_in("bestaetigen", mail.outbox[0]))
    with time_machine.travel(timedelta(hours=1)):
        sign_up()
    assert len(mail.outbox) == 2  # the one to neu@example.com only


def test_an_invalid_address_gets_a_message_and_nothing_is_stored(sign_up):
    response = sign_up("kein-at-zeichen")

    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_the_unsubscribe_link_opened_in_a_browser_shows_a_button_first(client):
    subscriber = factories.subscriber()
    url = links.unsubscribe_url(subscriber).removeprefix("https://shop.example.com")

    page = client.get(url)

    assert "Abbestellen</button>" in page.content.decode()
    assert Subscriber.objects.get().is_receiving
    client.post(url)
    assert not Subscriber.objects.get().is_receiving
