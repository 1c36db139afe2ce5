"""The signed link in a lesson e-mail marks the lesson done without signing in, for as long as
it lives (tests/security/test_12_lesson_done_links_expire.py); a tampered one does nothing."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing

from courses import drip, links, services
from courses.models import TaskProgress
from tests.courses import factories

pytestmark = pytest.mark.django_db


def done_path(message) -> str:
    return urlsplit(re.search(r"http://\S+/lesson-done/[^/\s]+/", message.body).group(0)).path


@pytest.fixture
def emailed(enrolment, outbox, run_tasks):
    with run_tasks():
        drip.switch_to_email(enrolment=enrolment, interval_days=1)
    return outbox[-1]


def done_count(enrolment):
    return TaskProgress.objects.filter(enrolment=enrolment, is_done=True).count()


def test_the_link_asks_first_and_marks_the_lesson_done_without_signing_in(
    client, emailed, enrolment, course
):
    path = done_path(emailed)

    page = client.get(path)
    assert page.status_code == 200 and "als erledigt markieren?" in page.content.decode()
    assert done_count(enrolment) == 0  # a mail scanner opening the link changes nothing

    response = client.post(path)

    assert response.status_code == 200
    assert "Lektion 1 ist erledigt" in response.content.decode()
    assert done_count(enrolment) == 4
    assert client.post(path).status_code == 200  # again: still done, nothing new
    assert done_count(enrolment) == 4


def test_answers_written_online_are_kept_when_the_link_marks_the_lesson_done(
    client, emailed, enrolment, course
):
    lesson = factories.regular_lessons(course)[0]
    task = lesson.tasks.get(position=2)
    services.save_lesson_work(
        enrolment=enrolment,
        lesson=lesson,
        work={task.pk: services.TaskWork(False, "Meine Antwort")},
    )

    client.post(done_path(emailed))

    assert TaskProgress.objects.get(task=task).answer == "Meine Antwort"
    assert done_count(enrolment) == 4


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),
        lambda token: "eyJlbnJvbG1lbnQiOjEsImxlc3NvbiI6Mn0:forged",
        lambda token: "x",
    ],
)
def test_a_tampered_link_is_not_found_and_marks_nothing(client, emailed, enrolment, tamper):
    token = done_path(emailed).split("/")[2]

    for method in (client.get, client.post):
        response = method(f"/lesson-done/{tamper(token)}/")
        assert response.status_code == 404
    assert done_count(enrolment) == 0


def test_a_link_signed_with_another_salt_is_refused(client, enrolment, course):
    lesson = factories.regular_lessons(course)[0]
    token = signing.Signer(salt="shop.download").sign_object(
        {"enrolment": enrolment.pk, "lesson": lesson.pk}
    )

    assert client.post(f"/lesson-done/{token}/").status_code == 404
    assert done_count(enrolment) == 0


def test_the_link_of_an_ended_enrolment_does_nothing(client, emailed, enrolment, learner, course):
    services.end_enrolment(learner=learner, course=course)

    assert client.post(done_path(emailed)).status_code == 404
    assert done_count(enrolment) == 0


def test_the_final_lesson_link_waits_for_every_lesson(client, enrolment, course):
    final = factories.final_lesson(course)
    path = links.lesson_done_url(enrolment=enrolment, lesson=final)

    response = client.post(path)

    assert response.status_code == 409 and "Noch nicht ganz" in response.content.decode()
    assert done_count(enrolment) == 0
