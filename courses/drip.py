"""The e-mail course: one lesson per interval, sent by beat, each exactly once per learner.

Sending lesson L to enrolment E happens in one transaction that locks E, checks it is still due,
inserts the LessonEmail row (unique per enrolment and lesson), sends the e-mail and moves the
schedule on. A second beat process either skips the locked row or, once the first commits,
finds it no longer due; and the unique row stops anything that slips past both.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import emails, selectors
from courses.models import Enrolment, Lesson, LessonEmail
from plumbing.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


def _locked(enrolment_id: int, *, skip_locked: bool = False) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update(skip_locked=skip_locked, of=("self",))
        .select_related("course", "learner")
        .filter(pk=enrolment_id)
        .first()
    )


def _require_active(enrolment: Enrolment | None) -> Enrolment:
    if enrolment is None or not enrolment.is_active:
        raise ValidationError(_("Diese Einschreibung ist beendet."))
    return enrolment


# The learner's choices.


@transaction.atomic
def switch_to_email(*, enrolment: Enrolment, interval_days: int) -> Enrolment:
    """Starts the e-mail course (the next lesson goes out right away) or changes its interval."""
    enrolment = _require_active(_locked(enrolment.pk))
    if interval_days not in Enrolment.Interval.values:
        raise ValidationError(_("Bitte wählen Sie täglich, alle 2 Tage oder wöchentlich."))
    starting = not enrolment.is_email_course
    enrolment.email_interval_days = interval_days
    if starting:
        enrolment.channel = Enrolment.Channel.EMAIL
        enrolment.email_paused_at = None
        enrolment.next_email_due_at = timezone.now()
        enqueue_on_commit("courses.tasks.send_due_lesson", enrolment.pk)
    enrolment.save()
    return enrolment


@transaction.atomic
def switch_to_online(*, enrolment: Enrolment) -> Enrolment:
    enrolment = _require_active(_locked(enrolment.pk))
    enrolment.channel = Enrolment.Channel.ONLINE
    enrolment.email_paused_at = None
    enrolment.next_email_due_at = None
    enrolment.save()
    return enrolment


@transaction.atomic
def pause(*, enrolment: Enrolment) -> Enrolment:
    enrolment = _require_active(_locked(enrolment.pk))
    if enrolment.is_email_course and not enrolment.is_email_paused:
        enrolment.email_paused_at = timezone.now()
        enrolment.save(update_fields=["email_paused_at"])
    return enrolment


@transaction.atomic
def resume(*, enrolment: Enrolment) -> Enrolment:
    """The schedule goes on; a lesson that fell due during the pause goes out at once."""
    enrolment = _require_active(_locked(enrolment.pk))
    if enrolment.is_email_course and enrolment.is_email_paused:
        enrolment.email_paused_at = None
        if enrolment.next_email_due_at is None and selectors.next_lesson_to_email(
            enrolment=enrolment
        ):
            enrolment.next_email_due_at = timezone.now()
        enrolment.save(update_fields=["email_paused_at", "next_email_due_at"])
        enqueue_on_commit("courses.tasks.send_due_lesson", enrolment.pk)
    return enrolment


@transaction.atomic
def request_all_remaining(*, enrolment: Enrolment) -> Enrolment:
    """The learner's "send all remaining now": the worker sends them one claim at a time."""
    enrolment = _require_active(_locked(enrolment.pk))
    if not enrolment.is_email_course:
        raise ValidationError(_("Bitte wählen Sie zuerst den E-Mail-Kurs."))
    enqueue_on_commit("courses.tasks.send_remaining_lessons", enrolment.pk)
    return enrolment


# Sending.


def _next_due(enrolment: Enrolment, now: datetime) -> datetime:
    """Anchored to the previous due time, so the hour of day does not drift with beat's period;
    after a pause or an outage, one interval from now (no catch-up flood)."""
    interval = timedelta(days=enrolment.email_interval_days)
    anchor = enrolment.next_email_due_at or now
    following = anchor + interval
    return following if following > now else now + interval


def _lesson_number(lesson: Lesson, total_regular: int) -> int:
    return total_regular + 1 if lesson.is_final else lesson.position


def send_next_lesson(*, enrolment_id: int, now: datetime | None = None, force: bool = False):
    """Sends the enrolment's next lesson if it is due (or `force`, for "send all remaining").
    Returns the lesson sent, or None. Safe to run any number of times, concurrently."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _locked(enrolment_id, skip_locked=not force)
        if enrolment is None or not enrolment.is_active or not enrolment.is_email_course:
            return None
        if not force and (
            enrolment.is_email_paused
            or enrolment.next_email_due_at is None
            or enrolment.next_email_due_at > now
        ):
            return None
        lesson = selectors.next_lesson_to_email(enrolment=enrolment)
        if lesson is None:
            enrolment.next_email_due_at = None
            enrolment.save(update_fields=["next_email_due_at"])
            return None
        # The claim: a second copy of this transaction waits on the lock above and then finds
        # the lesson sent; the unique constraint would refuse it even without the lock.
        LessonEmail.objects.create(enrolment=enrolment, lesson=lesson, sent_at=now)
        total = enrolment.course.lessons.filter(kind=Lesson.Kind.REGULAR).count()
        following = selectors.next_lesson_to_email(enrolment=enrolment)
        emails.send_lesson(
            enrolment=enrolment,
            lesson=lesson,
            number=_lesson_number(lesson, total),
            total=total,
            is_last=following is None,
        )
        enrolment.next_email_due_at = None if following is None else _next_due(enrolment, now)
        enrolment.save(update_fields=["next_email_due_at"])
    logger.info("Sent %s to enrolment %s", lesson, enrolment_id)
    return lesson


def send_due_lessons(*, now: datetime | None = None) -> int:
    """Beat: every enrolment whose lesson is due gets it, one transaction each. A failure (an
    SMTP error) rolls back that claim only; the next run tries again."""
    now = now or timezone.now()
    sent = 0
    for enrolment_id in selectors.due_email_enrolment_ids(now=now):
        try:
            if send_next_lesson(enrolment_id=enrolment_id, now=now):
                sent += 1
        except Exception:
            logger.exception("Enrolment %s: lesson e-mail failed; will try again", enrolment_id)
    return sent


def send_remaining_lessons(*, enrolment_id: int) -> int:
    sent = 0
    while send_next_lesson(enrolment_id=enrolment_id, force=True):
        sent += 1
    return sent
