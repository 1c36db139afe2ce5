"""Stripe's events: kept as /v1/events would list them, and POSTed to the shop signed, as
Stripe delivers webhooks."""

import copy
import json
import logging
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from devstripe.signing import event, sign
from devstripe.store import Store

if TYPE_CHECKING:
    from devstripe.server import StripeServer

logger = logging.getLogger("devstripe")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Stripe does not follow redirects when delivering webhooks; a 301 from a missing slash must
    # show up as a failed delivery here too, not be hidden by urllib turning the POST into a GET.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# The webhook target is the shop on this machine or network; an HTTP(S)_PROXY from the environment
# must not route it elsewhere.
_webhook_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def log(store: Store, type: str, data_object: dict[str, Any]) -> dict[str, Any]:
    """The event of `type`, kept in the store's events; a copy of it."""
    made = event(type, data_object)
    store.events.append(made)
    return copy.deepcopy(made)


def send(event: dict[str, Any], *, url: str | None, secret: str) -> int:
    """Sign `event` with `secret`, POST it to `url`; the HTTP status answered."""
    if not url:
        raise RuntimeError("StripeServer has no webhook_url to send events to")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"webhook_url must be http(s): {url}")
    # Indented like Stripe's own deliveries, so a shop that verifies a re-serialised body
    # instead of the raw bytes fails here as it would in production.
    payload = json.dumps(event, indent=2).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, secret=secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
    )
    try:
        with _webhook_opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def deliver(stripe: "StripeServer", event: dict[str, Any]) -> None:
    """POST `event` with `stripe.send_event`; an unanswered or refused delivery is only logged."""
    # Stripe retries failed deliveries later; here a failure is logged and the buyer is still
    # redirected, so the shop's success page and reconciliation paths get exercised.
    if not stripe.webhook_url:
        logger.warning("no webhook_url: %s %s not sent", event["type"], event["id"])
        return
    try:
        status = stripe.send_event(event)
    except OSError as error:
        logger.warning("%s %s not delivered: %s", event["type"], event["id"], error)
        return
    report = logger.info if 200 <= status < 300 else logger.warning
    report("%s %s -> %s answered %d", event["type"], event["id"], stripe.webhook_url, status)
