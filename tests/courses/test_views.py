"""Learning online: the lesson list with its progress bar, the lesson page with its four tasks,
the e-mail course controls, and query counts that do not grow with the course."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from courses.models import Certificate, Enrolment, TaskProgress
from tests.courses import factories

pytestmark = pytest.mark.django_db


def lesson_url(course, lesson):
    return f"/courses/{course.slug}/learn/{lesson.pk}/"


def work_data(lesson, *, done=(), answers=None, **extra):
    data = dict(extra)
    for task in lesson.tasks.all():
        if task.position in done:
            data[f"done-{task.pk}"] = "on"
        data[f"answer-{task.pk}"] = (answers or {}).get(task.position, "")
    return data


def test_the_lesson_list_shows_every_lesson_and_the_progress_bar(signed_in, enrolment, course):
    services.complete_lesson(enrolment=enrolment, lesson=factories.regular_lessons(course)[0])

    page = signed_in.get(course.get_absolute_url()).content.decode()

    assert course.get_absolute_url() == f"/courses/{course.slug}/learn/"
    assert '<progress max="13" value="4"' in page
    assert "4 von 13 Aufgaben erledigt (31 %)" in page
    for n in (1, 2, 3):
        assert f"Lektion {n}: Lektion Nummer {n}" in page
    assert "✓ erledigt" in page
    assert "öffnet sich, wenn alle Lektionen erledigt sind" in page


def test_the_learner_ticks_tasks_and_writes_answers_that_stay_editable(
    signed_in, enrolment, course
):
    lesson = factories.regular_lessons(course)[0]
    url = lesson_url(course, lesson)
    page = signed_in.get(url).content.decode()
    assert "Lektionstext-1" in page and page.count('class="task') == 4

    response = signed_in.post(url, work_data(lesson, done=[1], answers={2: "Drei Beispiele"}))
    assert response.status_code == 302 and response["Location"] == url
    page = signed_in.get(url).content.decode()
    assert "Drei Beispiele" in page and "Gespeichert." in page
    assert "2 von 13 Aufgaben erledigt" in page
    assert "Hinweis 1-1" in page  # the hint shows once its task is done

    signed_in.post(url, work_data(lesson, done=[1, 3, 4], answers={2: "Vier Beispiele"}))
    assert TaskProgress.objects.filter(enrolment=enrolment, is_done=True).count() == 4
    assert "Vier Beispiele" in signed_in.get(url).content.decode()
    assert "✓ erledigt" in signed_in.get(course.get_absolute_url()).content.decode()


def test_an_overlong_answer_is_refused_with_a_message_not_an_error(signed_in, enrolment, course):
    lesson = factories.regular_lessons(course)[0]

    response = signed_in.post(
        lesson_url(course, lesson), work_data(lesson, answers={1: "x" * 10_001})
    )

    assert response.status_code == 400
    assert not TaskProgress.objects.exists()


def test_finishing_the_final_lesson_issues_and_mails_a_certificate(
    signed_in, enrolment, course, outbox, run_tasks
):
    for lesson in factories.regular_lessons(course):
        services.complete_lesson(enrolment=enrolment, lesson=lesson)
    final = factories.final_lesson(course)
    page = signed_in.get(lesson_url(course, final)).content.decode()
    assert "Abschlusstext" in page and "Was hat Sie überrascht?" in page
    assert "Ihr Name auf dem Zertifikat" in page

    with run_tasks():
        signed_in.post(
            lesson_url(course, final), work_data(final, done=[1], certificate_name="Lea M. Schmidt")
        )
    with run_tasks():  # a second save does not issue or mail it again
        signed_in.post(
            lesson_url(course, final), work_data(final, done=[1], answers={1: "Mein Plan"})
        )

    certificate = Certificate.objects.get()
    assert certificate.learner_name == "Lea M. Schmidt" and certificate.file
    [message] = outbox
    assert message.to == ["lea@example.com"]
    assert message.subject == f"Ihr Zertifikat: {course.title}"
    assert message.attachments[0][0] == f"zertifikat-{certificate.code}.pdf"
    assert f"/certificates/{certificate.code}/" in message.body
    page = signed_in.get(course.get_absolute_url()).content.decode()
    assert "Geschafft!" in page and "Zertifikat herunterladen" in page
    download = signed_in.get(f"/courses/{course.slug}/certificate/")
    assert download["Content-Type"] == "application/pdf"


def test_a_name_that_is_an_email_address_is_refused(signed_in, enrolment, course):
    for lesson in factories.regular_lessons(course):
        services.complete_lesson(enrolment=enrolment, lesson=lesson)
    final = factories.final_lesson(course)

    response = signed_in.post(
        lesson_url(course, final), work_data(final, done=[1], certificate_name="lea@example.com")
    )

    assert response.status_code == 400 and "keine E-Mail-Adresse" in response.content.decode()
    assert not Certificate.objects.exists()


def test_the_email_course_is_started_paused_resumed_and_stopped_over_http(
    signed_in, enrolment, course, outbox, run_tasks
):
    url = f"/courses/{course.slug}/email/"

    with run_tasks():
        response = signed_in.post(url, {"action": "start", "interval_days": "7"}, follow=True)
    assert "Ihr E-Mail-Kurs ist eingerichtet" in response.content.decode()
    assert [m.subject for m in outbox] == [f"{course.title}: Lektion 1 von 3 – Lektion Nummer 1"]
    enrolment.refresh_from_db()
    assert enrolment.is_email_course and enrolment.email_interval_days == 7

    page = signed_in.post(url, {"action": "pause"}, follow=True).content.decode()
    assert "pausiert" in page and "Fortsetzen" in page
    with run_tasks():
        signed_in.post(url, {"action": "resume"})
    enrolment.refresh_from_db()
    assert not enrolment.is_email_paused

    with run_tasks():
        signed_in.post(url, {"action": "send_all"})
    assert len(outbox) == 4

    signed_in.post(url, {"action": "stop"})
    enrolment.refresh_from_db()
    assert enrolment.channel == Enrolment.Channel.ONLINE
    assert signed_in.post(url, {"action": "explode"}).status_code == 302


# Query counts: the same for 3 and for 30 lessons.


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["list", "lesson", "final"])
def test_query_counts_do_not_grow_with_the_number_of_lessons(client, page):
    counts = []
    for size in (3, 30):
        course = factories.course(lessons=size)
        learner = factories.learner()
        enrolment = services.enrol(learner=learner, course=course)
        # Two lessons done; for the final lesson's page all of them, so it is open.
        for lesson in factories.regular_lessons(course)[: size if page == "final" else 2]:
            services.complete_lesson(enrolment=enrolment, lesson=lesson)
        client.force_login(learner)
        target = {
            "list": course,
            "lesson": factories.regular_lessons(course)[1],
            "final": factories.final_lesson(course),
        }[page]
        url = course.get_absolute_url() if page == "list" else lesson_url(course, target)
        counts.append(queries_for(client, url))

    print(f"{page}: {counts[0]} queries with 3 lessons, {counts[1]} with 30")
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8
