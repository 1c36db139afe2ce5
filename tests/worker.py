"""`with worker_runs():` runs in this process what the block enqueues after commit, as the worker
would: for helpers that are no fixtures (conftest's `run_tasks` is the same for a test)."""

from contextlib import contextmanager

from django.test import TestCase

from config.celery_app import app as celery_app


@contextmanager
def worker_runs():
    conf = celery_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = before
