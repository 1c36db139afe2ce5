"""Staff's changes to a course's lessons and tasks: adding, editing, ordering and deleting them,
copying lessons to another course, and building a course for one customer from existing lessons.

Each change runs inside `changing_course`, so a published course keeps its rule or the change is
refused as a whole. Regular lessons are numbered 1..n without gaps, a lesson's tasks too; the
final lesson has no position and always ends the course.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, QuerySet, Value, When
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from courses.models import Course, LearningTask, Lesson
from courses.services.enrolments import enrol
from courses.services.publishing import changing_course, publish_course

# Renumbering moves rows out of the way first, so the unique (…, position) never collides.
POSITION_OFFSET = 10_000


@dataclass(frozen=True)
class TaskText:
    prompt: str
    expected_answer: str = ""
    checklist: str = ""


def add_lesson(
    *,
    course: Course,
    title: str,
    body: str,
    tasks: Iterable[TaskText],
    is_final: bool = False,
    reflection: str = "",
) -> Lesson:
    """A lesson with its tasks, appended (a final lesson always ends the course)."""
    with changing_course(course) as course:
        lesson = Lesson(
            course=course,
            kind=Lesson.Kind.FINAL if is_final else Lesson.Kind.REGULAR,
            position=None if is_final else _next_position(course),
            title=title,
            body=body,
            reflection=reflection,
        )
        lesson.full_clean()
        lesson.save()
        for position, task in enumerate(tasks, 1):
            created = LearningTask(
                lesson=lesson,
                position=position,
                prompt=task.prompt,
                expected_answer=task.expected_answer,
                checklist=task.checklist,
            )
            created.full_clean()
            created.save()
    return lesson


def save_lesson(
    *, lesson: Lesson, tasks: list[LearningTask], removed_tasks: Iterable[LearningTask] = ()
) -> Lesson:
    """Saves a new or edited lesson with its tasks, as the admin's lesson page gives them: the
    tasks numbered 1..n in the order given, `removed_tasks` deleted. A new regular lesson goes
    last; a lesson that becomes the final lesson gives up its position and the others close up."""
    with changing_course(lesson.course) as course:
        if lesson.is_final:
            lesson.position = None
        elif lesson.position is None:
            lesson.position = _next_position(course)
        lesson.full_clean()
        lesson.save()
        LearningTask.objects.filter(lesson=lesson, pk__in=[t.pk for t in removed_tasks]).delete()
        for task in tasks:
            task.lesson = lesson
        _save_in_order(LearningTask.objects.filter(lesson=lesson), tasks)
        _save_in_order(Lesson.objects.filter(course=course))
    return lesson


def save_lessons_in_order(
    *, course: Course, lessons: list[Lesson], removed: Iterable[Lesson] = ()
) -> None:
    """Saves the lesson list of the admin's course page: new or edited lessons numbered 1..n in
    the order given (a final lesson without a position), the course's other lessons after them
    in their old order, and `removed` deleted."""
    with changing_course(course) as course:
        if sum(lesson.is_final for lesson in lessons) > 1:
            raise ValidationError("Ein Kurs hat genau eine Abschlusslektion.")
        Lesson.objects.filter(course=course, pk__in=[lesson.pk for lesson in removed]).delete()
        for lesson in lessons:
            lesson.course = course
        rows = Lesson.objects.filter(course=course)
        _save_in_order(rows, lessons, has_position=lambda lesson: not lesson.is_final)


@transaction.atomic
def delete_lessons(*, lessons: Iterable[Lesson]) -> None:
    """Deletes lessons, of one course or of several, and closes the gaps. All or nothing: if
    one course would break its rule, no lesson is deleted."""
    by_course = sorted(lessons, key=lambda lesson: lesson.course_id)
    for _, group in groupby(by_course, key=lambda lesson: lesson.course_id):
        doomed = list(group)
        with changing_course(doomed[0].course) as course:
            Lesson.objects.filter(course=course, pk__in=[lesson.pk for lesson in doomed]).delete()
            _save_in_order(Lesson.objects.filter(course=course))


def copy_lessons(*, lessons: Iterable[Lesson], into: Course) -> list[Lesson]:
    """Copies lessons with their tasks to the end of another course, in the order given. A final
    lesson is copied as the target's final lesson, if it has none yet."""
    copies = []
    with changing_course(into) as into:
        for source in lessons:
            is_final = source.is_final
            if is_final and Lesson.objects.filter(course=into, kind=Lesson.Kind.FINAL).exists():
                raise ValidationError(f"„{into.title}“ hat schon eine Abschlusslektion.")
            copy = Lesson(
                course=into,
                kind=source.kind,
                position=None if is_final else _next_position(into),
                title=source.title,
                body=source.body,
                reflection=source.reflection,
            )
            copy.full_clean()
            copy.save()
            LearningTask.objects.bulk_create(
                LearningTask(
                    lesson=copy,
                    position=task.position,
                    prompt=task.prompt,
                    expected_answer=task.expected_answer,
                    checklist=task.checklist,
                )
                for task in source.tasks.order_by("position")
            )
            copies.append(copy)
    return copies


@transaction.atomic
def build_private_course(*, title: str, learner, lessons: Iterable[Lesson]) -> Course:
    """A private course from existing lessons ("we put your course together for you"), in the
    order given, published by the same rule as any course and granted to the customer.

    Without a final lesson among `lessons`, the final lesson of the first lesson's course ends it.
    """
    lessons = list(lessons)
    if not lessons:
        raise ValidationError("Bitte mindestens eine Lektion auswählen.")
    if not any(lesson.is_final for lesson in lessons):
        source_final = Lesson.objects.filter(
            course_id=lessons[0].course_id, kind=Lesson.Kind.FINAL
        ).first()
        if source_final is not None:
            lessons.append(source_final)
    finals = [lesson for lesson in lessons if lesson.is_final]
    ordered = [lesson for lesson in lessons if not lesson.is_final] + finals[:1]
    if len(finals) > 1:
        raise ValidationError("Bitte höchstens eine Abschlusslektion auswählen.")
    course = Course(
        title=title,
        slug=f"{slugify(title)[:180] or 'kurs'}-{get_random_string(8).lower()}",
        description=f"Für Sie zusammengestellt: {len(ordered) - len(finals)} Lektionen.",
        is_private=True,
        private_for=learner,
    )
    course.full_clean()
    course.save()
    copy_lessons(lessons=ordered, into=course)
    course = publish_course(course=course)
    enrol(learner=learner, course=course)
    return course


def _next_position(course: Course) -> int:
    """Where a new regular lesson goes: after the last one."""
    last = Lesson.objects.filter(course=course).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def _save_in_order(
    rows: QuerySet,
    objects: Iterable[Lesson | LearningTask] = (),
    *,
    has_position: Callable[[Lesson | LearningTask], bool] = lambda _: True,
) -> None:
    """Saves `objects` at positions 1..k as given and numbers the other `rows` after them in
    their old order: without `objects`, it closes the gaps. An object without a position (the
    final lesson) is saved without one."""
    # Every stored position moves above the offset first, so no step ever puts two rows on one
    # position, even where the database checks uniqueness row by row.
    rows.filter(position__isnull=False).update(position=F("position") + POSITION_OFFSET)
    placed = 0
    for obj in objects:
        if has_position(obj):
            placed += 1
            obj.position = placed
        else:
            obj.position = None
        obj.save()
    rest = list(
        rows.filter(position__gt=POSITION_OFFSET).order_by("position").values_list("pk", flat=True)
    )
    if rest:
        rows.filter(pk__in=rest).update(
            position=Case(*(When(pk=pk, then=Value(placed + n)) for n, pk in enumerate(rest, 1)))
        )
