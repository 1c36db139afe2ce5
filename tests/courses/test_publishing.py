"""A course is published only when it follows the rule: at most 30 lessons of exactly 4 tasks,
and one final lesson with its closing task."""

import pytest
from django.core.exceptions import ValidationError

from courses import services
from courses.models import MAX_LESSONS, Course
from tests.courses import factories

pytestmark = pytest.mark.django_db


def publish_problems(course):
    with pytest.raises(ValidationError) as raised:
        services.publish_course(course=course)
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    return " ".join(raised.value.messages)


def test_a_course_that_follows_the_rules_is_published():
    course = factories.course(lessons=MAX_LESSONS, published=False)

    services.publish_course(course=course)

    course.refresh_from_db()
    assert course.is_published and course.published_at
    assert list(Course.objects.published()) == [course]


def test_more_than_thirty_lessons_cannot_be_published():
    course = factories.course(lessons=MAX_LESSONS + 1, published=False)

    assert "31 Lektionen; erlaubt sind höchstens 30" in publish_problems(course)


def test_a_lesson_with_three_or_five_tasks_cannot_be_published():
    course = factories.course(lessons=2, published=False)
    factories.add_lesson(course, 3, task_count=3)
    factories.add_lesson(course, 4, task_count=5)

    problems = publish_problems(course)

    assert "Lektion 3 „Lektion Nummer 3“ hat 3 Aufgabe(n) statt 4." in problems
    assert "Lektion 4 „Lektion Nummer 4“ hat 5 Aufgabe(n) statt 4." in problems


def test_a_course_without_its_final_lesson_cannot_be_published():
    course = factories.course(lessons=2, published=False, final=False)

    assert "Die Abschlusslektion fehlt" in publish_problems(course)


def test_a_final_lesson_without_closing_task_or_reflection_cannot_be_published():
    course = factories.course(lessons=2, published=False, final=False)
    services.add_lesson(
        course=course, title="Ende", body="Zusammenfassung", tasks=[], is_final=True
    )

    problems = publish_problems(course)

    assert "genau 1 Abschlussaufgabe (hat 0)" in problems
    assert "braucht eine Reflexion" in problems


def test_an_empty_course_cannot_be_published():
    course = Course.objects.create(title="Leer", slug="leer", description="…")

    assert "noch keine Lektion" in publish_problems(course)


def test_unpublishing_makes_a_course_a_draft_again():
    course = factories.course(lessons=1)

    services.unpublish_course(course=course)

    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    assert course not in Course.objects.published()


def test_private_course_needs_its_customer():
    course = Course(title="Privat", slug="privat", description="…", is_private=True)

    with pytest.raises(ValidationError, match="Kundenkonto"):
        course.full_clean()
