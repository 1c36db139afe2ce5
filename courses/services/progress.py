"""A learner's progress: one row per enrolment and task, whichever channel they learn in (the
lesson page, or the signed link in a lesson e-mail). Completing the final lesson issues the
certificate."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses import certificates, selectors
from courses.models import Enrolment, Lesson, TaskProgress


class LessonLocked(Exception):
    """The final lesson opens only when every regular lesson is complete."""


@dataclass(frozen=True)
class TaskWork:
    is_done: bool
    answer: str = ""


@transaction.atomic
def save_lesson_work(
    *, enrolment: Enrolment, lesson: Lesson, work: dict[int, TaskWork], certificate_name=None
) -> None:
    """Stores what the learner did with the lesson's tasks. Writing an answer counts as done."""
    enrolment = _lock_active(enrolment)
    _check_unlocked(enrolment, lesson)
    if certificate_name is not None:
        _set_certificate_name(enrolment, certificate_name)
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
        _set_certificate_name(enrolment, certificate_name)
    for task in lesson.tasks.all():
        progress, created = TaskProgress.objects.get_or_create(
            enrolment=enrolment, task=task, defaults={"is_done": True}
        )
        if not created and not progress.is_done:
            progress.is_done = True
            progress.save(update_fields=["is_done", "updated_at"])
    _after_progress(enrolment, lesson)


def _set_certificate_name(enrolment: Enrolment, name: str) -> None:
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
