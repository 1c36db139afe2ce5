"""Finding 12: the "lesson done" links in lesson e-mails never expired, and whoever held one could
set the name shown on the learner's public certificate. Now a link works for
LESSON_DONE_LINK_MAX_AGE (30 days), an older one gets a page that sends the learner to the
course (410), and only the signed-in learner names the certificate."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from courses import links, services
from courses.models import Certificate, Enrolment, TaskProgress
from tests.courses import factories

pytestmark = pytest.mark.django_db


def done_count(enrolment) -> int:
    return TaskProgress.objects.filter(enrolment=enrolment, is_done=True).count()


def test_a_link_older_than_its_lifetime_says_so_and_marks_nothing(client, enrolment, course):
    first = factories.regular_lessons(course)[0]
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        path = links.lesson_done_url(enrolment=enrolment, lesson=first)

    for method in (client.get, client.post):
        response = method(path)
        page = response.content.decode()
        assert response.status_code == 410
        assert "Dieser Link ist abgelaufen" in page and 'href="/courses/"' in page
    assert done_count(enrolment) == 0


def test_a_link_within_its_lifetime_still_works_without_signing_in(client, enrolment, course):
    first = factories.regular_lessons(course)[0]
    with time_machine.travel(timezone.now() - timedelta(days=29)):
        path = links.lesson_done_url(enrolment=enrolment, lesson=first)

    assert client.post(path).status_code == 200
    assert done_count(enrolment) == 4


def test_a_link_sent_before_links_carried_their_time_counts_as_expired(client, enrolment, course):
    first = factories.regular_lessons(course)[0]
    untimed = signing.Signer(salt=links.LESSON_DONE_SALT).sign_object(
        {"enrolment": enrolment.pk, "lesson": first.pk}
    )

    assert client.post(f"/lesson-done/{untimed}/").status_code == 410
    assert done_count(enrolment) == 0


def test_whoever_holds_the_final_lessons_link_cannot_name_the_certificate(
    client, enrolment, course, run_tasks
):
    for lesson in factories.regular_lessons(course):
        services.complete_lesson(enrolment=enrolment, lesson=lesson)
    path = links.lesson_done_url(enrolment=enrolment, lesson=factories.final_lesson(course))

    page = client.get(path).content.decode()
    assert 'name="certificate_name"' not in page and "nach der Anmeldung im Kurs" in page
    with run_tasks():
        response = client.post(path, {"certificate_name": "Ein Fremder"})

    assert response.status_code == 200  # the lesson is done, as the link says
    assert Enrolment.objects.get(pk=enrolment.pk).certificate_name == ""
    assert Certificate.objects.get(enrolment=enrolment).learner_name == "Lea S."


def test_the_signed_in_learner_names_the_certificate_through_the_link(
    client, enrolment, course, learner, run_tasks
):
    for lesson in factories.regular_lessons(course):
        services.complete_lesson(enrolment=enrolment, lesson=lesson)
    path = links.lesson_done_url(enrolment=enrolment, lesson=factories.final_lesson(course))
    client.force_login(learner)

    assert 'name="certificate_name"' in client.get(path).content.decode()
    with run_tasks():
        client.post(path, {"certificate_name": "Lea Maria Schmidt"})

    assert Certificate.objects.get(enrolment=enrolment).learner_name == "Lea Maria Schmidt"
