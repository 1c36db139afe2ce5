"""The shop's surface: enrol (idempotent), end_enrolment, has_access."""

import threading

import pytest
from django.db import connection

from courses import selectors, services
from courses.models import Enrolment, TaskProgress
from courses.services import TaskWork
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
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.has_access(learner=AnonymousUser(), course=course)


def test_progress_is_kept_per_task_and_a_lesson_is_complete_with_its_four_tasks(enrolment, course):
    lesson = factories.regular_lessons(course)[0]
    first, second, third, fourth = lesson.tasks.order_by("position")

    services.save_lesson_work(
        enrolment=enrolment,
        lesson=lesson,
        work={
            first.pk: TaskWork(is_done=True),
            second.pk: TaskWork(is_done=False, answer="  Mein Gehalt liegt unter dem Markt. "),
            third.pk: TaskWork(is_done=False),
        },
    )
    outline = selectors.course_outline(enrolment=enrolment)
    assert (outline.lessons[0].done_count, outline.lessons[0].is_complete) == (2, False)
    assert TaskProgress.objects.get(task=second).answer == "Mein Gehalt liegt unter dem Markt."

    services.save_lesson_work(
        enrolment=enrolment,
        lesson=lesson,
        work={
            second.pk: TaskWork(is_done=True, answer="Geändert"),
            third.pk: TaskWork(is_done=True),
            fourth.pk: TaskWork(is_done=True),
        },
    )
    outline = selectors.course_outline(enrolment=enrolment)
    assert outline.lessons[0].is_complete
    assert (outline.tasks_done, outline.tasks_total) == (4, 3 * 4 + 1)
    assert TaskProgress.objects.get(task=second).answer == "Geändert"
    assert TaskProgress.objects.count() == 4


def test_tasks_of_another_lesson_are_ignored(enrolment, course):
    one, two, _ = factories.regular_lessons(course)

    services.save_lesson_work(
        enrolment=enrolment,
        lesson=one,
        work={task.pk: TaskWork(is_done=True) for task in two.tasks.all()},
    )

    assert not TaskProgress.objects.exists()


def test_the_final_lesson_opens_only_when_every_lesson_is_complete(enrolment, course):
    final = factories.final_lesson(course)
    *before, last = factories.regular_lessons(course)
    for lesson in before:
        services.complete_lesson(enrolment=enrolment, lesson=lesson)

    assert selectors.course_outline(enrolment=enrolment).final.is_locked
    with pytest.raises(services.LessonLocked):
        services.complete_lesson(enrolment=enrolment, lesson=final)

    services.complete_lesson(enrolment=enrolment, lesson=last)
    assert not selectors.course_outline(enrolment=enrolment).final.is_locked
    services.complete_lesson(enrolment=enrolment, lesson=final)
    assert selectors.course_outline(enrolment=enrolment).is_complete


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
