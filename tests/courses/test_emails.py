"""The course e-mails: a lesson with its tasks and the signed link, in text and HTML, and
subjects that keep what staff wrote as it is."""

import re

import pytest

from courses import drip, services
from tests.courses import factories

pytestmark = pytest.mark.django_db


def test_a_lesson_email_has_the_lesson_its_four_tasks_and_the_signed_link(
    enrolment, course, outbox, run_tasks
):
    with run_tasks():
        drip.switch_to_email(enrolment=enrolment, interval_days=1)

    [message] = outbox
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Lektionstext-1" in text
        for n in range(1, 5):
            assert f"Aufgabe {n} zu Lektion 1" in text
        assert re.search(r"http://\S+/lesson-done/[^/\s\"]+/", text)
    assert "[ ] Beispiel aus dem Beruf" in message.body
    why = f"Sie erhalten diese E-Mail, weil Sie den Kurs „{course.title}“ als E-Mail-Kurs gewählt"
    assert why in message.body and why in html
    assert html.index("Aufgabe 4 zu Lektion 1") < html.index(why)


def test_subjects_keep_the_course_and_lesson_titles_as_written(learner, outbox, run_tasks):
    course = factories.course(lessons=1, title="Fragen & Antworten: „live“ <vor Ort>")
    enrolment = services.enrol(learner=learner, course=course)

    with run_tasks():
        drip.switch_to_email(enrolment=enrolment, interval_days=1)
    with run_tasks():
        drip.request_all_remaining(enrolment=enrolment)
    with run_tasks():
        factories.finish_course(enrolment)

    assert [message.subject for message in outbox] == [
        f"{course.title}: Lektion 1 von 1 – Lektion Nummer 1",
        f"{course.title}: Abschlusslektion – Rückblick und nächste Schritte",
        f"Ihr Zertifikat: {course.title}",
    ]
