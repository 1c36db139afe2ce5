"""The newsletter's Celery tasks, under the names queued messages know them by: ids in, one
service call, done. The services are idempotent."""

from newsletter import services
from plumbing.tasks import task


class IssueIncomplete(Exception):
    """Some e-mails of an issue failed; the retry sends only those."""


@task("newsletter.tasks.send_confirmation_request")
def send_confirmation_request(subscriber_id: int) -> str:
    return services.send_confirmation_request(subscriber_id=subscriber_id)


@task("newsletter.tasks.send_issue", retry_on=(IssueIncomplete,))
def send_issue(issue_id: int) -> int:
    sent, failed = services.send_issue(issue_id=issue_id)
    if failed:
        raise IssueIncomplete(f"issue {issue_id}: {failed} failed, {sent} sent")
    return sent
