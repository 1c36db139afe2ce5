"""Plain functions that make courses, lessons and learners for the tests, through
`courses.services` wherever there is one (a course's lessons and tasks, publishing)."""

import itertools

from django.contrib.auth import get_user_model

from courses import services
from courses.models import Course, Enrolment, Lesson
from courses.services import TaskText

_numbers = itertools.count(1)


def learner(email: str | None = None, **fields):
    email = email or f"lernende{next(_numbers)}@example.com"
    user = get_user_model()(username=email, email=email, **fields)
    user.set_unusable_password()
    user.save()
    return user


def tasks(lesson_number: int | str, count: int = 4) -> list[TaskText]:
    return [
        TaskText(
            prompt=f"Aufgabe {n} zu Lektion {lesson_number}: Notieren Sie drei Beispiele.",
            expected_answer=f"Hinweis {n}-{lesson_number}" if n == 1 else "",
            checklist="Beispiel aus dem Beruf\nBeispiel aus dem Alltag" if n == 2 else "",
        )
        for n in range(1, count + 1)
    ]


def lesson_body(number: int) -> str:
    return (
        f"Inhalt der Lektion {number}: Wer klar fragt, bekommt klare Antworten. "
        f"Lektionstext-{number}."
    )


def course(
    *,
    lessons: int = 3,
    published: bool = True,
    final: bool = True,
    title: str | None = None,
) -> Course:
    n = next(_numbers)
    created = Course.objects.create(
        title=title or f"Souverän verhandeln {n}",
        slug=f"souveraen-verhandeln-{n}",
        description="Ein Kurs in kurzen Lektionen mit Aufgaben für den Berufsalltag.",
    )
    for number in range(1, lessons + 1):
        add_lesson(created, number)
    if final:
        add_final_lesson(created)
    if published:
        services.publish_course(course=created)
        created.refresh_from_db()
    return created


def add_lesson(course: Course, number: int, *, task_count: int = 4) -> Lesson:
    return services.add_lesson(
        course=course,
        title=f"Lektion Nummer {number}",
        body=lesson_body(number),
        tasks=tasks(number, task_count),
    )


def add_final_lesson(course: Course, *, task_count: int = 1) -> Lesson:
    return services.add_lesson(
        course=course,
        title="Rückblick und nächste Schritte",
        body="Zusammenfassung: Sie haben gelernt, vorbereitet zu verhandeln. Abschlusstext.",
        reflection="Was hat Sie überrascht? Was machen Sie ab morgen anders?",
        tasks=[
            TaskText(prompt=f"Schreiben Sie Ihren Plan für die nächsten 30 Tage ({n}).")
            for n in range(1, task_count + 1)
        ],
        is_final=True,
    )


def regular_lessons(course: Course) -> list[Lesson]:
    return list(course.lessons.filter(kind=Lesson.Kind.REGULAR).order_by("position"))


def final_lesson(course: Course) -> Lesson:
    return course.lessons.get(kind=Lesson.Kind.FINAL)


def titles_and_positions(course: Course) -> list[tuple[str, int | None]]:
    return list(
        Lesson.objects.filter(course=course).in_course_order().values_list("title", "position")
    )


def finish_course(enrolment: Enrolment, **kwargs) -> None:
    """Every lesson of the course done, as the e-mails' links do it, the final lesson last."""
    for lesson in enrolment.course.lessons.in_course_order():
        services.complete_lesson(enrolment=enrolment, lesson=lesson, **kwargs)
