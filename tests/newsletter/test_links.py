"""The signed links: a confirmation link belongs to one sign-up and expires, an unsubscribe link
works as long as its e-mail exists (also one from before links carried their time), and a
tampered link of either kind is not found and changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing

from newsletter import links
from newsletter.models import Subscriber
from plumbing.links import LinkExpired
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


def test_a_tampered_or_expired_confirmation_link_is_not_found_and_confirms_nothing(
    client, sign_up, link_in, settings
):
    sign_up()
    url = link_in("bestaetigen")
    token = url.split("/")[-2]
    tampered = url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))

    assert client.get(tampered).status_code == 404
    assert client.post(tampered).status_code == 404
    assert client.post("/newsletter/bestaetigen/kaputt/").status_code == 404
    settings.NEWSLETTER_CONFIRMATION_MAX_AGE = timedelta(seconds=-1)
    assert client.post(url).status_code == 404
    assert Subscriber.objects.get().confirmed_at is None


def test_a_confirmation_link_expires_after_its_days(settings):
    subscriber = factories.subscriber(confirmed=False)
    token = links.confirm_url(subscriber).split("/")[-2]

    later = settings.NEWSLETTER_CONFIRMATION_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(later), pytest.raises(LinkExpired):
        links.subscriber_to_confirm(token)
    assert links.subscriber_to_confirm(token) == subscriber


def test_a_new_sign_up_voids_the_older_confirmation_link(client, sign_up, link_in):
    sign_up()
    old = link_in("bestaetigen")
    with time_machine.travel(timedelta(hours=1)):
        sign_up()
        new = link_in("bestaetigen")

        assert client.post(old).status_code == 404
        assert client.post(new).status_code == 200


def test_a_tampered_unsubscribe_link_is_not_found_and_changes_nothing(client):
    alice = factories.subscriber("alice@example.com")
    bob = factories.subscriber("bob@example.com")
    url = links.unsubscribe_url(alice).removeprefix("https://shop.example.com")
    token = url.split("/")[-2]
    # Alice's signature on Bob's id, a changed signature, and no signature at all.
    payload, signature = token.rsplit(":", 1)
    forged = links.unsubscribe_url(bob).split("/")[-2].rsplit(":", 1)[0] + ":" + signature
    for bad in [forged, payload + ":" + signature[::-1], payload, "x"]:
        assert client.post(f"/newsletter/abmelden/{bad}/").status_code == 404
        assert client.get(f"/newsletter/abmelden/{bad}/").status_code == 404

    assert Subscriber.objects.receiving().count() == 2


def test_an_unsubscribe_link_from_before_links_carried_their_time_still_works(client):
    subscriber = factories.subscriber()
    token = signing.Signer(salt=links.UNSUBSCRIBE_SALT).sign_object({"subscriber": subscriber.pk})

    assert client.post(f"/newsletter/abmelden/{token}/").status_code == 200

    assert not Subscriber.objects.get().is_receiving


def test_an_unsubscribe_link_of_a_deleted_subscriber_is_not_found(client):
    subscriber = factories.subscriber()
    url = links.unsubscribe_url(subscriber).removeprefix("https://shop.example.com")
    subscriber.delete()

    assert client.post(url).status_code == 404
