"""What the server holds in memory, behind one lock.

The resource modules' functions take the Store and expect its lock held: StripeServer's public
methods and the request handler take it around each call. Only the hosted page takes it itself
(see page.press).
"""

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Store:
    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    line_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # What Stripe gives the subscription it makes; not part of the session object.
    subscription_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    coupons: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    # payment_intent -> the invoice_payment by which it pays an invoice.
    invoice_payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Every event made so far, as Stripe's /v1/events lists them; see StripeServer.events.
    events: list[dict[str, Any]] = field(default_factory=list)
    # payment_intent -> the id of the charge that paid it.
    charges: dict[str, str] = field(default_factory=dict)
    # Idempotency-Key -> (params, response): Stripe replays the first answer to a retried POST.
    idempotent: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)

    def session(self, session_id: str) -> dict[str, Any]:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise LookupError(f"No such checkout.session: '{session_id}'") from None

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        try:
            return self.subscriptions[subscription_id]
        except KeyError:
            raise LookupError(f"No such subscription: '{subscription_id}'") from None
