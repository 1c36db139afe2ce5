"""Staff's changes to lessons and tasks: positions stay 1..n without gaps, lessons are copied and
private courses built, and every change leaves a published course within its rule or is refused
as a whole, each problem named."""

import pytest
from django.core.exceptions import ValidationError

from courses import selectors, services
from courses.models import MAX_LESSONS, Course, LearningTask
from courses.services import TaskText
from tests.courses import factories

pytestmark = pytest.mark.django_db


def refused(change, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        change(**kwargs)
    return raised.value.messages


def test_the_lesson_list_saves_lessons_in_the_order_given_and_the_rest_after_them():
    course = factories.course(lessons=4)
    one, two, three, four = factories.regular_lessons(course)

    services.save_lessons_in_order(course=course, lessons=[four, two])

    assert factories.titles_and_positions(course) == [
        ("Lektion Nummer 4", 1), ("Lektion Nummer 2", 2), ("Lektion Nummer 1", 3),
        ("Lektion Nummer 3", 4), ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip


def test_the_lesson_list_deletes_what_staff_removed_and_closes_the_gap():
    course = factories.course(lessons=4)
    one, two, three, four = factories.regular_lessons(course)

    services.save_lessons_in_order(course=course, lessons=[three, one], removed=[two])

    assert [t for t, _ in factories.titles_and_positions(course)] == [
        "Lektion Nummer 3", "Lektion Nummer 1", "Lektion Nummer 4",
        "Rückblick und nächste Schritte",
    ]  # fmt: skip
    assert [p for _, p in factories.titles_and_positions(course)] == [1, 2, 3, None]


def test_deleting_lessons_closes_the_gap():
    course = factories.course(lessons=4, published=False)

    services.delete_lessons(lessons=factories.regular_lessons(course)[1:3])

    assert factories.titles_and_positions(course) == [
        ("Lektion Nummer 1", 1), ("Lektion Nummer 4", 2), ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip


def test_a_lesson_that_becomes_the_final_lesson_gives_up_its_position():
    course = factories.course(lessons=3, published=False, final=False)
    second = factories.regular_lessons(course)[1]
    second.kind, second.reflection = "final", "Was nehmen Sie mit?"
    [first_task, *others] = second.tasks.order_by("position")

    services.save_lesson(lesson=second, tasks=[first_task], removed_tasks=others)

    assert factories.titles_and_positions(course) == [
        ("Lektion Nummer 1", 1), ("Lektion Nummer 3", 2), ("Lektion Nummer 2", None),
    ]  # fmt: skip
    assert list(second.tasks.values_list("position", flat=True)) == [1]


def test_a_saved_lesson_numbers_its_tasks_in_the_order_given():
    course = factories.course(lessons=1)
    lesson = factories.regular_lessons(course)[0]
    one, two, three, four = lesson.tasks.order_by("position")
    four.prompt = "Geändert"

    services.save_lesson(lesson=lesson, tasks=[four, one, two, three])

    assert list(lesson.tasks.order_by("position").values_list("prompt", flat=True))[:2] == [
        "Geändert", one.prompt,
    ]  # fmt: skip


# One rule for a published course.


def test_adding_a_lesson_that_breaks_a_published_course_is_refused():
    course = factories.course(lessons=MAX_LESSONS)

    assert refused(factories.add_lesson, course=course, number=31) == [
        "Der Kurs hat 31 Lektionen; erlaubt sind höchstens 30."
    ]
    assert course.lessons.count() == MAX_LESSONS + 1
    small = factories.course(lessons=2)
    assert refused(
        services.add_lesson, course=small, title="x", body="y", tasks=[TaskText("a")] * 3
    ) == ["Lektion 3 „x“ hat 3 Aufgabe(n) statt 4."]
    assert small.lessons.count() == 3


def test_deleting_a_task_of_a_published_course_is_refused_and_keeps_the_task():
    course = factories.course(lessons=2)
    lesson = factories.regular_lessons(course)[1]
    *kept, last = lesson.tasks.order_by("position")

    assert refused(services.save_lesson, lesson=lesson, tasks=kept, removed_tasks=[last]) == [
        "Lektion 2 „Lektion Nummer 2“ hat 3 Aufgabe(n) statt 4."
    ]
    assert lesson.tasks.count() == 4


def test_emptying_a_lesson_of_a_published_course_is_refused_and_keeps_its_text():
    course = factories.course(lessons=2)
    lesson = factories.regular_lessons(course)[0]
    tasks = list(lesson.tasks.order_by("position"))
    lesson.body, lesson.title = " ", "Leer"
    for task in tasks:
        task.prompt = "Geändert"

    assert refused(services.save_lesson, lesson=lesson, tasks=tasks) == [
        "Lektion 1 „Leer“ hat keinen Text."
    ]
    lesson.refresh_from_db()
    assert lesson.title == "Lektion Nummer 1" and lesson.body == factories.lesson_body(1)
    assert not LearningTask.objects.filter(prompt="Geändert").exists()


def test_deleting_the_last_lessons_of_a_published_course_names_every_problem_and_deletes_none():
    course, other = factories.course(lessons=1), factories.course(lessons=2)
    doomed = [*factories.regular_lessons(other)[:1], *course.lessons.all()]

    assert refused(services.delete_lessons, lessons=doomed) == [
        "Der Kurs hat noch keine Lektion.",
        "Die Abschlusslektion fehlt (Zusammenfassung, Reflexion, Abschlussaufgabe).",
    ]
    assert course.lessons.count() == 2 and other.lessons.count() == 3
    course.refresh_from_db()
    assert course.is_published


def test_a_published_course_that_keeps_its_rule_takes_the_change():
    course = factories.course(lessons=3)
    first, second, third = factories.regular_lessons(course)

    services.save_lessons_in_order(course=course, lessons=[third], removed=[first])

    assert [t for t, _ in factories.titles_and_positions(course)][:2] == [
        "Lektion Nummer 3", "Lektion Nummer 2",
    ]  # fmt: skip
    course.refresh_from_db()
    assert course.is_published


def test_a_draft_takes_any_change():
    course = factories.course(lessons=1, published=False)

    services.delete_lessons(lessons=course.lessons.all())

    assert not course.lessons.exists()


# Copies and private courses.


def test_copying_lessons_appends_them_with_their_tasks():
    source, target = factories.course(lessons=3), factories.course(lessons=2, published=False)
    _, two, three = factories.regular_lessons(source)

    copies = services.copy_lessons(lessons=[three, two], into=target)

    assert [c.position for c in copies] == [3, 4]
    assert factories.titles_and_positions(target)[2:4] == [
        ("Lektion Nummer 3", 3), ("Lektion Nummer 2", 4),
    ]  # fmt: skip
    assert list(copies[0].tasks.values_list("prompt", flat=True)) == list(
        three.tasks.values_list("prompt", flat=True)
    )
    assert source.lessons.count() == 4  # the source keeps its lessons


def test_copying_into_a_published_course_may_not_break_it():
    source, target = factories.course(lessons=3), factories.course(lessons=29)

    assert refused(
        services.copy_lessons, lessons=factories.regular_lessons(source)[:2], into=target
    ) == ["Der Kurs hat 31 Lektionen; erlaubt sind höchstens 30."]
    assert target.lessons.count() == 30


def test_a_private_course_is_built_from_chosen_lessons_and_granted_to_the_customer():
    first, second = factories.course(lessons=3), factories.course(lessons=3)
    customer, stranger = factories.learner(), factories.learner()
    chosen = [factories.regular_lessons(second)[2], factories.regular_lessons(first)[0]]

    course = services.build_private_course(
        title="Ihr Kurs: Gehalt und Auftreten", learner=customer, lessons=chosen
    )

    assert course.is_published and course.is_private and course.private_for == customer
    assert factories.titles_and_positions(course) == [
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


def test_a_course_has_at_most_one_final_lesson():
    course = factories.course(lessons=1, published=False)

    with pytest.raises(ValidationError):
        factories.add_final_lesson(course)
