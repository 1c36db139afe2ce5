"""The e-mail course: beat sends the next lesson when due, exactly once per lesson and learner."""

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.utils import timezone

from courses import drip, services, tasks
from courses.models import Enrolment, LessonEmail
from tests.courses import factories
from tests.processes import ROOT, database_url

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.get_fixed_timezone(60))


def beat_over(days: int, *, start=START, runs_per_day: int = 2) -> None:
    """Beat, twice a day-tick, one minute after each due time, for `days` days."""
    for day in range(days):
        with time_machine.travel(start + timedelta(days=day, minutes=1), tick=False):
            for _ in range(runs_per_day):
                tasks.send_due_lessons()


def email_course(enrolment, interval=Enrolment.Interval.DAILY, *, at=START):
    with time_machine.travel(at, tick=False):
        return drip.switch_to_email(enrolment=enrolment, interval_days=interval)


def lesson_subjects(outbox):
    return [message.subject.split(": ", 1)[1] for message in outbox]


def test_a_course_of_30_lessons_ends_after_31_emails(learner, outbox):
    course = factories.course(lessons=30)
    enrolment = email_course(services.enrol(learner=learner, course=course))

    beat_over(45, runs_per_day=3)

    assert len(outbox) == 31
    subjects = lesson_subjects(outbox)
    assert subjects[0] == "Lektion 1 von 30 – Lektion Nummer 1"
    assert subjects[29] == "Lektion 30 von 30 – Lektion Nummer 30"
    assert subjects[30] == "Abschlusslektion – Rückblick und nächste Schritte"
    assert len(set(subjects)) == 31
    assert {message.to[0] for message in outbox} == {"lea@example.com"}
    assert LessonEmail.objects.filter(enrolment=enrolment).count() == 31
    enrolment.refresh_from_db()
    assert enrolment.next_email_due_at is None


def test_lessons_go_out_daily_every_other_day_or_weekly(outbox):
    course = factories.course(lessons=10)
    for interval, email in [
        (1, "daily@example.com"),
        (2, "second@example.com"),
        (7, "weekly@example.com"),
    ]:
        email_course(services.enrol(learner=factories.learner(email), course=course), interval)

    beat_over(14)

    assert Counter(message.to[0] for message in outbox) == {
        "daily@example.com": 11, "second@example.com": 7, "weekly@example.com": 2,
    }  # fmt: skip


def test_the_hour_of_day_does_not_drift_and_missed_days_do_not_flood(enrolment, outbox):
    email_course(enrolment)
    beat_over(1)  # lesson 1 at 08:01
    enrolment.refresh_from_db()
    assert enrolment.next_email_due_at == START + timedelta(days=1)

    # Beat was down for three days: one lesson now, the next a day later, not three at once.
    beat_over(1, start=START + timedelta(days=4, hours=5))
    enrolment.refresh_from_db()
    assert len(outbox) == 2
    assert enrolment.next_email_due_at == START + timedelta(days=5, hours=5, minutes=1)


def test_lessons_done_online_are_not_emailed(enrolment, course, outbox):
    one, two, three = factories.regular_lessons(course)
    services.complete_lesson(enrolment=enrolment, lesson=one)
    services.complete_lesson(enrolment=enrolment, lesson=three)
    email_course(enrolment)

    beat_over(10)

    assert lesson_subjects(outbox) == [
        "Lektion 2 von 3 – Lektion Nummer 2",
        "Abschlusslektion – Rückblick und nächste Schritte",
    ]


def test_pause_stops_and_resume_continues_the_course(enrolment, outbox):
    email_course(enrolment)
    beat_over(2)
    assert len(outbox) == 2
    with time_machine.travel(START + timedelta(days=1, hours=2), tick=False):
        drip.pause(enrolment=enrolment)

    beat_over(5, start=START + timedelta(days=2))
    assert len(outbox) == 2

    with time_machine.travel(START + timedelta(days=7), tick=False):
        drip.resume(enrolment=enrolment)
    beat_over(10, start=START + timedelta(days=7))
    assert len(outbox) == 4
    assert lesson_subjects(outbox)[2] == "Lektion 3 von 3 – Lektion Nummer 3"


def test_send_all_remaining_sends_the_rest_at_once_and_beat_adds_nothing(
    enrolment, outbox, run_tasks
):
    email_course(enrolment)
    beat_over(1)

    with time_machine.travel(START + timedelta(hours=3), tick=False), run_tasks():
        drip.request_all_remaining(enrolment=enrolment)

    assert len(outbox) == 4
    beat_over(10)
    assert len(outbox) == 4


def test_starting_the_email_course_sends_the_next_lesson_right_away(enrolment, outbox, run_tasks):
    with run_tasks():
        drip.switch_to_email(enrolment=enrolment, interval_days=2)

    assert lesson_subjects(outbox) == ["Lektion 1 von 3 – Lektion Nummer 1"]
    enrolment.refresh_from_db()
    assert enrolment.is_email_course and enrolment.email_interval_days == 2


def test_switching_back_online_stops_the_emails(enrolment, outbox):
    email_course(enrolment)
    beat_over(1)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        drip.switch_to_online(enrolment=enrolment)

    beat_over(10)

    assert len(outbox) == 1


def test_a_failed_send_releases_the_claim_and_the_next_run_sends_it(
    enrolment, outbox, mail_server_down, settings
):
    email_course(enrolment)

    beat_over(1)
    assert not LessonEmail.objects.exists() and outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    beat_over(1)
    assert lesson_subjects(outbox) == ["Lektion 1 von 3 – Lektion Nummer 1"]


def test_a_lesson_is_claimed_once_per_enrolment(enrolment, course):
    lesson = factories.regular_lessons(course)[0]
    LessonEmail.objects.create(enrolment=enrolment, lesson=lesson, sent_at=timezone.now())

    with pytest.raises(IntegrityError):
        LessonEmail.objects.create(enrolment=enrolment, lesson=lesson, sent_at=timezone.now())


def test_an_ended_enrolment_gets_no_more_lessons(enrolment, learner, course, outbox):
    email_course(enrolment)
    services.end_enrolment(learner=learner, course=course)

    beat_over(5)

    assert outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_beat_processes_at_once_send_each_lesson_once(tmp_path):
    course = factories.course(lessons=30)
    learners = [factories.learner(f"parallel{n}@example.com") for n in range(4)]
    for learner in learners:
        email_course(services.enrol(learner=learner, course=course))
    mail = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url(),
        "EMAIL_FILE_PATH": str(mail),
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.pop("EMAIL_HOST", None)
    go = tmp_path / "go"
    command = [sys.executable, "-m", "tests.courses.drip_runner", START.isoformat(), "36", str(go)]
    beats = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = [beat.communicate(timeout=300) for beat in beats]

    assert [beat.returncode for beat in beats] == [0, 0], [err for _, err in outputs]
    # Each process counts what it sent; together exactly one e-mail per lesson and learner.
    per_process = [int(out.split()[-1]) for out, _ in outputs]
    assert sum(per_process) == 4 * 31
    if connection.vendor == "postgresql":
        # Row locks let both work at once; this shows the runs really overlapped. (SQLite locks
        # the whole database per transaction, and one process tends to hold it throughout, so
        # there the other's runs mostly find nothing due: still no lesson twice.)
        assert min(per_process) > 0, per_process
    messages = [
        message_from_bytes(f.read_bytes(), policy=policy.default) for f in mail.glob("*.eml")
    ]
    sent = Counter((message["To"], message["Subject"]) for message in messages)
    assert len(messages) == 4 * 31
    assert set(sent.values()) == {1}
    assert LessonEmail.objects.count() == 4 * 31
