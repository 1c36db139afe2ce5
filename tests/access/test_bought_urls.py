"""Every address that serves something bought serves it to its owner only (or, in the admin, to
staff): not to another signed-in buyer, not to an anonymous visitor, not after it expired or the
purchase was revoked, not with a tampered token.

Each entry of BOUGHT_URLS says how to buy, builds the address the shop hands a user and names what
only the viewer may find in the answer; every test runs for every entry. A new address is one
more entry.
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

from courses import certificates
from courses import services as course_services
from courses.models import Certificate, Enrolment
from shop.models import CustomEbook, Delivery, Entitlement, Order, Product
from shop.orders import fulfilment, links, services
from tests import factories
from tests.admin_login import PASSWORD, sign_in_to_admin
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Purchase:
    """What Alice bought: an article PDF, or a course with her certificate."""

    owner: object
    order: Order
    delivery: Delivery | None = None
    enrolment: Enrolment | None = None
    certificate: Certificate | None = None
    ebook: CustomEbook | None = None


def owner(purchase: Purchase):
    return purchase.owner


def buy_article(email: str) -> Purchase:
    order = factories.pending_order(buyer_email=email)
    services.complete_checkout(session=factories.completed_session(order))
    fulfilment.render_deliveries(order_id=order.pk)
    order.refresh_from_db()
    return Purchase(
        owner=order.buyer, order=order, delivery=Delivery.objects.get(order_line__order=order)
    )


def paid(product: Product, email: str) -> Order:
    order = services.create_order(product=product, email=email)
    Order.objects.filter(pk=order.pk).update(stripe_session_id=f"cs_test_{order.reference}")
    services.complete_checkout(session=factories.completed_session(order))
    order.refresh_from_db()
    return order


def buy_ebook(email: str) -> Purchase:
    product, _ = Product.objects.get_or_create(
        kind=Product.Kind.CUSTOM_EBOOK, defaults={"name": "E-Book", "price_cents": 7900}
    )
    order = paid(product, email)
    return Purchase(
        owner=order.buyer, order=order, ebook=CustomEbook.objects.get(order_line__order=order)
    )


def buy_course(email: str) -> Purchase:
    course = course_factories.course(lessons=2)
    product = Product.objects.create(
        kind=Product.Kind.COURSE,
        course=course,
        name="eCourse",
        price_cents=2990,
    )
    order = paid(product, email)
    enrolment = Enrolment.objects.get(learner=order.buyer, course=course)
    certificate = certificates.issue_certificate(enrolment=enrolment)
    certificates.render_certificate(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return Purchase(owner=order.buyer, order=order, enrolment=enrolment, certificate=certificate)


def revoke(purchase: Purchase) -> None:
    """What a refund has to do: the ledger's entitlement revoked, an enrolment ended."""
    Entitlement.objects.filter(order_line__order=purchase.order).update(revoked_at=timezone.now())
    if purchase.enrolment:
        course_services.end_enrolment(learner=purchase.owner, course=purchase.enrolment.course)


@dataclass(frozen=True)
class BoughtUrl:
    name: str
    buy: Callable[[str], Purchase]
    # The address as the shop would hand it to `user` for this purchase.
    build: Callable[[Purchase, object], str]
    # What only the owner may find in the answer.
    proof: Callable[[Purchase], bytes]
    # After this long the owner's address, or the sign-in behind it, no longer opens it.
    lifetime: Callable[[], timedelta] = lambda: timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # Where an anonymous visitor is sent.
    sign_in: str = "/sign-in/"
    # Who may open it: the buyer, or for the admin, staff.
    viewer: Callable[[Purchase], object] = owner
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


def course_url(name: str, **kwargs) -> Callable[[Purchase, object], str]:
    return lambda purchase, user: reverse(
        f"courses:{name}", kwargs={"slug": purchase.enrolment.course.slug, **kwargs}
    )


def first_lesson(purchase: Purchase, user) -> str:
    lesson = purchase.enrolment.course.lessons.get(title="Lektion Nummer 1")
    return course_url("lesson", lesson_id=lesson.pk)(purchase, user)


def staff(purchase: Purchase):
    return get_user_model().objects.create_user("redaktion", "redaktion@example.com", PASSWORD,
                                                is_staff=True, is_superuser=True)  # fmt: skip


PDF = b"%PDF-"
BOUGHT_URLS = [
    BoughtUrl(
        "library",
        buy=buy_article,
        build=lambda purchase, user: reverse("shop:library"),
        # The purchase's entry; its invoice (RE-2026-000001) stays in the library after a refund.
        proof=lambda purchase: f"Bestellung {purchase.order.reference}".encode(),
    ),
    BoughtUrl(
        "article download",
        buy=buy_article,
        build=lambda purchase, user: links.download_url(delivery=purchase.delivery, user=user),
        proof=delivered_file,
        lifetime=lambda: settings.DOWNLOAD_LINK_MAX_AGE,
        signed_by=download_token_url,
        salt=links.DOWNLOAD_SALT,
    ),
    BoughtUrl(
        "custom eBook wish page",
        buy=buy_ebook,
        build=lambda purchase, user: reverse("shop:ebook_wish", args=[purchase.ebook.pk]),
        proof=lambda purchase: purchase.order.reference.encode(),
    ),
    BoughtUrl(
        "course learn page",
        buy=buy_course,
        build=course_url("learn"),
        proof=lambda purchase: b"Lektion Nummer 1",
    ),
    BoughtUrl(
        "lesson", buy=buy_course, build=first_lesson, proof=lambda purchase: b"Lektionstext-1."
    ),
    BoughtUrl("course PDF", buy=buy_course, build=course_url("course_pdf"), proof=lambda p: PDF),
    BoughtUrl(
        "certificate PDF", buy=buy_course, build=course_url("certificate_pdf"), proof=lambda p: PDF
    ),
    BoughtUrl(
        "certificate in the admin",
        buy=buy_course,
        build=lambda purchase, user: reverse(
            "admin:courses_certificate_change", args=[purchase.certificate.pk]
        ),
        proof=lambda purchase: purchase.certificate.code.encode(),
        sign_in="/admin/login/",
        viewer=staff,
    ),
    # Not here on purpose: the lesson-done link in a lesson e-mail works for whoever holds it,
    # signed in or not (courses/views.py), and the certificate's public page verifies a code.
]
SIGNED_URLS = [url for url in BOUGHT_URLS if url.signed_by]


def ids(urls):
    return [url.name for url in urls]


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
    if user.is_staff:
        return sign_in_to_admin(client, user)
    client.force_login(user)
    return client


def each(urls):
    return pytest.mark.parametrize("url", urls, ids=ids(urls))


@each(BOUGHT_URLS)
def test_owner_gets_what_they_bought(client, url):
    purchase = url.buy("alice@example.com")
    viewer = url.viewer(purchase)

    response, body = fetch(signed_in(client, viewer), url.build(purchase, viewer))

    assert response.status_code == 200
    assert url.proof(purchase) in body


@each(BOUGHT_URLS)
def test_another_signed_in_user_is_refused_the_owners_address(client, other_buyer, url):
    purchase = url.buy("alice@example.com")

    response, body = fetch(signed_in(client, other_buyer), url.build(purchase, purchase.owner))

    assert_refused(response, body, url.proof(purchase))


@each(BOUGHT_URLS)
def test_another_user_is_refused_an_address_made_out_to_them(client, other_buyer, url):
    """A correctly signed link naming Bob still does not give Bob what Alice bought."""
    purchase = url.buy("alice@example.com")

    response, body = fetch(signed_in(client, other_buyer), url.build(purchase, other_buyer))

    assert_refused(response, body, url.proof(purchase))


@each(BOUGHT_URLS)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    purchase = url.buy("alice@example.com")

    response, body = fetch(client, url.build(purchase, purchase.owner))

    assert_refused(response, body, url.proof(purchase))
    assert response.status_code == 302
    assert response["Location"].startswith(url.sign_in)


@each(BOUGHT_URLS)
def test_viewer_is_refused_once_the_address_has_expired(client, url):
    purchase = url.buy("alice@example.com")
    viewer = url.viewer(purchase)
    address = url.build(purchase, viewer)
    signed_in(client, viewer)

    with time_machine.travel(timezone.now() + url.lifetime() + timedelta(minutes=1)):
        response, body = fetch(client, address)

    assert_refused(response, body, url.proof(purchase))


@each([url for url in BOUGHT_URLS if url.viewer is owner])
def test_owner_is_refused_once_the_purchase_is_revoked(client, url):
    purchase = url.buy("alice@example.com")
    address = url.build(purchase, purchase.owner)

    revoke(purchase)

    response, body = fetch(signed_in(client, purchase.owner), address)
    assert_refused(response, body, url.proof(purchase))


@each([url for url in BOUGHT_URLS if url.viewer is owner])
def test_owner_is_refused_the_same_address_for_another_buyers_purchase(client, url):
    """Alice bought the same kind of thing; Carol's copy stays Carol's."""
    alices = url.buy("alice@example.com")
    carols = url.buy("carol@example.com")

    response, body = fetch(signed_in(client, alices.owner), url.build(carols, alices.owner))

    assert_refused(response, body, url.proof(carols))


def flip_last_character(address: str) -> str:
    path = address.rstrip("/")
    return path[:-1] + ("A" if path[-1] != "A" else "B") + "/"


def owners_address(url: BoughtUrl, purchase: Purchase) -> str:
    return url.build(purchase, purchase.owner)


TAMPERINGS = {
    "signature changed": lambda url, purchase: flip_last_character(owners_address(url, purchase)),
    "token cut short": lambda url, purchase: owners_address(url, purchase)[:-12] + "/",
    "signed for another purpose": lambda url, purchase: url.signed_by(
        purchase, signing.TimestampSigner(salt="shop.SignInTokenGenerator")
    ),
    "signed with another key": lambda url, purchase: url.signed_by(
        purchase, signing.TimestampSigner(key="not-the-shops-key", salt=url.salt)
    ),
    "signature removed": lambda url, purchase: (
        url.signed_by(purchase, signing.TimestampSigner(salt=url.salt)).rsplit(":", 1)[0] + "/"
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS.values(), ids=TAMPERINGS.keys())
@each(SIGNED_URLS)
def test_owner_is_refused_a_tampered_address(client, url, tampering):
    purchase = url.buy("alice@example.com")
    address = tampering(url, purchase)
    assert address != url.build(purchase, purchase.owner)

    response, body = fetch(signed_in(client, purchase.owner), address)

    assert_refused(response, body, url.proof(purchase))
