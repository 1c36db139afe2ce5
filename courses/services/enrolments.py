"""Enrolments, the shop's surface: the shop enrols a buyer inside its payment transaction and
ends the enrolment on a refund. One row per learner and course, ever; progress outlives it."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from courses.models import Course, Enrolment


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
