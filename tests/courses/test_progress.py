"""A learner's progress: kept per task whichever channel they use, a lesson complete with its
four tasks, and the final lesson locked until every regular lesson is complete."""

import pytest

from courses import selectors, services
from courses.models import TaskProgress
from courses.services import TaskWork
from tests.courses import factories

pytestmark = pytest.mark.django_db


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
