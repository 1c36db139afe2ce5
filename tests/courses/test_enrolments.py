"""The shop's surface: enrol (idempotent, and again after a refund with the progress kept),
end_enrolment, and has_access."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from courses import selectors, services
from courses.models import Enrolment, TaskProgress
from tests.courses import factories

pytestmark = pytest.mark.django_db


def test_enrol_grants_access_and_a_second_call_returns_the_same_enrolment(course, learner):
    assert not selectors.has_access(learner=learner, course=course)

    first = services.enrol(learner=learner, course=course)
    second = services.enrol(learner=learner, course=course)

    assert first.pk == second.pk and first.is_active
    assert Enrolment.objects.count() == 1
    assert selectors.has_access(learner=learner, course=course)


def test_ending_an_enrolment_ends_access_and_stops_the_email_course(enrolment, learner, course):
    Enrolment.objects.filter(pk=enrolment.pk).update(
        channel=Enrolment.Channel.EMAIL, next_email_due_at="2026-01-01T00:00Z"
    )

    services.end_enrolment(learner=learner, course=course)
    services.end_enrolment(learner=learner, course=course)  # idempotent

    enrolment.refresh_from_db()
    assert enrolment.ended_at and enrolment.next_email_due_at is None
    assert not selectors.has_access(learner=learner, course=course)


def test_enrolling_again_after_a_refund_keeps_the_progress(enrolment, learner, course):
    lesson = factories.regular_lessons(course)[0]
    services.complete_lesson(enrolment=enrolment, lesson=lesson)
    services.end_enrolment(learner=learner, course=course)

    again = services.enrol(learner=learner, course=course)

    assert again.pk == enrolment.pk and again.is_active
    assert TaskProgress.objects.filter(enrolment=again, is_done=True).count() == 4


def test_anonymous_visitors_have_no_access(course):
    assert not selectors.has_access(learner=AnonymousUser(), course=course)


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_of_one_learner_make_one_row():
    course, learner = factories.course(lessons=1), factories.learner()
    start, results = threading.Barrier(4), []

    def buy():
        start.wait()
        try:
            results.append(services.enrol(learner=learner, course=course).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(results)) == 1 and len(results) == 4
    assert Enrolment.objects.count() == 1
