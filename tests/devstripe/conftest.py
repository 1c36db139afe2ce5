import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from devstripe import StripeServer
from tests.devstripe.helpers import SECRET, WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    state = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.deliveries.append((dict(self.headers.items()), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/stripe/webhook/"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def server(receiver: WebhookReceiver) -> Iterator[StripeServer]:
    with StripeServer(webhook_url=receiver.url, webhook_secret=SECRET) as running:
        yield running


@pytest.fixture
def client(server: StripeServer) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_x", base_addresses={"api": server.url})
