"""Finding 9: `GET /checkout/success/?session_id=<anything>` made the shop ask Stripe with its
secret key (`..` even reached `GET /v1/checkout/`). Now an id that is not of Stripe's form, or
names no order of ours still waiting for its payment, gets the same 404 page and Stripe hears
nothing of it (devstripe records every request it receives)."""

import pytest

from shop.models import Order
from shop.orders import services
from tests import factories

pytestmark = pytest.mark.django_db

MADE_UP = [
    "..",
    "../../v1/customers",
    "cs_test_nope",  # Stripe's form, but no order of ours
    "cs_live_" + "a" * 60,
    "cs_test_" + "a" * 400,
    "cs_test_abc/../../v1/balance",
    "cs_test_abc%2F..",
    "pi_123",
    "cs_test_ünïcode",
    "cs_test_abc\n",
]


def main(response):
    # The language switch's form carries the page's own address; the rest is one page for all.
    return response.content.decode().split("<main>")[1].split("</main>")[0]


def checkout(client, stripe_server):
    article = factories.article()
    location = client.post(
        f"/artikel/{article.slug}/kaufen/", {"email": "a@example.com", **factories.LAPSE_CONSENT}
    )["Location"]
    return location.rsplit("/", 1)[1]


@pytest.mark.parametrize("session_id", MADE_UP)
def test_made_up_session_id_gets_404_and_stripe_is_not_asked(client, stripe_server, session_id):
    checkout(client, stripe_server)  # a real pending order exists beside it
    before = len(stripe_server.requests)

    response = client.get("/checkout/success/", {"session_id": session_id})

    assert response.status_code == 404
    assert main(response) == main(client.get("/checkout/success/"))  # one page for all
    assert stripe_server.requests[before:] == []


def test_paid_order_shows_its_page_without_asking_stripe_again(client, stripe_server):
    session_id = checkout(client, stripe_server)
    stripe_server.complete(session_id)
    assert client.get("/checkout/success/", {"session_id": session_id}).status_code == 200
    assert Order.objects.get().is_paid
    before = len(stripe_server.requests)

    page = client.get("/checkout/success/", {"session_id": session_id})

    assert page.status_code == 200 and "Ihre Zahlung ist eingegangen" in page.content.decode()
    assert stripe_server.requests[before:] == []


def test_pending_order_of_ours_is_settled_with_one_question_to_stripe(client, stripe_server):
    session_id = checkout(client, stripe_server)
    stripe_server.complete(session_id)  # paid on Stripe's page; the webhook has not come yet
    before = len(stripe_server.requests)

    page = client.get("/checkout/success/", {"session_id": session_id})

    assert page.status_code == 200 and Order.objects.get().is_paid
    asked = stripe_server.requests[before:]
    assert [(r.method, r.path) for r in asked] == [("GET", f"/v1/checkout/sessions/{session_id}")]


def test_stripe_session_ids_have_a_bounded_form():
    assert services.CHECKOUT_SESSION_ID.fullmatch("cs_test_a1" + "B2c3" * 14)
    assert not services.CHECKOUT_SESSION_ID.fullmatch("cs_test_" + "a" * 251)
