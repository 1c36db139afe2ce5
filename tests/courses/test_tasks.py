"""The courses' tasks keep the names queued messages and beat's schedule use, follow the one
retry policy, and are started by name: no module a task runs imports them."""

from celery import current_app
from django.conf import settings

from courses import tasks
from tests.imports import imports_in, modules_importing_tasks

NAMES = {
    "courses.tasks.send_due_lessons", "courses.tasks.send_due_lesson",
    "courses.tasks.send_remaining_lessons", "courses.tasks.deliver_certificate",
    "courses.tasks.send_certificate_email", "courses.tasks.prerender_course_pdf",
}  # fmt: skip


def test_every_task_keeps_its_name_and_is_registered_without_a_worker():
    assert {name for name in current_app.tasks if name.startswith("courses.")} == NAMES
    assert tasks.send_due_lesson.name == "courses.tasks.send_due_lesson"


def test_beat_finds_the_lesson_task_it_runs():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "courses.tasks.send_due_lessons" in scheduled & set(current_app.tasks)


def test_a_task_is_retried_when_the_mail_server_is_down_and_beat_runs_again_instead():
    assert issubclass(ConnectionRefusedError, tasks.send_certificate_email.autoretry_for)
    assert tasks.send_certificate_email.acks_late
    assert not getattr(tasks.send_due_lessons, "autoretry_for", ())


def test_only_the_tasks_admin_and_app_config_import_a_tasks_module():
    assert modules_importing_tasks("courses") <= {"courses.tasks", "courses.admin", "courses.apps"}


def test_nothing_is_imported_at_call_time_but_the_tasks_in_ready():
    late = [(found.module, found.target) for found in imports_in("courses") if found.at_call_time]

    assert late == [("courses.apps", "courses.tasks")]
