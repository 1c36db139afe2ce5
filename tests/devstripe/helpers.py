"""What the devstripe tests share besides fixtures: the webhook secret, a session's params, the
hosted page's buttons and the events the receiver got (the fixtures are in conftest.py)."""

import http.client
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import stripe

from devstripe import StripeServer

SECRET = "whsec_devstripe_tests"


@dataclass
class WebhookReceiver:
    """A tiny HTTP endpoint standing in for the shop's /stripe/webhook/."""

    url: str = ""
    status: int = 200
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


def session_params(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "payment",
        "customer_email": "alice@example.com",
        "client_reference_id": "2026-000123",
        "metadata": {"order_reference": "2026-000123"},
        "success_url": "https://shop.example/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.example/checkout/cancelled/",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 1990,
                    "tax_behavior": "inclusive",
                    "product_data": {"name": "Artikel: Steuern für Selbstständige"},
                },
            }
        ],
    }
    params.update(overrides)
    return params


def press(server: StripeServer, session_id: str, method: str) -> http.client.HTTPResponse:
    """A button on the hosted page, without following the redirect."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request(
        "POST",
        f"/pay/{session_id}",
        body=urlencode({"method": method}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def verified_events(receiver: WebhookReceiver) -> list[stripe.Event]:
    return [
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
        for headers, body in receiver.deliveries
    ]
