"""Lesson positions stay 1..n without gaps; staff copy lessons and build private courses."""

import pytest
from django.core.exceptions import ValidationError

from courses import selectors, services
from courses.models import Course, Lesson
from tests.courses import factories

pytestmark = pytest.mark.django_db


def titles_and_positions(course):
    return list(
        Lesson.objects.filter(course=course).in_course_order().values_list("title", "position")
    )


def test_reordering_keeps_positions_gap_free_and_the_final_lesson_last():
    course = factories.course(lessons=4)
    one, two, three, four = factories.regular_lessons(course)

    services.reorder_lessons(course=course, lesson_ids=[four.pk, two.pk])

    assert titles_and_positions(course) == [
        ("Lektion Nummer 4", 1), ("Lektion Nummer 2", 2), ("Lektion Nummer 1", 3),
        ("Lektion Nummer 3", 4), ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip


def test_moving_a_lesson_shifts_the_others():
    course = factories.course(lessons=4)
    one, two, three, four = factories.regular_lessons(course)

    services.move_lesson(lesson=one, to_position=3)
    assert [p for _, p in titles_and_positions(course)] == [1, 2, 3, 4, None]
    assert [t for t, _ in titles_and_positions(course)][:4] == [
        "Lektion Nummer 2", "Lektion Nummer 3", "Lektion Nummer 1", "Lektion Nummer 4",
    ]  # fmt: skip

    services.move_lesson(lesson=four, to_position=1)
    assert [t for t, _ in titles_and_positions(course)][:2] == [
        "Lektion Nummer 4",
        "Lektion Nummer 2",
    ]


def test_deleting_a_lesson_closes_the_gap():
    course = factories.course(lessons=4, published=False)

    services.delete_lesson(lesson=factories.regular_lessons(course)[1])

    assert [p for _, p in titles_and_positions(course)] == [1, 2, 3, None]


def test_lessons_of_another_course_cannot_be_reordered_into_this_one():
    course, other = factories.course(lessons=2), factories.course(lessons=2)

    with pytest.raises(ValidationError):
        services.reorder_lessons(course=course, lesson_ids=[factories.regular_lessons(other)[0].pk])


def test_copying_lessons_appends_them_with_their_tasks():
    source, target = factories.course(lessons=3), factories.course(lessons=2, published=False)
    _, two, three = factories.regular_lessons(source)

    copies = services.copy_lessons(lessons=[three, two], into=target)

    assert [c.position for c in copies] == [3, 4]
    assert titles_and_positions(target)[2:4] == [("Lektion Nummer 3", 3), ("Lektion Nummer 2", 4)]
    assert list(copies[0].tasks.values_list("prompt", flat=True)) == list(
        three.tasks.values_list("prompt", flat=True)
    )
    assert source.lessons.count() == 4  # the source keeps its lessons


def test_copying_into_a_published_course_may_not_break_it():
    source, target = factories.course(lessons=3), factories.course(lessons=29)

    with pytest.raises(ValidationError, match="höchstens 30"):
        services.copy_lessons(lessons=factories.regular_lessons(source)[:2], into=target)

    assert target.lessons.count() == 30


def test_a_private_course_is_built_from_chosen_lessons_and_granted_to_the_customer():
    first, second = factories.course(lessons=3), factories.course(lessons=3)
    customer, stranger = factories.learner(), factories.learner()
    chosen = [factories.regular_lessons(second)[2], factories.regular_lessons(first)[0]]

    course = services.build_private_course(
        title="Ihr Kurs: Gehalt und Auftreten", learner=customer, lessons=chosen
    )

    assert course.is_published and course.is_private and course.private_for == customer
    assert titles_and_positions(course) == [
        ("Lektion Nummer 3", 1), ("Lektion Nummer 1", 2), ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip
    assert selectors.has_access(learner=customer, course=course)
    assert not selectors.has_access(learner=stranger, course=course)
    assert course not in Course.objects.published()  # the shop does not list or sell it


def test_a_private_course_follows_the_same_rules():
    big = factories.course(lessons=30)
    extra = factories.course(lessons=1)

    with pytest.raises(ValidationError, match="höchstens 30"):
        services.build_private_course(
            title="Zu viel",
            learner=factories.learner(),
            lessons=factories.regular_lessons(big) + factories.regular_lessons(extra),
        )
    assert not Course.objects.filter(is_private=True).exists()
