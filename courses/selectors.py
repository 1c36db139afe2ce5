"""Reads: who may learn what, a learner's outline of a course, and what the e-mail course owes."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from courses.models import (
    Certificate,
    Course,
    Enrolment,
    LearningTask,
    Lesson,
    LessonEmail,
    TaskProgress,
)


def has_access(*, learner, course: Course) -> bool:
    """True while the learner has an active enrolment in the course."""
    if not getattr(learner, "is_authenticated", False):
        return False
    return Enrolment.objects.filter(learner=learner, course=course, ended_at__isnull=True).exists()


def active_enrolment(*, learner, slug: str) -> Enrolment | None:
    """The learner's active enrolment in the course with this slug, with the course loaded."""
    if not getattr(learner, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.select_related("course", "learner")
        .filter(learner=learner, course__slug=slug, ended_at__isnull=True)
        .first()
    )


def learner_enrolments(*, learner) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(learner=learner, ended_at__isnull=True)
        .select_related("course")
        .order_by("course__title")
    )


@dataclass(frozen=True)
class LessonState:
    lesson: Lesson
    task_count: int
    done_count: int
    is_emailed: bool
    is_locked: bool

    @property
    def is_complete(self) -> bool:
        return self.task_count > 0 and self.done_count >= self.task_count


@dataclass(frozen=True)
class Outline:
    """Every lesson of a course with the learner's progress, from one query."""

    lessons: list[LessonState]

    @property
    def tasks_total(self) -> int:
        return sum(state.task_count for state in self.lessons)

    @property
    def tasks_done(self) -> int:
        return sum(min(state.done_count, state.task_count) for state in self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.tasks_done / self.tasks_total) if self.tasks_total else 0

    @property
    def final(self) -> LessonState | None:
        return next((state for state in self.lessons if state.lesson.is_final), None)

    @property
    def is_complete(self) -> bool:
        return self.final is not None and self.final.is_complete

    def state_of(self, lesson_id: int) -> LessonState | None:
        return next((state for state in self.lessons if state.lesson.pk == lesson_id), None)

    def neighbours(self, lesson_id: int) -> tuple[LessonState | None, LessonState | None]:
        ids = [state.lesson.pk for state in self.lessons]
        index = ids.index(lesson_id)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return before, after


def regular_lessons_complete(states: list[LessonState]) -> bool:
    return all(state.is_complete for state in states if not state.lesson.is_final)


def course_outline(*, enrolment: Enrolment) -> Outline:
    """One query, whatever the number of lessons: each lesson's task count, the learner's done
    count and whether the e-mail course has sent it. The final lesson is locked until every
    regular lesson is complete."""
    done = (
        TaskProgress.objects.filter(enrolment=enrolment, is_done=True, task__lesson=OuterRef("pk"))
        .values("task__lesson")
        .annotate(count=Count("pk"))
        .values("count")
    )
    lessons = (
        Lesson.objects.filter(course_id=enrolment.course_id)
        .only("pk", "course_id", "kind", "position", "title")
        .annotate(
            task_count=Count("tasks"),
            done_count=Coalesce(Subquery(done), 0),
            is_emailed=Exists(
                LessonEmail.objects.filter(enrolment=enrolment, lesson=OuterRef("pk"))
            ),
        )
        .in_course_order()
    )
    states = [
        LessonState(
            lesson=lesson,
            task_count=lesson.task_count,
            done_count=lesson.done_count,
            is_emailed=lesson.is_emailed,
            is_locked=False,
        )
        for lesson in lessons
    ]
    unlocked = regular_lessons_complete(states)
    return Outline(
        lessons=[
            LessonState(**{**state.__dict__, "is_locked": state.lesson.is_final and not unlocked})
            for state in states
        ]
    )


def lesson_with_tasks(*, enrolment: Enrolment, lesson_id: int) -> Lesson | None:
    """The lesson with its tasks, each carrying the learner's `my_progress` (a list of 0 or 1)."""
    return (
        Lesson.objects.filter(course_id=enrolment.course_id, pk=lesson_id)
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=LearningTask.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "progress",
                        queryset=TaskProgress.objects.filter(enrolment=enrolment),
                        to_attr="my_progress",
                    )
                ),
            )
        )
        .first()
    )


def course_lessons_with_tasks(*, course: Course) -> list[Lesson]:
    """The whole course in order, tasks prefetched: for the PDF and the publishing check."""
    return list(
        Lesson.objects.filter(course=course)
        .prefetch_related(Prefetch("tasks", queryset=LearningTask.objects.order_by("position")))
        .in_course_order()
    )


def next_lesson_to_email(*, enrolment: Enrolment) -> Lesson | None:
    """The first lesson in course order that was neither e-mailed nor completed online."""
    emailed = LessonEmail.objects.filter(enrolment=enrolment, lesson=OuterRef("pk"))
    done = TaskProgress.objects.filter(enrolment=enrolment, is_done=True, task=OuterRef("pk"))
    open_tasks = LearningTask.objects.filter(lesson=OuterRef("pk")).exclude(Exists(done))
    has_tasks = LearningTask.objects.filter(lesson=OuterRef("pk"))
    complete = Q(Exists(has_tasks)) & ~Q(Exists(open_tasks))
    return (
        Lesson.objects.filter(course_id=enrolment.course_id)
        .exclude(Exists(emailed))
        .exclude(complete)
        .in_course_order()
        .first()
    )


def due_email_enrolment_ids(*, now: datetime) -> list[int]:
    return list(
        Enrolment.objects.filter(
            channel=Enrolment.Channel.EMAIL,
            ended_at__isnull=True,
            email_paused_at__isnull=True,
            next_email_due_at__lte=now,
        )
        .order_by("next_email_due_at")
        .values_list("pk", flat=True)
    )


def certificate_by_code(*, code: str) -> Certificate | None:
    return (
        Certificate.objects.filter(code=code.strip().upper())
        .select_related("enrolment__course")
        .first()
    )
