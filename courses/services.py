"""Everything that changes a course or a learner's place in it.

The shop calls `enrol` (inside its payment transaction) and `end_enrolment`; staff's admin calls
`publish_course`, the lesson order and copy services and `build_private_course`; the learner's
views call the progress services.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, QuerySet, Value, When
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses import certificates, selectors
from courses.models import (
    FINAL_LESSON_TASKS,
    MAX_LESSONS,
    TASKS_PER_LESSON,
    Course,
    Enrolment,
    LearningTask,
    Lesson,
    TaskProgress,
)
from plumbing.tasks import enqueue_on_commit

# Renumbering moves rows out of the way first, so the unique (course, position) never collides.
POSITION_OFFSET = 10_000


class LessonLocked(Exception):
    """The final lesson opens only when every regular lesson is complete."""


# Enrolments: the shop's surface.


def enrol(*, learner, course: Course, language: str = settings.LANGUAGE_CODE) -> Enrolment:
    """Idempotent: returns the learner's enrolment, creating it or opening an ended one again
    (with its progress, in the language of this purchase). Safe inside the shop's payment
    transaction and against a concurrent call for the same learner and course (get_or_create
    catches the unique violation). `language` is what the course's e-mails are written in."""
    with transaction.atomic():
        enrolment, _ = Enrolment.objects.get_or_create(
            learner=learner, course=course, defaults={"language": language}
        )
        if enrolment.ended_at is not None:
            enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            enrolment.ended_at = None
            enrolment.language = language
            enrolment.save(update_fields=["ended_at", "language"])
    return enrolment


@transaction.atomic
def end_enrolment(*, learner, course: Course) -> None:
    """Ends access (a refund): the lessons close and the e-mail course stops. Progress is kept."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(learner=learner, course=course, ended_at__isnull=True)
        .first()
    )
    if enrolment is None:
        return
    enrolment.ended_at = timezone.now()
    enrolment.next_email_due_at = None
    enrolment.save(update_fields=["ended_at", "next_email_due_at"])


# Publishing: the rule of a whole course, in one place.


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
    """Publishes the course if it follows the rules, or raises ValidationError naming each
    problem. The admin's action calls this, so the rule lives here only."""
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


@transaction.atomic
def unpublish_if_invalid(*, course: Course) -> list[str]:
    """After an edit outside the services (the admin's forms): a published course that no longer
    follows the rules goes back to draft. Returns the problems, empty if it still follows them."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.is_published:
        return []
    problems = course_problems(course)
    if problems:
        course.status = Course.Status.DRAFT
        course.save(update_fields=["status", "updated_at"])
    return problems


def _recheck_published(course: Course) -> None:
    """Inside a service's transaction: a change that breaks a published course is refused."""
    if Course.objects.filter(pk=course.pk, status=Course.Status.PUBLISHED).exists():
        problems = course_problems(course)
        if problems:
            raise ValidationError(problems)


# Lesson order: regular lessons are numbered 1..n without gaps.


def _renumber(rows: QuerySet, ordered_ids: list[int]) -> None:
    """Two UPDATEs: out of the way, then 1..n in the given order."""
    if not ordered_ids:
        return
    rows.filter(pk__in=ordered_ids).update(position=F("position") + POSITION_OFFSET)
    rows.filter(pk__in=ordered_ids).update(
        position=Case(*(When(pk=pk, then=Value(n)) for n, pk in enumerate(ordered_ids, 1)))
    )


def _regular_ids(course: Course) -> list[int]:
    return list(
        Lesson.objects.filter(course=course, kind=Lesson.Kind.REGULAR)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )


def _lock(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


@transaction.atomic
def reorder_lessons(*, course: Course, lesson_ids: list[int]) -> None:
    """Puts the course's regular lessons in the given order; lessons not named keep their
    relative order after the named ones. Positions end up 1..n."""
    _lock(course)
    current = _regular_ids(course)
    unknown = set(lesson_ids) - set(current)
    if unknown:
        raise ValidationError("Diese Lektionen gehören nicht zu diesem Kurs.")
    named = list(dict.fromkeys(lesson_ids))
    _renumber(Lesson.objects.filter(course=course), named + [i for i in current if i not in named])


@transaction.atomic
def move_lesson(*, lesson: Lesson, to_position: int) -> None:
    if lesson.is_final:
        raise ValidationError("Die Abschlusslektion steht immer am Ende.")
    _lock(lesson.course)
    ids = _regular_ids(lesson.course)
    ids.remove(lesson.pk)
    ids.insert(max(0, min(to_position - 1, len(ids))), lesson.pk)
    _renumber(Lesson.objects.filter(course_id=lesson.course_id), ids)


@transaction.atomic
def renumber_lessons(*, course: Course) -> None:
    """Closes gaps (after a deletion), keeping the order."""
    _lock(course)
    _renumber(Lesson.objects.filter(course=course), _regular_ids(course))


@transaction.atomic
def delete_lesson(*, lesson: Lesson) -> None:
    course = _lock(lesson.course)
    lesson.delete()
    _renumber(Lesson.objects.filter(course=course), _regular_ids(course))
    _recheck_published(course)


@transaction.atomic
def save_lessons_in_order(*, course: Course, lessons: list[Lesson]) -> None:
    """Saves new or edited lessons of a course (the admin's lesson list) and numbers the regular
    ones 1..n in the order given; a final lesson is saved without a position. Lessons of the
    course not in the list follow in their old order."""
    _lock(course)
    if sum(lesson.is_final for lesson in lessons) > 1:
        raise ValidationError("Ein Kurs hat genau eine Abschlusslektion.")
    for lesson in lessons:
        lesson.course = course
    rows = Lesson.objects.filter(course=course)
    _save_in_order(rows, lessons, is_positioned=lambda lesson: not lesson.is_final)


@transaction.atomic
def save_tasks_in_order(*, lesson: Lesson, tasks: list[LearningTask]) -> None:
    """Saves new or edited tasks of a lesson (the admin's task list), numbered 1..n as given."""
    _lock(lesson.course)
    for task in tasks:
        task.lesson = lesson
    _save_in_order(LearningTask.objects.filter(lesson=lesson), tasks, is_positioned=lambda _: True)


def _save_in_order(rows: QuerySet, objects: list, *, is_positioned) -> None:
    # Every stored position moves above the offset first; each object is then saved at its
    # place 1..k, and what was not given follows at k+1.. in its old order. No step ever puts
    # two rows on one position, even where the database checks uniqueness row by row.
    rows.filter(position__isnull=False).update(position=F("position") + POSITION_OFFSET)
    placed = 0
    for obj in objects:
        if is_positioned(obj):
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


def next_position(course: Course) -> int:
    """Where a new regular lesson goes: after the last one."""
    last = Lesson.objects.filter(course=course).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@dataclass(frozen=True)
class TaskText:
    prompt: str
    expected_answer: str = ""
    checklist: str = ""


@transaction.atomic
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
    _lock(course)
    lesson = Lesson(
        course=course,
        kind=Lesson.Kind.FINAL if is_final else Lesson.Kind.REGULAR,
        position=None if is_final else next_position(course),
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
    _recheck_published(course)
    return lesson


@transaction.atomic
def copy_lessons(*, lessons: Iterable[Lesson], into: Course) -> list[Lesson]:
    """Copies lessons with their tasks to the end of another course, in the order given. A final
    lesson is copied as the target's final lesson, if it has none yet."""
    into = _lock(into)
    copies = []
    for source in lessons:
        is_final = source.is_final
        if is_final and Lesson.objects.filter(course=into, kind=Lesson.Kind.FINAL).exists():
            raise ValidationError(f"„{into.title}“ hat schon eine Abschlusslektion.")
        copy = Lesson(
            course=into,
            kind=source.kind,
            position=None if is_final else next_position(into),
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
    _recheck_published(into)
    return copies


@transaction.atomic
def build_private_course(*, title: str, learner, lessons: Iterable[Lesson]) -> Course:
    """A private course from existing lessons ("we put your course together for you"), in the
    order given, published by the same rules as any course and granted to the customer.

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


# Progress: one row per enrolment and task, whichever channel the learner uses.


@dataclass(frozen=True)
class TaskWork:
    is_done: bool
    answer: str = ""


@transaction.atomic
def save_lesson_work(
    *, enrolment: Enrolment, lesson: Lesson, work: dict[int, TaskWork], certificate_name=None
) -> None:
    """Stores what the learner did with the lesson's tasks. Writing an answer counts as done.
    Completing the final lesson issues the certificate."""
    enrolment = _lock_active(enrolment)
    _check_unlocked(enrolment, lesson)
    if certificate_name is not None:
        set_certificate_name(enrolment=enrolment, name=certificate_name)
    task_ids = set(lesson.tasks.values_list("pk", flat=True))
    for task_id, entry in work.items():
        if task_id not in task_ids:
            continue
        answer = entry.answer.strip()
        TaskProgress.objects.update_or_create(
            enrolment=enrolment,
            task_id=task_id,
            defaults={"is_done": entry.is_done or bool(answer), "answer": answer},
        )
    _after_progress(enrolment, lesson)


@transaction.atomic
def complete_lesson(*, enrolment: Enrolment, lesson: Lesson, certificate_name=None) -> None:
    """Marks every task of the lesson done, keeping answers: the e-mail's signed link."""
    enrolment = _lock_active(enrolment)
    _check_unlocked(enrolment, lesson)
    if certificate_name is not None:
        set_certificate_name(enrolment=enrolment, name=certificate_name)
    for task in lesson.tasks.all():
        progress, created = TaskProgress.objects.get_or_create(
            enrolment=enrolment, task=task, defaults={"is_done": True}
        )
        if not created and not progress.is_done:
            progress.is_done = True
            progress.save(update_fields=["is_done", "updated_at"])
    _after_progress(enrolment, lesson)


def set_certificate_name(*, enrolment: Enrolment, name: str) -> None:
    name = " ".join(name.split())
    if "@" in name:
        raise ValidationError(_("Bitte geben Sie einen Namen ein, keine E-Mail-Adresse."))
    if len(name) > Enrolment._meta.get_field("certificate_name").max_length:
        raise ValidationError(_("Der Name ist zu lang."))
    Enrolment.objects.filter(pk=enrolment.pk).update(certificate_name=name)
    enrolment.certificate_name = name


def _lock_active(enrolment: Enrolment) -> Enrolment:
    # of=self: the course and the user rows stay unlocked, so learners never wait on each other.
    locked = Enrolment.objects.select_for_update(of=("self",)).select_related("course", "learner")
    enrolment = locked.get(pk=enrolment.pk)
    if not enrolment.is_active:
        raise ValidationError(_("Diese Einschreibung ist beendet."))
    return enrolment


def _check_unlocked(enrolment: Enrolment, lesson: Lesson) -> None:
    if lesson.course_id != enrolment.course_id:
        raise ValidationError(_("Diese Lektion gehört nicht zu diesem Kurs."))
    if lesson.is_final:
        outline = selectors.course_outline(enrolment=enrolment)
        if not selectors.regular_lessons_complete(outline.lessons):
            raise LessonLocked


def _after_progress(enrolment: Enrolment, lesson: Lesson) -> None:
    if not lesson.is_final:
        return
    outline = selectors.course_outline(enrolment=enrolment)
    if outline.is_complete:
        certificates.issue_certificate(enrolment=enrolment)
