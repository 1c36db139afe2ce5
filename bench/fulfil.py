"""Time from the webhook accepted (Stripe gets its 200) to the buyer's e-mail received by an SMTP
server, for article orders with a warm PDF cache, through the real parts: gunicorn (2 workers),
a Celery worker (2 processes) on Redis, PostgreSQL, and an aiosmtpd sink on loopback.

    .venv/bin/python -m bench.fulfil [--orders 50]

Two rounds of the same size: orders paid one after another (each e-mail awaited before the next
payment), then all paid at once by 8 concurrent senders. Needs PostgreSQL and Redis on 127.0.0.1;
creates and drops a database and a queue of its own.
"""

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import stack
from bench.figures import median, percentile, report


def paid_event(order) -> bytes:
    from devstripe import signing

    session = stack.paid_session(order)
    return json.dumps(signing.event("checkout.session.completed", session)).encode()


def deliver(url: str, body: bytes) -> tuple[float, str]:
    """POSTs the event signed now; (monotonic time of the 200, outcome)."""
    from devstripe import signing

    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signing.sign(body, secret=stack.WEBHOOK_SECRET),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
        outcome = json.loads(response.read())["outcome"]
    return time.monotonic(), outcome


def wait_for_mail(sink: stack.SmtpSink, reference: str, *, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.messages():
            if reference in message.subject:
                return message.at
        time.sleep(0.005)
    raise TimeoutError(f"no e-mail for order {reference} within {timeout} s")


def pending_orders(count: int, tag: str) -> list:
    from shop.models import Product
    from shop.orders import services

    products = list(Product.objects.filter(is_active=True, article__isnull=False).order_by("pk"))
    return [
        services.create_order(
            product=products[n % len(products)], email=f"leser{n}.{tag}@example.com"
        )
        for n in range(count)
    ]


def figures(name: str, latencies: list[float]) -> dict:
    return {
        "round": name,
        "orders": len(latencies),
        "p50_s": median(latencies),
        "p95_s": percentile(latencies, 95),
        "min_s": min(latencies),
        "max_s": max(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=50, help="orders per round (default 50)")
    args = parser.parse_args()
    if missing := stack.services_missing():
        sys.exit(f"bench.fulfil needs {' and '.join(missing)}")

    with tempfile.TemporaryDirectory(prefix="bench-fulfil-") as directory:
        sink = stack.SmtpSink().start()
        port = stack.free_port()
        run = stack.Run(
            stack.Database("bench_fulfil").create(),
            Path(directory),
            extra={
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink.port),
                "EMAIL_USE_TLS": "0",
                "SITE_URL": f"http://127.0.0.1:{port}",
            },
        )
        processes = []
        try:
            run.manage("migrate", "--noinput")
            run.manage("load_demo_content")
            run.setup_django()
            from shop.catalog import pdf
            from shop.models import Article

            for article in Article.objects.published():  # the cache is warm, as after publishing
                pdf.article_base_pdf(article, version=pdf.article_content_version(article))
            processes.append(stack.gunicorn(run, port=port, workers=2))
            processes.append(stack.celery_worker(run, concurrency=2).start())
            url = f"http://127.0.0.1:{port}/stripe/webhook/"

            # Warm-up: the worker's processes import and open their connections on first use.
            [warm] = pending_orders(1, "warm")
            deliver(url, paid_event(warm))
            wait_for_mail(sink, warm.reference, timeout=60)

            sequential = []
            for order in pending_orders(args.orders, "one"):
                accepted, outcome = deliver(url, paid_event(order))
                assert outcome == "paid", outcome
                sequential.append(wait_for_mail(sink, order.reference, timeout=60) - accepted)

            orders = pending_orders(args.orders, "burst")
            with ThreadPoolExecutor(8) as senders:
                accepted_at = list(senders.map(lambda o: deliver(url, paid_event(o))[0], orders))
            burst = [
                wait_for_mail(sink, order.reference, timeout=120) - accepted
                for order, accepted in zip(orders, accepted_at, strict=True)
            ]
            mails = len(sink.messages())
        finally:
            for process in processes:
                process.stop()
            sink.stop()
            from django.db import connections

            connections.close_all()
            run.purge_queue()
            run.database.drop()

    rows = [figures("one at a time", sequential), figures("all at once, 8 senders", burst)]
    report(
        "fulfil",
        rows,
        {
            "p50_s": round(rows[0]["p50_s"], 3),
            "p95_s": round(rows[0]["p95_s"], 3),
            "burst_p50_s": round(rows[1]["p50_s"], 3),
            "burst_p95_s": round(rows[1]["p95_s"], 3),
            "emails_received": mails,
            "emails_expected": 1 + 2 * args.orders,
            "target_p50_s": 1.0,
        },
    )
    if mails != 1 + 2 * args.orders:
        sys.exit("e-mails received differ from orders paid")


if __name__ == "__main__":
    main()
