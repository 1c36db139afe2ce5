"""A local, Stripe-compatible HTTP server for Checkout Sessions (payment and subscription mode,
with coupons), refunds and subscriptions, for tests and the offline demo.

stripe-python talks to it as it would to api.stripe.com:
`StripeClient("sk_test_...", base_addresses={"api": server.url})`.
Its `/pay/<id>` page stands in for Stripe's hosted checkout: the buttons there change the session
and send signed webhook events to the shop, as Stripe would after a card or SEPA payment.
"""

import base64
import copy
import html
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devstripe import signing
from devstripe.signing import checkout_session, event, fixture, random_id, sign

logger = logging.getLogger("devstripe")

SESSIONS_PATH = "/v1/checkout/sessions"
COUPONS_PATH = "/v1/coupons"
REFUNDS_PATH = "/v1/refunds"
SUBSCRIPTIONS_PATH = "/v1/subscriptions/"
CUSTOMERS_PATH = "/v1/customers/"
INVOICES_PATH = "/v1/invoices/"
PAY_PATH = "/pay/"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


class ApiError(Exception):
    """A request Stripe would refuse; becomes Stripe's error body, which stripe-python reads."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"type": type, "message": message}
        if param is not None:
            self.body["param"] = param
        if code is not None:
            self.body["code"] = code


def _missing(param: str) -> ApiError:
    return ApiError(400, f"Missing required param: {param}.", param=param, code="parameter_missing")


def parse_form(text: str) -> dict[str, Any]:
    """Stripe's form encoding into nested dicts and lists.

    stripe-python sends `line_items[0][price_data][currency]=eur` and `metadata[k]=v`; a dict whose
    keys are all indices becomes a list, as the API reads it. `expand[]=x` appends.
    """
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        name, bracket, rest = key.partition("[")
        parts = [name] + (rest.removesuffix("]").split("][") if bracket else [])
        node = root
        for index, part in enumerate(parts):
            if part == "":
                part = str(len(node))
            if index == len(parts) - 1:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ApiError(400, f"Invalid parameter: {key}", param=key)
                node = child
    return _indexed_dicts_to_lists(root)


def _indexed_dicts_to_lists(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {key: _indexed_dicts_to_lists(item) for key, item in value.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _integer(container: dict[str, Any], key: str, prefix: str, *, minimum: int) -> int:
    param = f"{prefix}[{key}]" if prefix else key
    if container.get(key) in (None, ""):
        raise _missing(param)
    try:
        number = int(container[key])
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid integer: {container[key]}", param=param) from None
    if number < minimum:
        raise ApiError(400, f"Invalid {param}: must be at least {minimum}", param=param)
    return number


def _line_items_total(line_items: Any) -> tuple[str, int]:
    """Currency and total in cents, computed as Stripe does from `price_data`."""
    if not line_items:
        raise _missing("line_items")
    if not isinstance(line_items, list):
        raise ApiError(400, "Invalid array", param="line_items")
    currencies = set()
    total = 0
    for index, item in enumerate(line_items):
        prefix = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise ApiError(400, "Invalid object", param=prefix)
        if "price" in item and "price_data" not in item:
            # No Prices live here: the shop sends its own prices as price_data.
            raise ApiError(
                400,
                f"No such price: '{item['price']}'",
                param=f"{prefix}[price]",
                code="resource_missing",
            )
        price_data = item.get("price_data")
        if not isinstance(price_data, dict):
            raise _missing(f"{prefix}[price_data]")
        if not price_data.get("currency"):
            raise _missing(f"{prefix}[price_data][currency]")
        currencies.add(price_data["currency"].lower())
        recurring = price_data.get("recurring")
        if recurring is not None and (
            not isinstance(recurring, dict) or recurring.get("interval") not in RECURRING_INTERVALS
        ):
            raise _missing(f"{prefix}[price_data][recurring][interval]")
        unit_amount = _integer(price_data, "unit_amount", f"{prefix}[price_data]", minimum=0)
        quantity = _integer(item, "quantity", prefix, minimum=1)
        total += unit_amount * quantity
    if len(currencies) > 1:
        raise ApiError(400, "All line items must use the same currency.", param="line_items")
    return currencies.pop(), total


# Stripe's smallest charge per currency (https://docs.stripe.com/currencies#minimum-and-maximum-
# charge-amounts); a total of 0 is a no-cost order, which Checkout completes without a payment.
MINIMUM_CHARGE = {"eur": 50, "usd": 50}


def _discount(coupon: dict[str, Any], currency: str, subtotal: int) -> int:
    """What a coupon takes off a session's subtotal, never more than the subtotal."""
    if coupon["amount_off"] is not None:
        if coupon["currency"] != currency:
            raise ApiError(
                400,
                f"The coupon's currency ({coupon['currency']}) does not match the session's "
                f"currency ({currency}).",
                param="discounts",
            )
        return min(coupon["amount_off"], subtotal)
    return min(subtotal, round(subtotal * coupon["percent_off"] / 100))


RECURRING_INTERVALS = ("day", "week", "month", "year")


def _check_mode(params: dict[str, Any]) -> None:
    """What Stripe refuses about recurring prices and the session's mode."""
    recurring = [item for item in params["line_items"] if item["price_data"].get("recurring")]
    if params["mode"] == "subscription":
        if not recurring:
            raise ApiError(
                400,
                "You must provide at least one recurring price in `subscription` mode when "
                "using prices.",
                param="line_items",
            )
        if "payment_intent_data" in params:
            raise ApiError(
                400,
                "You can not pass `payment_intent_data` in `subscription` mode.",
                param="payment_intent_data",
            )
    elif params["mode"] == "payment" and recurring:
        raise ApiError(
            400,
            "You specified `payment` mode but passed a recurring price. Either switch to "
            "`subscription` mode or use only one-time prices.",
            param="line_items",
        )
    elif params["mode"] != "payment":
        raise ApiError(400, f"Invalid mode: {params['mode']}", param="mode")


def format_amount(cents: int, currency: str) -> str:
    """German notation: 1.234,50 €."""
    units, rest = divmod(cents, 100)
    number = f"{units:,}".replace(",", ".") + f",{rest:02d}"
    return f"{number} €" if currency == "eur" else f"{number} {currency.upper()}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Stripe does not follow redirects when delivering webhooks; a 301 from a missing slash must
    # show up as a failed delivery here too, not be hidden by urllib turning the POST into a GET.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# The webhook target is the shop on this machine or network; an HTTP(S)_PROXY from the environment
# must not route it elsewhere.
_webhook_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


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
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, Any]] = {}
        self._line_items: dict[str, list[dict[str, Any]]] = {}
        self._refunds: list[dict[str, Any]] = []
        self._coupons: dict[str, dict[str, Any]] = {}
        self._customers: dict[str, dict[str, Any]] = {}
        self._subscriptions: dict[str, dict[str, Any]] = {}
        self._subscription_data: dict[str, dict[str, Any]] = {}
        self._invoices: dict[str, dict[str, Any]] = {}
        # payment_intent -> the invoice_payment by which it pays an invoice.
        self._invoice_payments: dict[str, dict[str, Any]] = {}
        # Every event made so far, as Stripe's /v1/events lists them; see `events`.
        self._events: list[dict[str, Any]] = []
        # payment_intent -> the id of the charge that paid it.
        self._charges: dict[str, str] = {}
        # Idempotency-Key -> (params, response): Stripe replays the first answer to a retried POST.
        self._idempotent: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._requests: list[RecordedRequest] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> "StripeServer":
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer(self._address, _Handler, self)
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
        with self._lock:
            return copy.deepcopy(self._refunds)

    @property
    def coupons(self) -> dict[str, dict[str, Any]]:
        """The coupons created so far, by id."""
        with self._lock:
            return copy.deepcopy(self._coupons)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event made so far, oldest first. Events of API calls (a subscription cancelled
        through the API) are only kept here, not sent: Stripe delivers them later, on its own,
        and a test sends them when and in the order it wants with send_event()."""
        with self._lock:
            return copy.deepcopy(self._events)

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._subscription(subscription_id))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    # What the hosted page's buttons do; tests call these directly to script a payment.

    def complete(self, session_id: str, *, paid: bool = True) -> dict[str, Any]:
        """Buyer finished checkout; the checkout.session.completed event, not sent.

        paid=False is a delayed method (SEPA): complete, still unpaid, until
        complete_async_payment().
        """
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"checkout.session {session_id} is {session['status']}, not open")
            customer_details = fixture("checkout.session")["customer_details"]
            customer_details["email"] = session["customer_email"] or customer_details["email"]
            free = session["amount_total"] == 0
            for discount in session["discounts"] or []:
                coupon = self._coupons[discount["coupon"]]
                coupon["times_redeemed"] += 1
                if coupon["max_redemptions"] is not None:
                    coupon["valid"] = coupon["times_redeemed"] < coupon["max_redemptions"]
            if session["mode"] == "subscription":
                self._start_subscription(session, customer_details)
                return event("checkout.session.completed", session)
            intent = None if free else random_id("pi_")
            if intent:
                self._charges[intent] = random_id("ch_")
            session.update(
                status="complete",
                # A no-cost order: nothing is charged, so there is no PaymentIntent.
                payment_status="no_payment_required" if free else "paid" if paid else "unpaid",
                payment_intent=intent,
                customer_details=customer_details,
                # Stripe's hosted page is gone once the session is no longer open.
                url=None,
            )
            return event("checkout.session.completed", session)

    def _start_subscription(self, session: dict[str, Any], customer_details: dict) -> None:
        """Checkout in subscription mode, paid by card: a customer, an active subscription and its
        first paid invoice; their events are kept in `events`. Caller holds the lock."""
        customer = fixture("customer")
        customer.update(
            id=random_id("cus_", 14),
            email=customer_details["email"],
            name=customer_details.get("name"),
            created=int(time.time()),
            metadata={},
        )
        self._customers[customer["id"]] = customer
        price_data = self._line_items[session["id"]][0]["price_data"]
        price = fixture("price")
        price.update(
            id=random_id("price_"),
            currency=price_data["currency"].lower(),
            type="recurring",
            unit_amount=int(price_data["unit_amount"]),
            unit_amount_decimal=price_data["unit_amount"],
            product=random_id("prod_", 14),
            tax_behavior=price_data.get("tax_behavior", "unspecified"),
            recurring={
                "interval": price_data["recurring"]["interval"],
                "interval_count": int(price_data["recurring"].get("interval_count", 1)),
                "meter": None,
                "usage_type": "licensed",
                "trial_period_days": None,
            },
        )
        start = int(time.time())
        subscription = signing.subscription(
            customer=customer["id"],
            price=price,
            period_start=start,
            period_end=signing.next_month(start),
            metadata=self._subscription_data[session["id"]].get("metadata") or {},
        )
        self._subscriptions[subscription["id"]] = subscription
        invoice = self._new_invoice(subscription, paid=True, billing_reason="subscription_create")
        session.update(
            status="complete",
            payment_status="paid",
            customer=customer["id"],
            subscription=subscription["id"],
            invoice=invoice["id"],
            customer_details=customer_details,
            url=None,
        )
        self._log("customer.subscription.created", subscription)
        self._log("invoice.paid", invoice)

    def _new_invoice(self, subscription: dict[str, Any], *, paid: bool, billing_reason: str):
        item = subscription["items"]["data"][0]
        invoice = signing.invoice(
            stripe_subscription=subscription,
            period_start=item["current_period_start"],
            period_end=item["current_period_end"],
            paid=paid,
            billing_reason=billing_reason,
            customer_email=self._customers[subscription["customer"]]["email"],
        )
        self._invoices[invoice["id"]] = invoice
        subscription["latest_invoice"] = invoice["id"]
        if invoice["amount_due"]:
            # Finalising an invoice makes its default payment: a PaymentIntent, tried at once.
            intent = random_id("pi_")
            payment = fixture("invoice_payment")
            payment.update(
                id=random_id("inpay_"), invoice=invoice["id"], is_default=True, livemode=False,
                amount_requested=invoice["amount_due"], amount_paid=None,
                currency=invoice["currency"], created=invoice["created"], status="open",
                payment={"type": "payment_intent", "payment_intent": intent},
                status_transitions={"canceled_at": None, "paid_at": None},
            )  # fmt: skip
            self._invoice_payments[intent] = payment
            if paid:
                self._settle(payment, at=invoice["created"])
        return invoice

    def _settle(self, payment: dict[str, Any], *, at: int) -> None:
        # Caller holds the lock. The invoice's PaymentIntent succeeded: a charge paid it.
        payment.update(status="paid", amount_paid=payment["amount_requested"])
        payment["status_transitions"]["paid_at"] = at
        self._charges[payment["payment"]["payment_intent"]] = random_id("ch_")

    def _log(self, type: str, data_object: dict[str, Any]) -> dict[str, Any]:
        made = event(type, data_object)
        self._events.append(made)
        return copy.deepcopy(made)

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        # Caller holds the lock.
        try:
            return self._subscriptions[subscription_id]
        except KeyError:
            raise LookupError(f"No such subscription: '{subscription_id}'") from None

    def renew(self, subscription_id: str, *, paid: bool = True) -> list[dict[str, Any]]:
        """The period ran out: Stripe ends a subscription cancelled at period end, or bills the
        next period; a failed charge leaves it past due. The events, kept in `events`, not sent."""
        with self._lock:
            subscription = self._subscription(subscription_id)
            if subscription["status"] == "canceled":
                raise ValueError(f"subscription {subscription_id} is canceled")
            item = subscription["items"]["data"][0]
            if subscription["cancel_at_period_end"]:
                return [self._end(subscription, at=item["current_period_end"])]
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] = signing.next_month(item["current_period_end"])
            invoice = self._new_invoice(
                subscription, paid=paid, billing_reason="subscription_cycle"
            )
            subscription["status"] = "active" if paid else "past_due"
            return [
                self._log("invoice.paid" if paid else "invoice.payment_failed", invoice),
                self._log("customer.subscription.updated", subscription),
            ]

    def pay_invoice(self, invoice_id: str) -> list[dict[str, Any]]:
        """Stripe's retry of an open invoice succeeded: paid, the subscription active again."""
        with self._lock:
            invoice = self._invoices.get(invoice_id)
            if invoice is None or invoice["status"] != "open":
                raise ValueError(f"invoice {invoice_id} is not open")
            now = int(time.time())
            invoice.update(
                status="paid",
                amount_paid=invoice["amount_due"],
                amount_remaining=0,
                attempt_count=invoice["attempt_count"] + 1,
                next_payment_attempt=None,
            )
            invoice["status_transitions"]["paid_at"] = now
            for payment in self._invoice_payments.values():
                if payment["invoice"] == invoice_id:
                    self._settle(payment, at=now)
            subscription = self._subscriptions[
                invoice["parent"]["subscription_details"]["subscription"]
            ]
            subscription["status"] = "active"
            return [
                self._log("invoice.paid", invoice),
                self._log("customer.subscription.updated", subscription),
            ]

    def _end(self, subscription: dict[str, Any], *, at: int) -> dict[str, Any]:
        # Caller holds the lock.
        subscription.update(
            status="canceled", ended_at=at, canceled_at=subscription["canceled_at"] or at
        )
        return self._log("customer.subscription.deleted", subscription)

    def complete_async_payment(self, session_id: str, *, succeeded: bool = True) -> dict[str, Any]:
        """The delayed payment of a completed, unpaid session settled; the event, not sent."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "complete" or session["payment_status"] != "unpaid":
                raise ValueError(f"checkout.session {session_id} has no payment pending")
            if succeeded:
                session["payment_status"] = "paid"
                return event("checkout.session.async_payment_succeeded", session)
            return event("checkout.session.async_payment_failed", session)

    def expire(self, session_id: str) -> dict[str, Any]:
        """The open session ran out; the checkout.session.expired event, not sent."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"checkout.session {session_id} is {session['status']}, not open")
            session.update(status="expired", url=None)
            return event("checkout.session.expired", session)

    def charge_refunded(self, payment_intent: str) -> dict[str, Any]:
        """The charge.refunded event after the refunds made so far of `payment_intent`, not sent:
        the charge with `amount_refunded` and its refunds, newest first, as Stripe lists them."""
        with self._lock:
            charge = self._charge(payment_intent)
            refunds = [r for r in self._refunds if r["payment_intent"] == payment_intent]
            if not refunds:
                raise ValueError(f"payment_intent {payment_intent} has no refund")
            refunded = sum(r["amount"] for r in refunds)
            charge.update(
                amount_refunded=refunded,
                refunded=refunded == charge["amount"],
                refunds={
                    "object": "list",
                    "data": copy.deepcopy(refunds[::-1]),
                    "has_more": False,
                    "url": f"/v1/charges/{charge['id']}/refunds",
                },
            )
            return event("charge.refunded", charge)

    def dispute(self, payment_intent: str) -> dict[str, Any]:
        """The buyer's bank disputes the whole payment: charge.dispute.created, not sent."""
        with self._lock:
            charge = self._charge(payment_intent)
            dispute = fixture("dispute")
            dispute.update(
                id=random_id("dp_"), amount=charge["amount"], currency=charge["currency"],
                charge=charge["id"], payment_intent=payment_intent, created=int(time.time()),
                status="needs_response",
            )  # fmt: skip
            return event("charge.dispute.created", dispute)

    def _paid(self, payment_intent: str) -> dict[str, Any]:
        """Amount, currency, time and payer of a PaymentIntent that paid a session or an
        invoice; LookupError for any other. Caller holds the lock."""
        session = next(
            (s for s in self._sessions.values() if s.get("payment_intent") == payment_intent),
            None,
        )
        if session is not None and session["payment_status"] == "paid":
            return {
                "amount": session["amount_total"], "currency": session["currency"],
                "created": session["created"], "email": session["customer_email"],
                "details": session.get("customer_details") or {}, "metadata": session["metadata"],
            }  # fmt: skip
        payment = self._invoice_payments.get(payment_intent)
        if payment is not None and payment["status"] == "paid":
            invoice = self._invoices[payment["invoice"]]
            return {
                "amount": payment["amount_paid"], "currency": payment["currency"],
                "created": payment["status_transitions"]["paid_at"],
                "email": invoice["customer_email"],
                "details": {"email": invoice["customer_email"], "name": invoice["customer_name"],
                            "address": invoice["customer_address"]},
                # Stripe puts no metadata of the subscription's on the invoice's payment.
                "metadata": {},
            }  # fmt: skip
        raise LookupError(f"No such payment_intent: '{payment_intent}'")

    def _charge(self, payment_intent: str) -> dict[str, Any]:
        # Caller holds the lock. The charge that paid a session or an invoice, as Stripe's
        # charge object.
        paid = self._paid(payment_intent)
        charge = fixture("charge")
        charge.update(
            id=self._charges[payment_intent], amount=paid["amount"],
            amount_captured=paid["amount"], captured=True, paid=True, status="succeeded",
            currency=paid["currency"], payment_intent=payment_intent, created=paid["created"],
            receipt_email=paid["email"], metadata=paid["metadata"],
            description=None, transfer_data=None, source=None,
        )  # fmt: skip
        details = paid["details"]
        charge["billing_details"].update(
            email=details.get("email"), name=details.get("name"), address=details.get("address")
        )
        return charge

    def send_event(self, event: dict[str, Any]) -> int:
        """Sign `event` with webhook_secret, POST it to webhook_url; the HTTP status answered."""
        if not self.webhook_url:
            raise RuntimeError("StripeServer has no webhook_url to send events to")
        if urlsplit(self.webhook_url).scheme not in ("http", "https"):
            raise ValueError(f"webhook_url must be http(s): {self.webhook_url}")
        # Indented like Stripe's own deliveries, so a shop that verifies a re-serialised body
        # instead of the raw bytes fails here as it would in production.
        payload = json.dumps(event, indent=2).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.webhook_url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(payload, secret=self.webhook_secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with _webhook_opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    # API, called by the request handler

    def _session(self, session_id: str) -> dict[str, Any]:
        # Caller holds the lock.
        try:
            return self._sessions[session_id]
        except KeyError:
            raise LookupError(f"No such checkout.session: '{session_id}'") from None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _create_session(
        self, params: dict[str, Any], idempotency_key: str | None
    ) -> dict[str, Any]:
        with self._lock:
            if idempotency_key and idempotency_key in self._idempotent:
                first_params, response = self._idempotent[idempotency_key]
                if first_params != params:
                    raise ApiError(
                        400,
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                        type="idempotency_error",
                    )
                return copy.deepcopy(response)
            for param in ("mode", "success_url"):
                if not params.get(param):
                    raise _missing(param)
            currency, subtotal = _line_items_total(params.get("line_items"))
            discounts = self._session_discounts(params.get("discounts"))
            discount = sum(
                _discount(self._coupons[d["coupon"]], currency, subtotal) for d in discounts
            )
            total = subtotal - discount
            minimum = MINIMUM_CHARGE.get(currency, 0)
            if 0 < total < minimum:
                raise ApiError(
                    400,
                    "The Checkout Session's total amount due must add up to at least "
                    f"{format_amount(minimum, currency)}.",
                    code="amount_too_small",
                )
            _check_mode(params)
            session = checkout_session(
                mode=params["mode"],
                currency=currency,
                amount_subtotal=subtotal,
                amount_total=total,
                total_details={"amount_discount": discount, "amount_shipping": 0, "amount_tax": 0},
                discounts=discounts,
                customer=params.get("customer"),
                customer_email=params.get("customer_email"),
                client_reference_id=params.get("client_reference_id"),
                metadata=params.get("metadata") or {},
                locale=params.get("locale"),
                payment_method_types=params.get("payment_method_types") or ["card", "sepa_debit"],
                # Kept as given, {CHECKOUT_SESSION_ID} included: Stripe fills it in only when it
                # redirects the buyer (see _success_location).
                success_url=params["success_url"],
                cancel_url=params.get("cancel_url"),
            )
            if params.get("expires_at"):
                session["expires_at"] = _integer(params, "expires_at", "", minimum=0)
            session["url"] = f"{self.url}{PAY_PATH}{session['id']}"
            self._sessions[session["id"]] = session
            # What Stripe gives the subscription it makes; not part of the session object.
            self._subscription_data[session["id"]] = params.get("subscription_data") or {}
            self._line_items[session["id"]] = params["line_items"]
            if idempotency_key:
                self._idempotent[idempotency_key] = (params, copy.deepcopy(session))
            return copy.deepcopy(session)

    def _session_discounts(self, discounts: Any) -> list[dict[str, Any]]:
        # Caller holds the lock. At most one coupon, as Stripe's Checkout takes it.
        if discounts in (None, ""):
            return []
        if not isinstance(discounts, list) or len(discounts) > 1:
            raise ApiError(400, "You may only specify one discount.", param="discounts")
        coupon_id = discounts[0].get("coupon") if isinstance(discounts[0], dict) else None
        if not coupon_id:
            raise _missing("discounts[0][coupon]")
        coupon = self._coupons.get(coupon_id)
        if coupon is None:
            raise ApiError(
                400, f"No such coupon: '{coupon_id}'", param="discounts[0][coupon]",
                code="resource_missing",
            )  # fmt: skip
        if not coupon["valid"]:
            raise ApiError(
                400, f"Coupon '{coupon_id}' is no longer valid.", param="discounts[0][coupon]",
                code="coupon_expired",
            )  # fmt: skip
        return [{"coupon": coupon_id, "promotion_code": None}]

    def _create_coupon(self, params: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        """A coupon of `percent_off` or `amount_off` and `currency`, as Stripe validates it."""
        with self._lock:
            if idempotency_key and idempotency_key in self._idempotent:
                return copy.deepcopy(self._idempotent[idempotency_key][1])
            has_amount, has_percent = "amount_off" in params, "percent_off" in params
            if has_amount == has_percent:
                raise ApiError(400, "Must provide exactly one of amount_off or percent_off.")
            coupon = fixture("coupon")
            coupon.update(
                id=params.get("id") or random_id("", 8), amount_off=None, currency=None,
                percent_off=None, duration=params.get("duration") or "once",
                duration_in_months=None, max_redemptions=None, redeem_by=None,
                name=params.get("name") or None, metadata=params.get("metadata") or {},
                created=int(time.time()), times_redeemed=0, valid=True,
            )  # fmt: skip
            if has_amount:
                coupon["amount_off"] = _integer(params, "amount_off", "", minimum=1)
                if not params.get("currency"):
                    raise _missing("currency")
                coupon["currency"] = params["currency"].lower()
            else:
                try:
                    percent = float(params["percent_off"])
                except ValueError:
                    raise ApiError(400, "Invalid decimal", param="percent_off") from None
                if not 0 < percent <= 100:
                    raise ApiError(
                        400, "Invalid percent_off: must be in (0, 100]", param="percent_off"
                    )
                coupon["percent_off"] = percent
            if coupon["duration"] not in ("once", "forever", "repeating"):
                raise ApiError(400, "Invalid duration", param="duration")
            if coupon["name"] is not None and len(coupon["name"]) > 40:
                raise ApiError(400, "Invalid name: must be at most 40 characters", param="name")
            if "max_redemptions" in params:
                coupon["max_redemptions"] = _integer(params, "max_redemptions", "", minimum=1)
            if coupon["id"] in self._coupons:
                raise ApiError(
                    400, "Coupon already exists.", param="id", code="resource_already_exists"
                )
            self._coupons[coupon["id"]] = coupon
            if idempotency_key:
                self._idempotent[idempotency_key] = (params, copy.deepcopy(coupon))
            return copy.deepcopy(coupon)

    def _create_refund(self, params: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        """A refund of a paid session's or invoice's PaymentIntent, at most what is left
        unrefunded."""
        with self._lock:
            if idempotency_key and idempotency_key in self._idempotent:
                return copy.deepcopy(self._idempotent[idempotency_key][1])
            intent = params.get("payment_intent")
            if not intent:
                raise _missing("payment_intent")
            try:
                paid = self._paid(intent)
            except LookupError as error:
                raise ApiError(
                    400, str(error), param="payment_intent", code="resource_missing"
                ) from None
            refunded = sum(r["amount"] for r in self._refunds if r["payment_intent"] == intent)
            left = paid["amount"] - refunded
            amount = _integer(params, "amount", "", minimum=1) if "amount" in params else left
            if amount > left:
                raise ApiError(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                    f"({left})",
                    param="amount",
                    code="amount_too_large",
                )
            refund = fixture("refund")
            refund.update(
                id=random_id("re_"), amount=amount, currency=paid["currency"],
                payment_intent=intent, charge=self._charges[intent],
                metadata=params.get("metadata") or {}, reason=params.get("reason"),
                created=int(time.time()), status="succeeded",
            )  # fmt: skip
            self._refunds.append(refund)
            if idempotency_key:
                self._idempotent[idempotency_key] = (params, copy.deepcopy(refund))
            return copy.deepcopy(refund)

    def _retrieve_session(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            try:
                session = self._session(session_id)
            except LookupError as error:
                raise ApiError(404, str(error), param="session", code="resource_missing") from None
            return copy.deepcopy(session)

    def _retrieve(self, kind: str, object_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """A customer or an invoice. An invoice's `payments` are includable: Stripe sends them
        only when asked with expand[]=payments, so never in an event."""
        stores = {"customer": self._customers, "invoice": self._invoices}
        expand = params.get("expand") or []
        if not isinstance(expand, list):
            raise ApiError(400, "Invalid array", param="expand")
        with self._lock:
            found = stores[kind].get(object_id)
            if found is None:
                raise ApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing")
            found = copy.deepcopy(found)
            for field in expand:
                if (kind, field) != ("invoice", "payments"):
                    raise ApiError(
                        400, f"This property cannot be expanded because it doesn't exist: {field}.",
                        param="expand",
                    )  # fmt: skip
                found["payments"] = {
                    "object": "list",
                    "data": [
                        copy.deepcopy(payment)
                        for payment in self._invoice_payments.values()
                        if payment["invoice"] == object_id
                    ],
                    "has_more": False,
                    "url": f"/v1/invoice_payments?invoice={object_id}",
                }
            return found

    def _subscription_api(self, method: str, subscription_id: str, params: dict[str, Any]):
        """GET retrieves; POST sets cancel_at_period_end; DELETE cancels now (Stripe's
        "cancel a subscription"). The events are kept in `events`, not sent."""
        with self._lock:
            try:
                subscription = self._subscription(subscription_id)
            except LookupError as error:
                raise ApiError(404, str(error), code="resource_missing") from None
            if method == "POST":
                unknown = set(params) - {"cancel_at_period_end", "metadata"}
                if unknown:
                    param = sorted(unknown)[0]
                    raise ApiError(400, f"Received unknown parameter: {param}", param=param)
                if subscription["status"] == "canceled":
                    raise ApiError(
                        400,
                        "A canceled subscription can only update its cancellation_details "
                        "and metadata.",
                    )
                if "cancel_at_period_end" in params:
                    if params["cancel_at_period_end"] not in ("true", "false"):
                        raise ApiError(400, "Invalid boolean", param="cancel_at_period_end")
                    wanted = params["cancel_at_period_end"] == "true"
                    period_end = subscription["items"]["data"][0]["current_period_end"]
                    subscription.update(
                        cancel_at_period_end=wanted,
                        cancel_at=period_end if wanted else None,
                        canceled_at=int(time.time()) if wanted else None,
                    )
                subscription["metadata"].update(params.get("metadata") or {})
                self._log("customer.subscription.updated", subscription)
            elif method == "DELETE":
                self._cancel_now(subscription, params)
            return copy.deepcopy(subscription)

    def _cancel_now(self, subscription: dict[str, Any], params: dict[str, Any]) -> None:
        # Caller holds the lock.
        if subscription["status"] == "canceled":
            # Stripe keeps the object (GET still finds it) but answers a second cancel so.
            raise ApiError(
                404, f"No such subscription: '{subscription['id']}'", param="id",
                code="resource_missing",
            )  # fmt: skip
        unknown = set(params) - {"invoice_now", "prorate", "cancellation_details"}
        if unknown:
            param = sorted(unknown)[0]
            raise ApiError(400, f"Received unknown parameter: {param}", param=param)
        for flag in ("invoice_now", "prorate"):
            if params.get(flag, "false") not in ("true", "false"):
                raise ApiError(400, "Invalid boolean", param=flag)
            if params.get(flag) == "true":
                # Stripe would bill a final invoice or credit the unused time; neither is made here.
                raise ApiError(400, f"devstripe cancels only without {flag}", param=flag)
        details = params.get("cancellation_details") or {}
        if not isinstance(details, dict) or set(details) - {"comment", "feedback"}:
            raise ApiError(400, "Invalid cancellation_details", param="cancellation_details")
        subscription["cancellation_details"] = {
            "comment": details.get("comment") or None,
            "feedback": details.get("feedback") or None,
            "reason": "cancellation_requested",
        }
        self._end(subscription, at=int(time.time()))

    # Hosted page, called by the request handler

    def _pay_page(self, session_id: str) -> tuple[int, str]:
        with self._lock:
            session = self._sessions.get(session_id)
            line_items = self._line_items.get(session_id, [])
            if session is None:
                return 404, _page("Unbekannte Zahlung", "<p>Diese Zahlung gibt es nicht.</p>")
            session = copy.deepcopy(session)
            coupon_names = [
                self._coupons[d["coupon"]]["name"] or d["coupon"]
                for d in session["discounts"] or []
            ]
        amount = format_amount(session["amount_total"], session["currency"])
        discount = session["total_details"]["amount_discount"]
        items = "".join(
            f"<li>{int(item['quantity'])} × {html.escape(_product_text(item))}</li>"
            for item in line_items
        )
        if session["status"] != "open":
            body = "<p>Diese Zahlung ist nicht mehr offen.</p>"
            return 200, _page("Testzahlung – kein echtes Geld", body)
        action = html.escape(f"{PAY_PATH}{session_id}")
        email = html.escape(session["customer_email"] or "")
        body = (
            "<p>Dies ist die lokale Stripe-Attrappe. Es wird kein Geld bewegt.</p>"
            f"<ul>{items}</ul>"
            + (
                f"<p>Rabatt ({html.escape(', '.join(coupon_names))}): "
                f"−{format_amount(discount, session['currency'])}</p>"
                if discount
                else ""
            )
            + f"<p>Betrag: <strong>{amount}</strong></p>"
            + (f"<p>E-Mail: {email}</p>" if email else "")
            + "".join(
                f'<form method="post" action="{action}">'
                f'<button type="submit" name="method" value="{method}">{label}</button></form>'
                for method, label in (
                    # Nothing to pay: Checkout asks for no payment method.
                    (("card", "Kostenlos bestellen"), ("cancel", "Abbrechen"))
                    if session["amount_total"] == 0
                    else (
                        ("card", "Mit Karte bezahlen"),
                        ("sepa", "Per SEPA-Lastschrift bezahlen"),
                        ("cancel", "Abbrechen"),
                    )
                )
            )
        )
        return 200, _page("Testzahlung – kein echtes Geld", body)

    def _pay(self, session_id: str, method: str) -> tuple[int, str]:
        """A button on the hosted page; (status, location or page)."""
        try:
            if method == "cancel":
                with self._lock:
                    session = self._session(session_id)
                    cancel_url = session["cancel_url"]
                if cancel_url:
                    return 303, cancel_url
                return 200, _page("Zahlung abgebrochen", "<p>Die Zahlung wurde abgebrochen.</p>")
            with self._lock:
                subscription_mode = self._session(session_id)["mode"] == "subscription"
            if method == "card" or (method == "sepa" and subscription_mode):
                # A subscription starts paid here whichever way: its first invoice's events follow.
                made = len(self.events)
                self._deliver(self.complete(session_id, paid=True))
                for later in self.events[made:]:
                    self._deliver(later)
            elif method == "sepa":
                # SEPA as Stripe runs it: checkout completes unpaid, the debit settles later.
                self._deliver(self.complete(session_id, paid=False))
                self._deliver(self.complete_async_payment(session_id, succeeded=True))
            else:
                return 400, _page("Unbekannte Zahlart", "<p>Diese Zahlart gibt es nicht.</p>")
        except LookupError:
            return 404, _page("Unbekannte Zahlung", "<p>Diese Zahlung gibt es nicht.</p>")
        except ValueError:
            return 409, _page("Bereits abgeschlossen", "<p>Diese Zahlung ist abgeschlossen.</p>")
        return 303, self._success_location(session_id)

    def _success_location(self, session_id: str) -> str:
        with self._lock:
            success_url = self._sessions[session_id]["success_url"]
        return success_url.replace("{CHECKOUT_SESSION_ID}", session_id)

    def _deliver(self, event: dict[str, Any]) -> None:
        # Stripe retries failed deliveries later; here a failure is logged and the buyer is still
        # redirected, so the shop's success page and reconciliation paths get exercised.
        if not self.webhook_url:
            logger.warning("no webhook_url: %s %s not sent", event["type"], event["id"])
            return
        try:
            status = self.send_event(event)
        except OSError as error:
            logger.warning("%s %s not delivered: %s", event["type"], event["id"], error)
            return
        log = logger.info if 200 <= status < 300 else logger.warning
        log("%s %s -> %s answered %d", event["type"], event["id"], self.webhook_url, status)


def _product_text(item: dict[str, Any]) -> str:
    """Name and description of a line item, as Stripe's page shows them ("inkl. 7 % MwSt.")."""
    product = item["price_data"].get("product_data", {})
    return " ".join(str(product.get(key) or "") for key in ("name", "description")).strip()


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        stripe: StripeServer,
    ) -> None:
        self.stripe = stripe
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        stripe = self.server.stripe
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        try:
            params = parse_form(body if self.command == "POST" else split.query)
        except ApiError as error:
            stripe._record(RecordedRequest(self.command, path, {}, dict(self.headers.items())))
            self._send_json(error.status, {"error": error.body})
            return
        stripe._record(RecordedRequest(self.command, path, params, dict(self.headers.items())))

        if path.startswith("/v1/"):
            try:
                self._check_api_key()
                self._send_json(200, self._api(path, params))
            except ApiError as error:
                self._send_json(error.status, {"error": error.body})
        elif path.startswith(PAY_PATH) and self.command == "GET":
            self._send_html(*stripe._pay_page(path.removeprefix(PAY_PATH)))
        elif path.startswith(PAY_PATH) and self.command == "POST":
            status, result = stripe._pay(path.removeprefix(PAY_PATH), params.get("method", ""))
            if status == 303:
                self._redirect(result)
            else:
                self._send_html(status, result)
        else:
            self._send_html(404, _page("Nicht gefunden", ""))

    def _api(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        stripe = self.server.stripe
        if path == SESSIONS_PATH and self.command == "POST":
            return stripe._create_session(params, self.headers.get("Idempotency-Key"))
        if path == REFUNDS_PATH and self.command == "POST":
            return stripe._create_refund(params, self.headers.get("Idempotency-Key"))
        if path == COUPONS_PATH and self.command == "POST":
            return stripe._create_coupon(params, self.headers.get("Idempotency-Key"))
        if path.startswith(SUBSCRIPTIONS_PATH):
            return stripe._subscription_api(
                self.command, path.removeprefix(SUBSCRIPTIONS_PATH), params
            )
        for prefix, store in ((CUSTOMERS_PATH, "customer"), (INVOICES_PATH, "invoice")):
            if path.startswith(prefix) and self.command == "GET":
                return stripe._retrieve(store, path.removeprefix(prefix), params)
        prefix = SESSIONS_PATH + "/"
        session_id = path.removeprefix(prefix)
        if path.startswith(prefix) and "/" not in session_id and self.command == "GET":
            return stripe._retrieve_session(session_id)
        raise ApiError(404, f"Unrecognized request URL ({self.command}: {path}).")

    def _check_api_key(self) -> None:
        authorization = self.headers.get("Authorization", "")
        if not authorization:
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        scheme, _, credentials = authorization.partition(" ")
        key = credentials
        if scheme == "Basic":
            # Stripe's curl examples send the key as the user name: curl -u sk_test_...:
            try:
                key = base64.b64decode(credentials).decode("utf-8").partition(":")[0]
            except ValueError:
                key = ""
        if scheme not in ("Bearer", "Basic") or not key.startswith("sk_"):
            raise ApiError(401, f"Invalid API Key provided: {key[:8]}***")

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json")

    def _send_html(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/html; charset=utf-8")

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # stripe-python quotes Stripe's request id in its error messages.
        self.send_header("Request-Id", random_id("req_", 14))
        self.end_headers()
        self.wfile.write(body)
