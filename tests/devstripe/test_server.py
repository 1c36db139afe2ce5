"""devstripe through real stripe-python: what the shop sends, gets back and receives."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
import stripe
from stripe._api_version import _ApiVersion

from devstripe import StripeServer, checkout_session, event, sign
from tests.devstripe.helpers import SECRET, WebhookReceiver, press, session_params, verified_events

# Signing, checked against stripe-python's own verification


def test_signature_is_accepted_by_stripe_python() -> None:
    payload = json.dumps(event("checkout.session.completed", checkout_session())).encode()

    verified = stripe.Webhook.construct_event(payload, sign(payload, secret=SECRET), SECRET)

    assert verified.type == "checkout.session.completed"


def test_signature_header_has_stripes_format() -> None:
    header = sign(b"{}", secret=SECRET, timestamp=1700000000)

    expected = stripe.WebhookSignature.generate_signature_header("{}", SECRET, 1700000000)
    assert header == expected


@pytest.mark.parametrize(
    ("secret", "body", "timestamp"),
    [
        pytest.param("whsec_wrong", b'{"object": "event"}', None, id="wrong secret"),
        pytest.param(SECRET, b'{"object": "event", "x": 1}', None, id="changed body"),
        pytest.param(SECRET, b'{"object": "event"}', int(time.time()) - 301, id="old timestamp"),
    ],
)
def test_stripe_python_rejects_a_bad_signature(
    secret: str, body: bytes, timestamp: int | None
) -> None:
    header = sign(b'{"object": "event"}', secret=secret, timestamp=timestamp)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, SECRET, tolerance=300)


def test_event_has_stripes_shape_and_the_pinned_api_version() -> None:
    session = checkout_session(amount_total=1990, currency="eur")

    built = event("checkout.session.completed", session, event_id="evt_1", created=1700000000)

    assert built["id"] == "evt_1"
    assert built["object"] == "event"
    assert built["created"] == 1700000000
    assert built["livemode"] is False
    assert built["data"]["object"] == session
    assert built["api_version"] == _ApiVersion.CURRENT


def test_checkout_session_takes_overrides_on_stripes_example() -> None:
    session = checkout_session(payment_status="paid", metadata={"order_reference": "R-1"})

    assert session["object"] == "checkout.session"
    assert session["id"].startswith("cs_test_")
    assert session["payment_status"] == "paid"
    assert session["metadata"] == {"order_reference": "R-1"}
    assert session["total_details"]["amount_discount"] == 0


# The API, through stripe-python


def test_create_returns_an_open_session_with_the_total_of_its_lines(
    server: StripeServer, client: stripe.StripeClient
) -> None:
    params = session_params()
    params["line_items"].append(
        {"quantity": 2, "price_data": {"currency": "eur", "unit_amount": 500}}
    )

    session = client.v1.checkout.sessions.create(params=params)

    assert session.id.startswith("cs_test_")
    assert session.url == f"{server.url}/pay/{session.id}"
    assert session.amount_total == 2990
    assert session.amount_subtotal == 2990
    assert session.currency == "eur"
    assert session.status == "open"
    assert session.payment_status == "unpaid"
    assert session.payment_intent is None
    assert session.customer_email == "alice@example.com"
    assert session.client_reference_id == "2026-000123"
    assert session.metadata.to_dict() == {"order_reference": "2026-000123"}
    assert session.expires_at > time.time()


def test_create_records_the_nested_params_stripe_python_sent(
    server: StripeServer, client: stripe.StripeClient
) -> None:
    client.v1.checkout.sessions.create(
        params=session_params(payment_intent_data={"metadata": {"order_reference": "R-9"}})
    )

    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.params["line_items"][0]["price_data"]["currency"] == "eur"
    assert request.params["line_items"][0]["quantity"] == "1"
    assert request.params["payment_intent_data"] == {"metadata": {"order_reference": "R-9"}}
    assert request.headers["Authorization"] == "Bearer sk_test_x"


def test_retrieve_returns_the_created_session(client: stripe.StripeClient) -> None:
    created = client.v1.checkout.sessions.create(params=session_params())

    retrieved = client.v1.checkout.sessions.retrieve(created.id)

    assert retrieved.id == created.id
    assert retrieved.amount_total == 1990


def test_retrieve_of_an_unknown_session_is_a_404(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_unknown")

    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"


def test_create_without_line_items_is_an_invalid_request(client: stripe.StripeClient) -> None:
    params = session_params()
    del params["line_items"]

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.http_status == 400
    assert raised.value.param == "line_items"


def test_create_without_quantity_names_the_missing_param(client: stripe.StripeClient) -> None:
    params = session_params()
    del params["line_items"][0]["quantity"]

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)

    assert raised.value.param == "line_items[0][quantity]"


def test_a_publishable_key_is_refused(server: StripeServer) -> None:
    client = stripe.StripeClient("pk_test_x", base_addresses={"api": server.url})

    with pytest.raises(stripe.AuthenticationError):
        client.v1.checkout.sessions.create(params=session_params())


def test_a_retried_create_with_the_same_idempotency_key_gets_the_same_session(
    client: stripe.StripeClient,
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "checkout-2026-000123"}

    first = client.v1.checkout.sessions.create(params=session_params(), options=options)
    second = client.v1.checkout.sessions.create(params=session_params(), options=options)

    assert second.id == first.id


# The hosted page


def test_pay_page_shows_the_amount_in_german(
    server: StripeServer, client: stripe.StripeClient
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", f"/pay/{session.id}")
    page = connection.getresponse().read().decode()
    connection.close()

    assert "Testzahlung – kein echtes Geld" in page
    assert "19,90 €" in page
    assert "Mit Karte bezahlen" in page
    assert "Per SEPA-Lastschrift bezahlen" in page
    assert "Abbrechen" in page


def test_card_payment_sends_a_signed_completed_event_and_redirects_with_the_session_id(
    server: StripeServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    response = press(server, session.id, "card")

    assert response.status == 303
    assert response.getheader("Location") == (
        f"https://shop.example/checkout/success/?session_id={session.id}"
    )
    (completed,) = verified_events(receiver)
    assert completed.type == "checkout.session.completed"
    assert completed.data.object.id == session.id
    assert completed.data.object.payment_status == "paid"
    assert completed.data.object.payment_intent.startswith("pi_")
    assert completed.data.object.metadata.to_dict() == {"order_reference": "2026-000123"}
    headers, _ = receiver.deliveries[0]
    assert headers["Content-Type"].startswith("application/json")
    retrieved = client.v1.checkout.sessions.retrieve(session.id)
    assert (retrieved.status, retrieved.payment_status) == ("complete", "paid")


def test_sepa_payment_completes_unpaid_then_succeeds(
    server: StripeServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    response = press(server, session.id, "sepa")

    assert response.status == 303
    completed, succeeded = verified_events(receiver)
    assert completed.type == "checkout.session.completed"
    assert completed.data.object.payment_status == "unpaid"
    assert succeeded.type == "checkout.session.async_payment_succeeded"
    assert succeeded.data.object.payment_status == "paid"
    assert completed.id != succeeded.id


def test_cancel_redirects_to_the_cancel_url_and_sends_nothing(
    server: StripeServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    response = press(server, session.id, "cancel")

    assert response.status == 303
    assert response.getheader("Location") == "https://shop.example/checkout/cancelled/"
    assert receiver.deliveries == []
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_a_paid_session_cannot_be_paid_again(
    server: StripeServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    press(server, session.id, "card")

    response = press(server, session.id, "card")

    assert response.status == 409
    assert len(receiver.deliveries) == 1


# Scripting payments from tests


def test_complete_changes_the_session_and_returns_the_event_unsent(
    server: StripeServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())

    completed = server.complete(session.id)

    assert completed["type"] == "checkout.session.completed"
    assert completed["data"]["object"]["payment_status"] == "paid"
    assert receiver.deliveries == []
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"


def test_send_event_delivers_a_verifiable_event_and_returns_the_status(
    server: StripeServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    session = client.v1.checkout.sessions.create(params=session_params())
    completed = server.complete(session.id, paid=False)

    status = server.send_event(completed)

    assert status == 200
    (delivered,) = verified_events(receiver)
    assert delivered.id == completed["id"]
    assert delivered.data.object.payment_status == "unpaid"


def test_send_event_reports_an_error_status_and_does_not_follow_redirects(
    server: StripeServer, receiver: WebhookReceiver
) -> None:
    receiver.status = 301

    status = server.send_event(event("checkout.session.completed", checkout_session()))

    assert status == 301
    assert len(receiver.deliveries) == 1


def test_async_payment_and_expiry_events(server: StripeServer, client: stripe.StripeClient) -> None:
    unpaid = client.v1.checkout.sessions.create(params=session_params())
    abandoned = client.v1.checkout.sessions.create(params=session_params())
    server.complete(unpaid.id, paid=False)

    failed = server.complete_async_payment(unpaid.id, succeeded=False)
    expired = server.expire(abandoned.id)

    assert failed["type"] == "checkout.session.async_payment_failed"
    assert failed["data"]["object"]["payment_status"] == "unpaid"
    assert expired["type"] == "checkout.session.expired"
    assert client.v1.checkout.sessions.retrieve(abandoned.id).status == "expired"
