"""Requests per second and p99 latency of the shop under gunicorn (2 workers) on loopback: a bare
Django view (the floor, from bench/urls.py), the catalog page and the Stripe webhook receiving
validly signed copies of an event it has already processed (Stripe's retries), in one run.

    .venv/bin/python -m bench.web [--rounds 5] [--duration 4] [--connections 4]

The machine's speed drifts by more than the differences measured here, so the three endpoints
take turns: each round measures all three within seconds, each round gives its own ratios, and
the figures are the medians over the rounds, with the lowest and highest ratio beside them.

Needs PostgreSQL and Redis on 127.0.0.1 (it creates, migrates and drops a database of its own,
with the demo catalog loaded) and wrk, which it installs from Debian's packages when missing.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench import stack
from bench.figures import median, report

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        print("Installing wrk from Debian's packages", file=sys.stderr)
        subprocess.run(  # noqa: S603
            [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
            stdout=subprocess.DEVNULL,
        )
    return shutil.which("wrk")


def wrk(url: str, *, seconds: int, connections: int, script: Path | None = None) -> dict:
    command = [
        ensure_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(  # noqa: S603 (wrk, on loopback)
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_s": rps,
        "p99_ms": float(value) * UNITS[unit],
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def paying_event() -> bytes:
    """A checkout.session.completed for a pending order of the demo catalog, as Stripe sends it."""
    from devstripe import signing
    from shop.models import Product
    from shop.orders import services

    order = services.create_order(
        product=Product.objects.filter(is_active=True).first(), email="leser@example.com"
    )
    session = stack.paid_session(order)
    return json.dumps(signing.event("checkout.session.completed", session)).encode()


def post_script(directory: Path, body: bytes) -> Path:
    """A wrk script that POSTs `body` signed now, as Stripe signs it (valid for 5 minutes)."""
    from devstripe import signing

    (directory / "event.json").write_bytes(body)
    script = directory / "webhook.lua"
    script.write_text(
        f'wrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Stripe-Signature"] = "{signing.sign(body, secret=stack.WEBHOOK_SECRET)}"\n'
        f'local file = io.open("{directory / "event.json"}", "rb")\n'
        f'wrk.body = file:read("*a")\nfile:close()\n'
    )
    return script


def post(url: str, body: bytes) -> dict:
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
        return json.loads(response.read())


def summarise(name: str, figures: list[dict], bare: list[dict]) -> dict:
    """One endpoint over all rounds; each round's ratio is to the bare view of the same round."""
    ratios = [
        one["requests_per_s"] / floor["requests_per_s"]
        for one, floor in zip(figures, bare, strict=True)
    ]
    return {
        "endpoint": name,
        "requests_per_s": median([one["requests_per_s"] for one in figures]),
        "p99_ms": median([one["p99_ms"] for one in figures]),
        "non_2xx": sum(one["non_2xx"] for one in figures),
        "socket_errors": "; ".join(one["socket_errors"] for one in figures if one["socket_errors"]),
        "ratio_to_bare": round(median(ratios), 2),
        "lowest_ratio": round(min(ratios), 2),
        "highest_ratio": round(max(ratios), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of all three (default 5)")
    parser.add_argument(
        "--duration", type=int, default=4, help="seconds per endpoint and round (default 4)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    parser.add_argument(
        "--connections", type=int, default=4, help="concurrent connections (default 4)"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DB_CONN_MAX_AGE of the app: 60 (default, as deployed) keeps connections; "
        "0 opens one per request",
    )
    args = parser.parse_args()
    if missing := stack.services_missing():
        sys.exit(f"bench.web needs {' and '.join(missing)}")
    ensure_wrk()

    with tempfile.TemporaryDirectory(prefix="bench-web-") as directory:
        run = stack.Run(
            stack.Database("bench_web").create(),
            Path(directory),
            extra={"DB_CONN_MAX_AGE": str(args.conn_max_age)},
        )
        web = None
        try:
            run.manage("migrate", "--noinput")
            run.manage("load_demo_content")
            run.setup_django()
            body = paying_event()
            port = stack.free_port()
            web = stack.gunicorn(run, port=port, workers=2)
            base = f"http://127.0.0.1:{port}"
            first = post(f"{base}/stripe/webhook/", body)
            assert first["outcome"] == "paid", first
            assert post(f"{base}/stripe/webhook/", body)["outcome"] == "duplicate"

            targets = [
                ("bare Django view", f"{base}/bench/bare/", None),
                ("catalog page", f"{base}/", None),
                ("webhook, signed duplicate", f"{base}/stripe/webhook/", body),
            ]

            def measure(url: str, payload: bytes | None, seconds: int) -> dict:
                # Signed afresh each time: a Stripe signature holds for five minutes.
                script = post_script(Path(directory), payload) if payload else None
                return wrk(url, seconds=seconds, connections=args.connections, script=script)

            for _name, url, payload in targets:
                measure(url, payload, args.warmup)
            rounds = [
                [measure(url, payload, args.duration) for _name, url, payload in targets]
                for _ in range(args.rounds)
            ]
            rows = [
                summarise(name, [one[i] for one in rounds], [one[0] for one in rounds])
                for i, (name, _url, _payload) in enumerate(targets)
            ]
            from shop.models import StripeEvent

            assert StripeEvent.objects.count() == 1, "a duplicate was stored"
        finally:
            if web:
                web.stop()
            from django.db import connections

            connections.close_all()
            run.purge_queue()
            run.database.drop()

    report(
        "web",
        rows,
        {
            "gunicorn_workers": 2,
            "db_conn_max_age": args.conn_max_age,
            "connections": args.connections,
            "rounds": args.rounds,
            "seconds_per_endpoint_and_round": args.duration,
            "catalog_ratio": rows[1]["ratio_to_bare"],
            "webhook_ratio": rows[2]["ratio_to_bare"],
            "target_catalog_ratio": 0.4,
            "target_webhook_ratio": 0.5,
        },
    )
    if any(row["non_2xx"] for row in rows):
        sys.exit("some requests did not answer 2xx")


if __name__ == "__main__":
    main()
