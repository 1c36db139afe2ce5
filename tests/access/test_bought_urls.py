"""Every address that serves something bought serves it to its owner only.

Each entry of BOUGHT_URLS builds the address the shop hands a user and names what only the owner
may see in the answer; every test runs for every entry. A new such address is one more line.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from shop import fulfilment, links, services
from shop.models import Delivery, Entitlement, Order
from tests import factories

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Purchase:
    owner: object
    order: Order
    delivery: Delivery


@dataclass(frozen=True)
class BoughtUrl:
    name: str
    # The address as the shop would hand it to `user` for this purchase.
    build: Callable[[Purchase, object], str]
    # What only the owner may find in the answer.
    proof: Callable[[Purchase], bytes]
    # After this long the owner's address, or the sign-in behind it, no longer opens it.
    lifetime: Callable[[], timedelta]
    # For addresses that carry a signed token: the address with a token made by `signer`.
    signed_by: Callable[[Purchase, signing.Signer], str] | None = None
    # The salt the shop signs that token with.
    salt: str = ""


def delivered_file(purchase: Purchase) -> bytes:
    with purchase.delivery.file.open("rb") as file:
        return file.read()


def download_token_url(purchase: Purchase, signer: signing.Signer) -> str:
    token = signer.sign_object({"delivery": purchase.delivery.pk, "user": purchase.owner.pk})
    return reverse("shop:download", kwargs={"token": token})


BOUGHT_URLS = [
    BoughtUrl(
        "library",
        build=lambda purchase, user: reverse("shop:library"),
        proof=lambda purchase: purchase.order.reference.encode(),
        lifetime=lambda: timedelta(seconds=settings.SESSION_COOKIE_AGE),
    ),
    BoughtUrl(
        "download",
        build=lambda purchase, user: links.download_url(delivery=purchase.delivery, user=user),
        proof=delivered_file,
        lifetime=lambda: settings.DOWNLOAD_LINK_MAX_AGE,
        signed_by=download_token_url,
        salt=links.DOWNLOAD_SALT,
    ),
    # courses/urls.py has no lesson, course PDF or certificate address yet; add them here.
]
SIGNED_URLS = [url for url in BOUGHT_URLS if url.signed_by]


def ids(urls):
    return [url.name for url in urls]


@pytest.fixture
def purchase() -> Purchase:
    order = factories.pending_order(buyer_email="alice@example.com")
    services.complete_checkout(session=factories.completed_session(order))
    fulfilment.render_deliveries(order_id=order.pk)
    order.refresh_from_db()
    return Purchase(
        owner=order.buyer, order=order, delivery=Delivery.objects.get(order_line__order=order)
    )


@pytest.fixture
def other_buyer():
    """Someone signed in who bought something else."""
    order = factories.pending_order(buyer_email="bob@example.com")
    services.complete_checkout(session=factories.completed_session(order))
    order.refresh_from_db()
    return order.buyer


def fetch(client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def assert_refused(response, body: bytes, proof: bytes) -> None:
    assert response.status_code in {200, 302, 400, 403, 404, 410}
    assert not response.has_header("Content-Disposition")
    assert proof not in body


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", BOUGHT_URLS, ids=ids(BOUGHT_URLS))
def test_owner_gets_what_they_bought(client, purchase, url):
    response, body = fetch(signed_in(client, purchase.owner), url.build(purchase, purchase.owner))

    assert response.status_code == 200
    assert url.proof(purchase) in body


@pytest.mark.parametrize("url", BOUGHT_URLS, ids=ids(BOUGHT_URLS))
def test_another_signed_in_user_is_refused_the_owners_address(client, purchase, other_buyer, url):
    response, body = fetch(signed_in(client, other_buyer), url.build(purchase, purchase.owner))

    assert_refused(response, body, url.proof(purchase))


@pytest.mark.parametrize("url", BOUGHT_URLS, ids=ids(BOUGHT_URLS))
def test_another_user_is_refused_an_address_made_out_to_them(client, purchase, other_buyer, url):
    """A correctly signed link naming Bob still does not give Bob what Alice bought."""
    response, body = fetch(signed_in(client, other_buyer), url.build(purchase, other_buyer))

    assert_refused(response, body, url.proof(purchase))


@pytest.mark.parametrize("url", BOUGHT_URLS, ids=ids(BOUGHT_URLS))
def test_anonymous_visitor_is_sent_to_sign_in(client, purchase, url):
    response, body = fetch(client, url.build(purchase, purchase.owner))

    assert_refused(response, body, url.proof(purchase))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("shop:sign_in"))


@pytest.mark.parametrize("url", BOUGHT_URLS, ids=ids(BOUGHT_URLS))
def test_owner_is_refused_once_the_address_has_expired(client, purchase, url):
    address = url.build(purchase, purchase.owner)
    signed_in(client, purchase.owner)

    with time_machine.travel(timezone.now() + url.lifetime() + timedelta(minutes=1)):
        response, body = fetch(client, address)

    assert_refused(response, body, url.proof(purchase))


@pytest.mark.parametrize("url", BOUGHT_URLS, ids=ids(BOUGHT_URLS))
def test_owner_is_refused_once_the_purchase_is_revoked(client, purchase, url):
    address = url.build(purchase, purchase.owner)
    Entitlement.objects.filter(order_line__order=purchase.order).update(revoked_at=timezone.now())

    response, body = fetch(signed_in(client, purchase.owner), address)

    assert_refused(response, body, url.proof(purchase))


def flip_last_character(address: str) -> str:
    path = address.rstrip("/")
    return path[:-1] + ("A" if path[-1] != "A" else "B") + "/"


def owners_address(url: BoughtUrl, purchase: Purchase) -> str:
    return url.build(purchase, purchase.owner)


TAMPERINGS = {
    "signature changed": lambda url, purchase: flip_last_character(owners_address(url, purchase)),
    "token cut short": lambda url, purchase: owners_address(url, purchase)[:-12] + "/",
    "signed for another purpose": lambda url, purchase: url.signed_by(
        purchase, signing.TimestampSigner(salt="shop.links.SignInTokenGenerator")
    ),
    "signed with another key": lambda url, purchase: url.signed_by(
        purchase, signing.TimestampSigner(key="not-the-shops-key", salt=url.salt)
    ),
    "signature removed": lambda url, purchase: (
        url.signed_by(purchase, signing.TimestampSigner(salt=url.salt)).rsplit(":", 1)[0] + "/"
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS.values(), ids=TAMPERINGS.keys())
@pytest.mark.parametrize("url", SIGNED_URLS, ids=ids(SIGNED_URLS))
def test_owner_is_refused_a_tampered_address(client, purchase, url, tampering):
    address = tampering(url, purchase)
    assert address != url.build(purchase, purchase.owner)

    response, body = fetch(signed_in(client, purchase.owner), address)

    assert_refused(response, body, url.proof(purchase))


@pytest.mark.parametrize("url", SIGNED_URLS, ids=ids(SIGNED_URLS))
def test_owner_is_refused_an_address_of_another_buyers_purchase(client, purchase, url):
    theirs = factories.pending_order(buyer_email="carol@example.com")
    services.complete_checkout(session=factories.completed_session(theirs))
    fulfilment.render_deliveries(order_id=theirs.pk)
    carols = Purchase(
        owner=get_user_model().objects.get(email="carol@example.com"),
        order=theirs,
        delivery=Delivery.objects.get(order_line__order=theirs),
    )

    response, body = fetch(signed_in(client, purchase.owner), url.build(carols, purchase.owner))

    assert_refused(response, body, url.proof(carols))
