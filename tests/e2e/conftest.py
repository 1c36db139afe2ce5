import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import ROOT, database_url


class Worker:
    """A real `celery worker` process on a queue of its own, with its log to read."""

    def __init__(self, *, queue: str, env: dict[str, str], log: Path) -> None:
        self.queue, self.env, self.log = queue, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--queues", self.queue, "--loglevel", "INFO", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.wait_for_log("ready.", timeout=60)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.read_text(errors="replace").count(text) >= count:
                return
            if self.process and self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(
            f"worker log has no {text!r} x{count}:\n{self.log.read_text()[-3000:]}"
        )


@pytest.fixture
def mail_folder(settings, tmp_path):
    """The shop's embedded mail backend, one .eml file per message, for web and worker alike."""
    folder = tmp_path / "mail"
    settings.EMAIL_BACKEND = "config.email_backends.EmlFolderBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return folder


@pytest.fixture
def worker(live_server, mail_folder, media_root, tmp_path, settings):
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_QUEUE": queue,
        "EMAIL_FILE_PATH": str(mail_folder),
        "MEDIA_ROOT": str(media_root),
        "SITE_URL": live_server.url,
    }
    process = Worker(queue=queue, env=env, log=tmp_path / "worker.log")
    process.start()
    yield process
    process.stop()
