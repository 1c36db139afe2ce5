"""What an article body may make the PDF renderer fetch: the shop's own media files, nothing else.

Staff write article bodies in Markdown with HTML. The body goes through the shop's real path, an
order paid and fulfilled, and the buyer's PDF still renders, without anything from the server's
files, from loopback services or from the cloud metadata address. Sockets are watched while it
renders: any connection attempt is recorded and refused, so this test itself can send nothing
anywhere even if the fetcher were broken.
"""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader

from shop.models import Delivery
from shop.orders import fulfilment, services
from tests import factories
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db

BODY = """Trotzdem gedruckt.

![Passwortdatei](file:///etc/passwd)
![Dienst im selben Netz]({local}/markdown.png)
![Cloud-Metadaten](http://169.254.169.254/latest/meta-data/iam/security-credentials/)

<img src="file:///etc/passwd">
<img src="{local}/html.png">
<img src="http://169.254.169.254/latest/meta-data/">
<img src="http://[::1]:{port}/ipv6.png">
<img src="/media/../../../../etc/passwd">
<img src="/media/..%2f..%2f..%2f..%2fetc%2fpasswd">
<img src="/static/../../../../../etc/shadow">
<object data="file:///etc/passwd"></object>
<iframe src="{local}/frame"></iframe>
<link rel="stylesheet" href="{local}/style.css">
<style>@import url("{local}/import.css"); p {{ background: url("{local}/bg.png") }}</style>
<p style="background: url('{local}/inline.png')">Mit Stil.</p>
<svg><image href="{local}/svg.png" width="10" height="10"/></svg>

Eigenes Bild: ![Logo](/media/articles/logo.png)

Ende des Artikels.
"""


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_service():
    """A service on 127.0.0.1 that an attacker would like the renderer to reach."""
    Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connections(monkeypatch):
    """Every outgoing connection attempted while the test runs, each refused."""
    attempts = []

    def refuse(sock, address, *args):
        attempts.append(address)
        raise ConnectionRefusedError(f"test forbids connecting to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def own_image(media_root):
    path = media_root / "articles" / "logo.png"
    path.parent.mkdir(parents=True)
    Image.new("RGB", (16, 16), "blue").save(path, "PNG")
    return path


def test_hostile_urls_in_an_article_body_are_not_fetched_and_the_pdf_still_renders(
    loopback_service, own_image, caplog, connections
):
    port = loopback_service.server_address[1]
    article = factories.article(body=BODY.format(local=f"http://127.0.0.1:{port}", port=port))
    order = factories.pending_order(of=article)
    services.complete_checkout(session=factories.completed_session(order))

    fulfilment.render_deliveries(order_id=order.pk)

    delivery = Delivery.objects.get(order_line__order=order)
    assert delivery.status == Delivery.Status.RENDERED, delivery.error
    pdf = delivery.file.read()
    text = " ".join(pages_text(pdf))
    assert "Trotzdem gedruckt." in text and "Ende des Artikels." in text
    assert "root:" not in text
    # Only the shop's own image made it into the PDF (pages share their resources).
    images = {image.name for page in PdfReader(BytesIO(pdf)).pages for image in page.images}
    assert len(images) == 1
    # Nothing was asked of the loopback service, and no connection was even tried.
    assert Recorder.hits == []
    assert connections == []
    # The fetcher saw the addresses that survived sanitising and refused each of them.
    refused = " ".join(
        r.getMessage() for r in caplog.records if "PermissionError" in r.getMessage()
    )
    for address in [
        f"http://127.0.0.1:{port}/markdown.png",
        f"http://127.0.0.1:{port}/html.png",
        "http://169.254.169.254/latest/meta-data/",
    ]:
        assert address in refused
