"""A local, Stripe-compatible HTTP server for Checkout Sessions (payment and subscription mode,
with coupons), refunds and subscriptions, for tests and the offline demo.

stripe-python talks to it as it would to api.stripe.com:
`StripeClient("sk_test_...", base_addresses={"api": server.url})`.
Its `/pay/<id>` page stands in for Stripe's hosted checkout: the buttons there change the session
and send signed webhook events to the shop, as Stripe would after a card or SEPA payment.
"""

import copy
import threading
from types import TracebackType
from typing import Any

from devstripe import checkout, payments, subscriptions, webhooks
from devstripe.handler import HTTPServer
from devstripe.store import RecordedRequest, Store


class StripeServer:
    """Checkout Sessions in memory behind Stripe's HTTP API, in a background thread."""

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str = "whsec_test",  # noqa: S107 - a test secret, not a credential
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self._address = (host, port)
        self._store = Store()
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> "StripeServer":
        if self._httpd is not None:
            return self
        self._httpd = HTTPServer(self._address, self, self._store)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"devstripe-{self._httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "StripeServer":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("StripeServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def refunds(self) -> list[dict[str, Any]]:
        """The refunds made so far, oldest first."""
        with self._store.lock:
            return copy.deepcopy(self._store.refunds)

    @property
    def coupons(self) -> dict[str, dict[str, Any]]:
        """The coupons created so far, by id."""
        with self._store.lock:
            return copy.deepcopy(self._store.coupons)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event made so far, oldest first. Events of API calls (a subscription cancelled
        through the API) are only kept here, not sent: Stripe delivers them later, on its own,
        and a test sends them when and in the order it wants with send_event()."""
        with self._store.lock:
            return copy.deepcopy(self._store.events)

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        with self._store.lock:
            return copy.deepcopy(self._store.subscription(subscription_id))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._store.lock:
            return list(self._store.requests)

    # What the hosted page's buttons do; tests call these directly to script a payment.

    def complete(self, session_id: str, *, paid: bool = True) -> dict[str, Any]:
        """Buyer finished checkout; the checkout.session.completed event, not sent.

        paid=False is a delayed method (SEPA): complete, still unpaid, until
        complete_async_payment(). A subscription-mode session starts its subscription, paid;
        that one's events are kept in `events`.
        """
        with self._store.lock:
            return checkout.complete(self._store, session_id, paid=paid)

    def complete_async_payment(self, session_id: str, *, succeeded: bool = True) -> dict[str, Any]:
        """The delayed payment of a completed, unpaid session settled; the event, not sent."""
        with self._store.lock:
            return checkout.complete_async_payment(self._store, session_id, succeeded=succeeded)

    def expire(self, session_id: str) -> dict[str, Any]:
        """The open session ran out; the checkout.session.expired event, not sent."""
        with self._store.lock:
            return checkout.expire(self._store, session_id)

    def renew(self, subscription_id: str, *, paid: bool = True) -> list[dict[str, Any]]:
        """The period ran out: Stripe ends a subscription cancelled at period end, or bills the
        next period; a failed charge leaves it past due. The events, kept in `events`, not sent."""
        with self._store.lock:
            return subscriptions.renew(self._store, subscription_id, paid=paid)

    def pay_invoice(self, invoice_id: str) -> list[dict[str, Any]]:
        """Stripe's retry of an open invoice succeeded: paid, the subscription active again."""
        with self._store.lock:
            return subscriptions.pay_invoice(self._store, invoice_id)

    def charge_refunded(self, payment_intent: str) -> dict[str, Any]:
        """The charge.refunded event after the refunds made so far of `payment_intent`, not sent:
        the charge with `amount_refunded` and its refunds, newest first, as Stripe lists them."""
        with self._store.lock:
            return payments.charge_refunded(self._store, payment_intent)

    def dispute(self, payment_intent: str) -> dict[str, Any]:
        """The buyer's bank disputes the whole payment: charge.dispute.created, not sent."""
        with self._store.lock:
            return payments.dispute(self._store, payment_intent)

    def send_event(self, event: dict[str, Any]) -> int:
        """Sign `event` with webhook_secret, POST it to webhook_url; the HTTP status answered."""
        return webhooks.send(event, url=self.webhook_url, secret=self.webhook_secret)
