"""The rule of a whole course, in one place: what a course needs to be published, publishing and
unpublishing it, and `changing_course`, the one way its lessons and tasks change, which leaves a
published course within the rule or refuses the change."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from courses import selectors
from courses.models import FINAL_LESSON_TASKS, MAX_LESSONS, TASKS_PER_LESSON, Course
from plumbing.tasks import enqueue_on_commit


def course_problems(course: Course) -> list[str]:
    """Why the course cannot be published, in German; empty when it can."""
    lessons = selectors.course_lessons_with_tasks(course=course)
    regular = [lesson for lesson in lessons if not lesson.is_final]
    finals = [lesson for lesson in lessons if lesson.is_final]
    problems = []
    if not regular:
        problems.append("Der Kurs hat noch keine Lektion.")
    if len(regular) > MAX_LESSONS:
        problems.append(
            f"Der Kurs hat {len(regular)} Lektionen; erlaubt sind höchstens {MAX_LESSONS}."
        )
    for lesson in regular:
        count = len(lesson.tasks.all())
        if count != TASKS_PER_LESSON:
            problems.append(
                f"{lesson.label} „{lesson.title}“ hat {count} Aufgabe(n) statt {TASKS_PER_LESSON}."
            )
        if not lesson.body.strip():
            problems.append(f"{lesson.label} „{lesson.title}“ hat keinen Text.")
    if [lesson.position for lesson in regular] != list(range(1, len(regular) + 1)):
        problems.append("Die Lektionen sind nicht lückenlos von 1 an nummeriert.")
    if not finals:
        problems.append(
            "Die Abschlusslektion fehlt (Zusammenfassung, Reflexion, Abschlussaufgabe)."
        )
    for final in finals:
        count = len(final.tasks.all())
        if count != FINAL_LESSON_TASKS:
            problems.append(
                f"Die Abschlusslektion braucht genau {FINAL_LESSON_TASKS} Abschlussaufgabe "
                f"(hat {count})."
            )
        if not final.body.strip():
            problems.append("Die Abschlusslektion braucht eine Zusammenfassung.")
        if not final.reflection.strip():
            problems.append("Die Abschlusslektion braucht eine Reflexion.")
    return problems


@transaction.atomic
def publish_course(*, course: Course) -> Course:
    """Publishes the course if it follows the rule, or raises ValidationError naming each
    problem."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    problems = course_problems(course)
    if problems:
        raise ValidationError(problems)
    if not course.is_published:
        course.status = Course.Status.PUBLISHED
        course.published_at = timezone.now()
        course.full_clean()
        course.save(update_fields=["status", "published_at", "updated_at"])
    enqueue_on_commit("courses.tasks.prerender_course_pdf", course.pk)
    return course


@transaction.atomic
def unpublish_course(*, course: Course) -> Course:
    course = Course.objects.select_for_update().get(pk=course.pk)
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    return course


@contextmanager
def changing_course(course: Course) -> Iterator[Course]:
    """Every change to a course's lessons and tasks runs inside this: one transaction holding the
    course's lock, so that changes to one course happen one after another. A published course
    must still follow the rule when the change is done; if not, the whole change is rolled back
    and refused with a ValidationError naming each problem. It never quietly goes back to draft:
    learners may be in the middle of it."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        yield locked
        if locked.is_published:
            problems = course_problems(locked)
            if problems:
                raise ValidationError(problems)
