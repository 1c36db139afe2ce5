"""Celery tasks: ids in, one service call, done. The services are idempotent."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# SMTP errors and refused connections are OSErrors; a lost database connection is one of the others.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)
RETRY = {"retry_backoff": True, "retry_backoff_max": 600, "max_retries": 12, "acks_late": True}


class IssueIncomplete(Exception):
    """Some e-mails of an issue failed; the retry sends only those."""


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def send_confirmation_request(subscriber_id: int) -> str:
    from newsletter import services

    return services.send_confirmation_request(subscriber_id=subscriber_id)


@shared_task(autoretry_for=(*TRANSIENT_ERRORS, IssueIncomplete), **RETRY)
def send_issue(issue_id: int) -> int:
    from newsletter import services

    sent, failed = services.send_issue(issue_id=issue_id)
    if failed:
        raise IssueIncomplete(f"issue {issue_id}: {failed} failed, {sent} sent")
    return sent
