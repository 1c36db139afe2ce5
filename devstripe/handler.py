"""The HTTP side: Stripe's API under /v1/ and the hosted page under /pay/, routed to the
resource modules."""

import base64
import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from devstripe import checkout, coupons, page, payments, subscriptions
from devstripe.forms import ApiError, parse_form
from devstripe.signing import random_id
from devstripe.store import RecordedRequest, Store

if TYPE_CHECKING:
    from devstripe.server import StripeServer

logger = logging.getLogger("devstripe")

SESSIONS_PATH = "/v1/checkout/sessions"
COUPONS_PATH = "/v1/coupons"
REFUNDS_PATH = "/v1/refunds"
SUBSCRIPTIONS_PATH = "/v1/subscriptions/"
CUSTOMERS_PATH = "/v1/customers/"
INVOICES_PATH = "/v1/invoices/"


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], stripe: "StripeServer", store: Store) -> None:
        self.stripe = stripe
        self.store = store
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: HTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        stripe, store = self.server.stripe, self.server.store
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        try:
            params = parse_form(body if self.command == "POST" else split.query)
        except ApiError as error:
            self._record(path, {})
            self._send_json(error.status, {"error": error.body})
            return
        self._record(path, params)

        if path.startswith("/v1/"):
            try:
                self._check_api_key()
                with store.lock:
                    response = self._api(path, params)
                self._send_json(200, response)
            except ApiError as error:
                self._send_json(error.status, {"error": error.body})
        elif path.startswith(page.PAY_PATH) and self.command == "GET":
            self._send_html(*page.render(store, path.removeprefix(page.PAY_PATH)))
        elif path.startswith(page.PAY_PATH) and self.command == "POST":
            session_id = path.removeprefix(page.PAY_PATH)
            status, result = page.press(stripe, store, session_id, params.get("method", ""))
            if status == 303:
                self._redirect(result)
            else:
                self._send_html(status, result)
        else:
            self._send_html(404, page.html_page("Nicht gefunden", ""))

    def _record(self, path: str, params: dict[str, Any]) -> None:
        with self.server.store.lock:
            self.server.store.requests.append(
                RecordedRequest(self.command, path, params, dict(self.headers.items()))
            )

    def _api(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        # Caller holds the store's lock.
        store = self.server.store
        idempotency_key = self.headers.get("Idempotency-Key")
        if path == SESSIONS_PATH and self.command == "POST":
            return checkout.create_session(
                store, params, idempotency_key, base_url=self.server.stripe.url
            )
        if path == REFUNDS_PATH and self.command == "POST":
            return payments.create_refund(store, params, idempotency_key)
        if path == COUPONS_PATH and self.command == "POST":
            return coupons.create_coupon(store, params, idempotency_key)
        if path.startswith(SUBSCRIPTIONS_PATH):
            return subscriptions.api(
                store, self.command, path.removeprefix(SUBSCRIPTIONS_PATH), params
            )
        for prefix, kind in ((CUSTOMERS_PATH, "customer"), (INVOICES_PATH, "invoice")):
            if path.startswith(prefix) and self.command == "GET":
                return subscriptions.retrieve(store, kind, path.removeprefix(prefix), params)
        prefix = SESSIONS_PATH + "/"
        session_id = path.removeprefix(prefix)
        if path.startswith(prefix) and "/" not in session_id and self.command == "GET":
            return checkout.retrieve_session(store, session_id)
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
