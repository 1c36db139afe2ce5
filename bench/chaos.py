"""Chaos run: the real parts of the shop under duplicate, shuffled and forged webhooks, a worker
killed while it renders and an SMTP relay that goes away; then what must hold, checked.

    .venv/bin/python -m bench.chaos                      # full: 300 orders, ~1,000 events, 2 min
    .venv/bin/python -m bench.chaos --orders 30 --events 100 --outage 15   # what CI runs

Starts gunicorn (2 workers), a Celery worker (2 processes) and Celery beat (the periodic
re-enqueue of unfulfilled orders, every --requeue-every seconds, with FULFILMENT_GRACE_SECONDS
lowered to --grace) on a PostgreSQL database and a Redis queue of the run's own, and an aiosmtpd
sink the shop sends to (EMAIL_HOST/EMAIL_PORT). Creates pending orders for a mix of products
(articles, the text series, a course) and delivers Stripe's events for them from 8 concurrent
senders, paced over --send-window seconds: every paid event at least once, 30 % of events sent
2-4 times, shuffled (so a SEPA payment's async_payment_succeeded may come before its completed),
5 % with a bad signature (another secret, a body changed after signing, a stale timestamp, none,
garbage). Meanwhile the SMTP sink stops for --outage seconds, and during it the worker is
SIGKILLed while a fulfil_order task is in flight and a new one started.

Then it waits for the shop to settle and checks: the paid orders are exactly those with a valid
paying event; every bad signature was answered 400 and stored nothing; one delivery per owed copy
of every paid line; one e-mail per paid order and none for any other; no paid order unfulfilled.
It prints the timeline, the checks as a table and everything as one JSON line, and exits 1 if a
check fails. Loopback only; bounded by --deadline.
"""

import argparse
import io
import json
import random
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench import stack
from bench.figures import report

# What a scenario sends for one order, and what the order must end as.
SCENARIOS = {
    "card": (["checkout.session.completed"], "paid"),
    "sepa": (
        ["checkout.session.completed:unpaid", "checkout.session.async_payment_succeeded"],
        "paid",
    ),
    "sepa failed": (
        ["checkout.session.completed:unpaid", "checkout.session.async_payment_failed"],
        "cancelled",
    ),
    "expired": (["checkout.session.expired"], "cancelled"),
    "forged only": ([], "pending"),
}
SHARES = {"card": 0.6, "sepa": 0.2, "sepa failed": 0.05, "expired": 0.05, "forged only": 0.1}
# Events Stripe also sends to an endpoint subscribed to more than the shop handles: stored, ignored.
NOISE_TYPES = ["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"]
BAD_KINDS = [
    "another secret",
    "body changed after signing",
    "stale timestamp",
    "no signature",
    "garbage header",
]


@dataclass
class Send:
    reference: str
    event_id: str
    type: str
    body: bytes
    bad: str = ""  # which way the signature is bad, "" when valid
    answers: list[int] = field(default_factory=list)
    outcome: str = ""

    def signature(self) -> str | None:
        from devstripe import signing

        secret = stack.WEBHOOK_SECRET
        if self.bad == "another secret":
            return signing.sign(self.body, secret="whsec_not_the_shops")
        if self.bad == "stale timestamp":
            return signing.sign(self.body, secret=secret, timestamp=int(time.time()) - 3600)
        if self.bad == "no signature":
            return None
        if self.bad == "garbage header":
            return "t=now,v1=" + "z" * 64
        return signing.sign(self.body, secret=secret)

    def payload(self) -> bytes:
        if self.bad == "body changed after signing":
            return self.body.replace(b'"amount_total": ', b'"amount_total": 1')
        return self.body


@dataclass
class Plan:
    orders: dict[str, str]  # reference -> scenario
    products: dict[str, str]  # reference -> product kind
    sends: list[Send]

    def expected_status(self, reference: str) -> str:
        return SCENARIOS[self.orders[reference]][1]


def event_body(order, kind: str) -> tuple[str, str, bytes]:
    from devstripe import signing

    if kind in NOISE_TYPES:
        data = signing.fixture("payment_intent" if "payment_intent" in kind else "charge")
        data.update(id=f"pi_{order.reference}", metadata={"order_reference": order.reference})
        event = signing.event(kind, data)
    else:
        type_, _, status = kind.partition(":")
        session = stack.paid_session(
            order, payment_status="unpaid" if status == "unpaid" else "paid"
        )
        if type_ == "checkout.session.expired":
            session.update(status="expired", payment_status="unpaid")
        event = signing.event(type_, session)
    return event["id"], event["type"], json.dumps(event).encode()


def mixed_products() -> list:
    """Articles, the demo text series and a course: what the shop sells, with weights."""
    from shop.models import Product

    products = list(Product.objects.filter(is_active=True, kind="article"))
    products += list(Product.objects.filter(is_active=True, kind="series")) * 2
    products += list(Product.objects.filter(is_active=True, kind="course")) * 2
    return products


def plan(*, orders: int, events: int, rng: random.Random) -> Plan:
    from shop.models import Order
    from shop.orders import services

    products = mixed_products()
    scenarios = [name for name, share in SHARES.items() for _ in range(round(share * orders))]
    scenarios = (scenarios + ["card"] * orders)[:orders]
    rng.shuffle(scenarios)
    by_reference, kinds, unique = {}, {}, []
    for number, scenario in enumerate(scenarios):
        product = products[number % len(products)]
        order = services.create_order(product=product, email=f"kunde{number}@example.com")
        Order.objects.filter(pk=order.pk).update(stripe_session_id=f"cs_test_{order.reference}")
        by_reference[order.reference], kinds[order.reference] = scenario, product.kind
        for kind in SCENARIOS[scenario][0]:
            unique.append((order, kind))
    # Events the shop ignores fill the budget: about 1.6 sends per unique event plus 5 % forged.
    paid = [order for order, kind in unique if kind == "checkout.session.completed"]
    noise = max(0, round(events * 0.95 / 1.6) - len(unique))
    unique += [(rng.choice(paid), rng.choice(NOISE_TYPES)) for _ in range(noise if paid else 0)]

    sends = []
    for order, kind in unique:
        event_id, type_, body = event_body(order, kind)
        copies = rng.randint(2, 4) if rng.random() < 0.3 else 1
        sends += [Send(order.reference, event_id, type_, body) for _ in range(copies)]
    forged_targets = [r for r, s in by_reference.items() if s == "forged only"]
    any_order = list(Order.objects.filter(reference__in=by_reference))
    for number in range(max(round(events * 0.05), len(forged_targets))):
        target = (
            Order.objects.get(reference=forged_targets[number])
            if number < len(forged_targets)
            else rng.choice(any_order)
        )
        event_id, type_, body = event_body(target, "checkout.session.completed")
        sends.append(Send(target.reference, event_id, type_, body, bad=rng.choice(BAD_KINDS)))
    rng.shuffle(sends)
    return Plan(by_reference, kinds, sends)


def async_before_completed(plan: Plan) -> int:
    """SEPA orders whose async_payment_succeeded is sent before any of their completed events."""
    first: dict[tuple[str, str], int] = {}
    for position, send in enumerate(plan.sends):
        if not send.bad:
            first.setdefault((send.reference, send.type), position)
    return sum(
        1
        for reference, scenario in plan.orders.items()
        if scenario == "sepa"
        and first[(reference, "checkout.session.async_payment_succeeded")]
        < first[(reference, "checkout.session.completed")]
    )


def deliver(url: str, send: Send) -> None:
    """Sends once; answers of 5xx or a failed connection are retried, as Stripe retries them."""
    for attempt in range(6):
        headers = {"Content-Type": "application/json"}
        if (signature := send.signature()) is not None:
            headers["Stripe-Signature"] = signature
        request = urllib.request.Request(url, data=send.payload(), method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                send.answers.append(response.status)
                send.outcome = json.loads(response.read()).get("outcome", "")
                return
        except urllib.error.HTTPError as error:
            send.answers.append(error.code)
            if error.code < 500:
                return
        except OSError:
            send.answers.append(0)
        time.sleep(0.5 * 2**attempt)


class WorkerLog:
    """Which Celery tasks a worker has received and not yet finished, from its INFO log."""

    RECEIVED = re.compile(r"Task (\S+)\[([0-9a-f-]+)\] received")
    FINISHED = re.compile(r"Task (\S+)\[([0-9a-f-]+)\] (succeeded|retry|raised)")

    def __init__(self, process: stack.Process) -> None:
        self.process = process

    def in_flight(self) -> list[str]:
        text = self.process.output()
        names = {task_id: name for name, task_id in self.RECEIVED.findall(text)}
        for _name, task_id, _ in self.FINISHED.findall(text):
            names.pop(task_id, None)
        return sorted(names.values())


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    marks: list[tuple[float, str]] = field(default_factory=list)

    def mark(self, text: str) -> None:
        at = time.monotonic() - self.started
        self.marks.append((round(at, 1), text))
        print(f"[{at:6.1f} s] {text}", flush=True)


def chaos(args, run: stack.Run, sink: stack.SmtpSink, url: str, plan_: Plan, timeline: Timeline):
    """Sends the plan while the SMTP sink goes away and the worker is killed mid-render."""
    worker = stack.celery_worker(run, name="worker-1").start()
    processes = {"worker": worker}
    interval = args.send_window / max(1, len(plan_.sends))
    begin = time.monotonic()
    queue = iter(enumerate(plan_.sends))
    lock = threading.Lock()

    def sender() -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            number, send = item
            time.sleep(max(0.0, begin + number * interval - time.monotonic()))
            deliver(url, send)

    killed = {}
    with ThreadPoolExecutor(args.senders) as senders:
        futures = [senders.submit(sender) for _ in range(args.senders)]
        timeline.mark(f"sending {len(plan_.sends)} webhook requests from {args.senders} senders")
        time.sleep(args.send_window * 0.2)
        sink.stop()
        timeline.mark(f"SMTP sink stopped for {args.outage} s")
        outage_ends = time.monotonic() + args.outage
        # SIGKILL while a fulfil_order (render and stamp) is in flight, with the relay down, so a
        # killed e-mail can never have reached it.
        log = WorkerLog(worker)
        while time.monotonic() < outage_ends - 2:
            if "shop.tasks.fulfil_order" in (flying := log.in_flight()):
                break
            time.sleep(0.02)
        worker.kill()
        killed = {"tasks_in_flight": flying, "rendering": "shop.tasks.fulfil_order" in flying}
        timeline.mark(f"worker SIGKILLed; in flight: {Counter(flying) or 'nothing'}")
        processes["worker"] = stack.celery_worker(run, name="worker-2").start()
        timeline.mark("new worker ready")
        time.sleep(max(0.0, outage_ends - time.monotonic()))
        sink.start()
        timeline.mark("SMTP sink back")
        for future in futures:
            future.result()
        timeline.mark("all webhook requests answered")
    return processes, killed


def settle(args, plan_: Plan, sink: stack.SmtpSink, timeline: Timeline) -> bool:
    """Waits until every order that must be paid is fulfilled and its e-mail arrived."""
    from django.db import close_old_connections

    from shop.models import Order

    expected = {r for r in plan_.orders if plan_.expected_status(r) == "paid"}
    deadline = time.monotonic() + args.deadline
    while time.monotonic() < deadline:
        close_old_connections()
        fulfilled = set(
            Order.objects.filter(reference__in=expected, fulfilled_at__isnull=False).values_list(
                "reference", flat=True
            )
        )
        mailed = {r for r in expected if any(r in m.subject for m in sink.messages())}
        if fulfilled == expected and mailed == expected:
            timeline.mark(f"settled: {len(expected)} paid orders fulfilled and e-mailed")
            # Long enough for a requeue round and the retries already scheduled to run out.
            time.sleep(args.quiet)
            timeline.mark(f"quiet for {args.quiet} s")
            return True
        time.sleep(0.5)
    timeline.mark("deadline passed before the shop settled")
    return False


def checks(plan_: Plan, sink: stack.SmtpSink) -> list[dict]:
    from django.db import close_old_connections
    from django.db.models import F

    from courses.models import Enrolment
    from shop.models import Delivery, Order, OrderLine, StripeEvent
    from shop.orders import fulfilment

    close_old_connections()
    statuses = dict(
        Order.objects.filter(reference__in=plan_.orders).values_list("reference", "status")
    )
    paid = {r for r, status in statuses.items() if status == "paid"}
    expected_paid = {r for r in plan_.orders if plan_.expected_status(r) == "paid"}
    wrong_status = [r for r in plan_.orders if statuses[r] != plan_.expected_status(r)]
    bad = [s for s in plan_.sends if s.bad]
    valid = [s for s in plan_.sends if not s.bad]
    stored = set(StripeEvent.objects.values_list("event_id", flat=True))
    mails = Counter()
    for message in sink.messages():
        for reference in plan_.orders:
            if reference in message.subject:
                mails[reference] += 1
    copies, rows_per_copy, failed = 0, Counter(), 0
    for line in OrderLine.objects.filter(order__reference__in=paid).select_related(
        "product__article", "product__series", "order"
    ):
        for copy in fulfilment.copies_owed(line):
            copies += 1
            rows_per_copy[
                Delivery.objects.filter(
                    order_line=line,
                    product=copy.product,
                    content_version=copy.version,
                    status=Delivery.Status.RENDERED,
                ).count()
            ] += 1
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED).count()
    paid_lines = OrderLine.objects.filter(order__reference__in=paid)
    entitled = paid_lines.filter(
        entitlements__product=F("product"), entitlements__revoked_at__isnull=True
    ).distinct()
    course_lines = paid_lines.filter(product__kind="course").select_related("order", "product")
    enrolled = sum(
        Enrolment.objects.filter(
            learner=line.order.buyer_id, course=line.product.course_id, ended_at__isnull=True
        ).count()
        for line in course_lines
    )
    unfulfilled = Order.objects.filter(status="paid", fulfilled_at__isnull=True).count()

    def row(check: str, expected, actual) -> dict:
        return {"check": check, "expected": expected, "actual": actual, "ok": expected == actual}

    return [
        row("paid orders = orders with a valid paying event", len(expected_paid), len(paid)),
        row("orders whose final status differs from their events", 0, len(wrong_status)),
        row(
            "bad signatures answered 400 (all of them)",
            len(bad),
            sum(1 for s in bad if s.answers == [400]),
        ),
        row("events with a bad signature stored", 0, len({s.event_id for s in bad} & stored)),
        row(
            "valid requests answered 200 at the first try",
            len(valid),
            sum(1 for s in valid if s.answers == [200]),
        ),
        row("valid events stored once each", len({s.event_id for s in valid}), len(stored)),
        row("delivery rows per owed copy of a paid line = 1", copies, rows_per_copy[1]),
        row("failed delivery rows left", 0, failed),
        row("paid lines with their entitlement", paid_lines.count(), entitled.count()),
        row("enrolments per paid course line = 1", course_lines.count(), enrolled),
        row(
            "e-mails received per paid order = 1", len(paid), sum(1 for r in paid if mails[r] == 1)
        ),
        row("e-mails for orders not paid", 0, sum(mails[r] for r in plan_.orders if r not in paid)),
        row("paid orders not fulfilled", 0, unfulfilled),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--events", type=int, default=1000, help="webhook requests, about")
    parser.add_argument("--outage", type=float, default=120, help="seconds the SMTP sink is down")
    parser.add_argument(
        "--send-window",
        type=float,
        help="seconds to spread the requests over (default: half the outage plus 10)",
    )
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--grace", type=int, help="FULFILMENT_GRACE_SECONDS (default outage/4)")
    parser.add_argument("--requeue-every", type=float, help="beat interval (default grace/2)")
    parser.add_argument(
        "--quiet",
        type=float,
        help="seconds to wait after settling for "
        "duplicates to show (default: grace + requeue interval)",
    )
    parser.add_argument("--deadline", type=float, default=600, help="seconds to settle, at most")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    args.send_window = args.send_window or args.outage / 2 + 10
    args.grace = args.grace or max(5, round(args.outage / 4))
    args.requeue_every = args.requeue_every or max(2.0, args.grace / 2)
    args.quiet = args.quiet if args.quiet is not None else args.grace + args.requeue_every
    if missing := stack.services_missing():
        sys.exit(f"bench.chaos needs {' and '.join(missing)}")

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-chaos-") as directory:
        sink = stack.SmtpSink().start()
        port = stack.free_port()
        run = stack.Run(
            stack.Database("bench_chaos").create(),
            Path(directory),
            extra={
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink.port),
                "EMAIL_USE_TLS": "0",
                "SITE_URL": f"http://127.0.0.1:{port}",
                "FULFILMENT_GRACE_SECONDS": str(args.grace),
                "REQUEUE_INTERVAL_SECONDS": str(args.requeue_every),
            },
        )
        processes: dict[str, stack.Process] = {}
        timeline = Timeline()
        try:
            run.manage("migrate", "--noinput")
            run.manage("load_demo_content")
            run.setup_django()
            add_course_product()
            plan_ = plan(orders=args.orders, events=args.events, rng=rng)
            timeline.mark(
                f"{len(plan_.orders)} pending orders, {len(plan_.sends)} requests planned"
            )
            processes["gunicorn"] = stack.gunicorn(run, port=port, workers=2)
            processes["beat"] = stack.celery_beat(run).start()
            started, killed = chaos(
                args, run, sink, f"http://127.0.0.1:{port}/stripe/webhook/", plan_, timeline
            )
            processes.update(started)
            settled = settle(args, plan_, sink, timeline)
            rows = checks(plan_, sink)
        finally:
            for process in processes.values():
                process.stop()
            sink.stop()
            from django.db import connections

            connections.close_all()
            run.purge_queue()
            run.database.drop()

    sends = plan_.sends
    ok = settled and all(row["ok"] for row in rows)
    report(
        "chaos",
        rows,
        {
            "ok": ok,
            "orders": len(plan_.orders),
            "orders_by_scenario": dict(Counter(plan_.orders.values())),
            "orders_by_product": dict(Counter(plan_.products.values())),
            "requests": len(sends),
            "unique_valid_events": len({s.event_id for s in sends if not s.bad}),
            "events_sent_2_to_4_times": sum(
                1 for n in Counter(s.event_id for s in sends if not s.bad).values() if n > 1
            ),
            "bad_signatures": dict(Counter(s.bad for s in sends if s.bad)),
            "sepa_async_before_completed": async_before_completed(plan_),
            "requests_by_type": dict(Counter(s.type for s in sends)),
            "outcomes": dict(Counter(s.outcome for s in sends if s.outcome)),
            "server_errors": sum(1 for s in sends for a in s.answers if a >= 500 or a == 0),
            "smtp_outage_s": args.outage,
            "worker_killed": killed,
            "fulfilment_grace_s": args.grace,
            "requeue_every_s": args.requeue_every,
            "emails_received": len(sink.messages()),
            "settled": settled,
            "timeline": timeline.marks,
        },
    )
    return 0 if ok else 1


def add_course_product() -> None:
    """The demo course, for sale: the chaos mix includes a course (enrolment, no PDF)."""
    from django.core.management import call_command

    from courses.models import Course
    from shop.models import Product

    call_command("load_demo_course", stdout=io.StringIO())
    for course in Course.objects.published():
        Product.objects.get_or_create(
            kind="course",
            course=course,
            defaults={
                "name": f"eCourse {course.title}",
                "price_cents": 4900,
            },
        )


if __name__ == "__main__":
    sys.exit(main())
