"""The newsletter's tasks keep the names queued messages use, retry an issue until every e-mail
went out, and are started by name: no module a task runs imports them."""

import pytest
from celery import current_app

from newsletter import tasks
from tests.imports import imports_in, modules_importing_tasks
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


def test_every_task_keeps_its_name_and_is_registered():
    assert {name for name in current_app.tasks if name.startswith("newsletter.")} == {
        "newsletter.tasks.send_confirmation_request", "newsletter.tasks.send_issue",
    }  # fmt: skip


def test_an_issue_with_failed_emails_is_retried(issue, mail_server_down):
    factories.subscriber()

    assert issubclass(tasks.IssueIncomplete, tasks.send_issue.autoretry_for)
    with pytest.raises(tasks.IssueIncomplete, match="1 failed, 0 sent"):
        tasks.send_issue.run(issue.pk)


def test_only_the_tasks_admin_and_app_config_import_a_tasks_module():
    assert modules_importing_tasks("newsletter") <= {"newsletter.tasks", "newsletter.apps"}


def test_nothing_is_imported_at_call_time_but_the_tasks_in_ready():
    late = [
        (found.module, found.target) for found in imports_in("newsletter") if found.at_call_time
    ]

    assert late == [("newsletter.apps", "newsletter.tasks")]
