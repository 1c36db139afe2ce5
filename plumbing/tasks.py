"""Celery tasks: one retry policy, names pinned, started by name.

A task's name is part of the queue's contract: messages already queued and beat's schedule name
it, so it is given explicitly and survives moving the code. Services start tasks by that name
(`enqueue_on_commit`) instead of importing the tasks module, which imports them: so no module a
task runs imports tasks, and there is no import circle to hide.
"""

from celery import current_app, shared_task
from django.db import InterfaceError, OperationalError

# SMTP errors and refused connections are OSErrors; a lost database connection is one of the others.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


def task(name: str, *, retry_on: tuple[type[Exception], ...] = (), **options):
    """A task under its pinned name, retried with backoff for transient errors and `retry_on`,
    acknowledged only when done so that a killed worker's task runs again. The services it
    calls are idempotent."""
    return shared_task(
        name=name,
        autoretry_for=(*TRANSIENT_ERRORS, *retry_on),
        retry_backoff=True,
        retry_backoff_max=600,
        max_retries=12,
        acks_late=True,
        **options,
    )


def periodic_task(name: str):
    """A task beat runs on a schedule: not retried, its next run is the retry."""
    return shared_task(name=name, acks_late=True)


def enqueue_on_commit(name: str, *args) -> None:
    """Starts the task `name` once the current transaction commits (at once outside one), so a
    worker never looks for a row that is not there yet or was rolled back."""
    try:
        registered = current_app.tasks[name]
    except KeyError:
        raise LookupError(
            f"no task {name!r}: its module is imported by its app's ready()"
        ) from None
    registered.delay_on_commit(*args)
