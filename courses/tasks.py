"""Celery tasks: ids in, one service call, done. The services are idempotent."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# SMTP errors and refused connections are OSErrors; a lost database connection is one of the others.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 12,
    "acks_late": True,
}


@shared_task(acks_late=True)
def send_due_lessons() -> int:
    """Beat, every few minutes. Each enrolment is its own transaction; a failed one waits for
    the next run, which is its retry."""
    from courses import drip

    return drip.send_due_lessons()


@shared_task(**RETRY)
def send_due_lesson(enrolment_id: int) -> bool:
    """Right after the learner starts or resumes the e-mail course, not waiting for beat."""
    from courses import drip

    return drip.send_next_lesson(enrolment_id=enrolment_id) is not None


@shared_task(**RETRY)
def send_remaining_lessons(enrolment_id: int) -> int:
    from courses import drip

    return drip.send_remaining_lessons(enrolment_id=enrolment_id)


@shared_task(soft_time_limit=120, **RETRY)
def deliver_certificate(certificate_id: int) -> None:
    from courses import certificates

    certificates.render_certificate(certificate_id=certificate_id)
    send_certificate_email.delay(certificate_id)


@shared_task(**RETRY)
def send_certificate_email(certificate_id: int) -> str:
    from courses import certificates

    return certificates.send_certificate_email(certificate_id=certificate_id)


@shared_task(soft_time_limit=300, **RETRY)
def prerender_course_pdf(course_id: int) -> None:
    """Publishing warms the cache, so the first learner does not wait for the render."""
    from courses import pdf
    from courses.models import Course

    pdf.course_base_pdf(Course.objects.get(pk=course_id))
