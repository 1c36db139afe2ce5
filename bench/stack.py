"""The running parts of the shop, started for a benchmark or the chaos run and stopped after it:
a PostgreSQL database of the run's own, gunicorn, Celery worker and beat processes on a queue of
the run's own in Redis, and an SMTP sink. Everything listens and connects on 127.0.0.1 only.

Each process is started in a session of its own, so stopping or killing it reaches its children
(gunicorn's and Celery's pool processes) and nothing else.
"""

import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
# A database number of its own, so runs never meet the tests' or a developer's queues.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
WEBHOOK_SECRET = "whsec_bench"


def paid_session(order, **overrides) -> dict:
    """The checkout.session Stripe sends once `order` is paid (see devstripe.signing)."""
    from devstripe import signing

    return signing.completed_session(
        reference=order.reference, amount=order.total_cents, currency=order.currency,
        email=order.email, id=f"cs_test_{order.reference}", **overrides,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def services_missing() -> list[str]:
    """PostgreSQL and Redis, as the runs expect them; empty when both answer."""
    missing = []
    if not reachable("127.0.0.1", 5432):
        missing.append("PostgreSQL on 127.0.0.1:5432")
    if not reachable("127.0.0.1", 6379):
        missing.append("Redis on 127.0.0.1:6379")
    return missing


class Database:
    """A PostgreSQL database created for one run and dropped after it."""

    def __init__(self, prefix: str) -> None:
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.url = f"{POSTGRES_URL}/{self.name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> "Database":
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class Run:
    """What all processes of one run share: database, queue, folders and environment."""

    database: Database
    directory: Path
    queue: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:8]}")
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": self.database.url,
            # Persistent connections, as a production deployment would set.
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "VAR_DIR": str(self.directory / "var"),
            "MEDIA_ROOT": str(self.directory / "media"),
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **self.extra,
        }

    def setup_django(self) -> None:
        """Django in this process, on the run's database, for creating orders and reading them."""
        os.environ.update(self.env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 (this interpreter, the project's manage.py)
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def purge_queue(self) -> None:
        """Drops the run's queue and what a killed worker left unacknowledged for it, so nothing
        of this run is ever redelivered to anyone."""
        import json

        import redis

        client = redis.Redis.from_url(REDIS_URL)
        client.delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
        )
        for tag, raw in client.hscan_iter("unacked"):
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == self.queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        client.close()


class Process:
    """A child process in a session of its own, its output in a log file."""

    def __init__(self, name: str, command: list[str], *, run: Run, ready: str | None = None):
        self.name, self.command, self.run, self.ready = name, command, run, ready
        self.log = run.directory / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> "Process":
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        self.popen = subprocess.Popen(  # noqa: S603 (commands of this module)
            self.command,
            cwd=ROOT,
            env=self.run.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.ready:
            self.wait_for_log(self.ready, timeout=timeout)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")[self.log_offset :] if self.log.exists() else ""

    def wait_for_log(self, text: str, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not log {text!r}:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the process and its children, as the kernel's OOM killer or a pulled plug."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self, *, timeout: float = 20) -> None:
        if not self.popen or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def gunicorn(run: Run, *, port: int, workers: int = 2) -> Process:
    process = Process(
        "gunicorn",
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        run=run,
    )
    process.start()
    wait_for_http(f"http://127.0.0.1:{port}/bench/bare/", process=process)
    return process


def celery_worker(run: Run, *, name: str = "worker", concurrency: int = 2) -> Process:
    return Process(
        name,
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--queues",
            run.queue,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        run=run,
        ready="ready.",
    )


def celery_beat(run: Run) -> Process:
    return Process(
        "beat",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(run.directory / "beat-schedule"),
        ],
        run=run,
        ready="beat: Starting",
    )


def wait_for_http(url: str, *, process: Process | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback only)
                return
        except OSError:
            if process and process.popen.poll() is not None:
                break
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer:\n{process.output()[-3000:] if process else ''}")


@dataclass(frozen=True)
class ReceivedMail:
    at: float  # time.monotonic() on arrival
    to: str
    subject: str
    size: int


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps what arrives; it can be stopped and started again
    on the same port, as a mail relay that goes away for a while."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(
                ReceivedMail(
                    time.monotonic(),
                    ",".join(envelope.rcpt_tos),
                    str(message["Subject"]),
                    len(envelope.content),
                )
            )
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, data_size_limit=50 * 2**20
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.received)
