"""The courses' Celery tasks, under the names queued messages and beat's schedule know them by:
ids in, one call, done. The functions they call are idempotent."""

from courses import certificates, drip, pdf
from courses.models import Course
from plumbing.tasks import periodic_task, task


@periodic_task("courses.tasks.send_due_lessons")
def send_due_lessons() -> int:
    """Beat, every few minutes. Each enrolment is its own transaction; a failed one waits for
    the next run, which is its retry."""
    return drip.send_due_lessons()


@task("courses.tasks.send_due_lesson")
def send_due_lesson(enrolment_id: int) -> bool:
    """Right after the learner starts or resumes the e-mail course, not waiting for beat."""
    return drip.send_next_lesson(enrolment_id=enrolment_id) is not None


@task("courses.tasks.send_remaining_lessons")
def send_remaining_lessons(enrolment_id: int) -> int:
    return drip.send_remaining_lessons(enrolment_id=enrolment_id)


@task("courses.tasks.deliver_certificate", soft_time_limit=120)
def deliver_certificate(certificate_id: int) -> None:
    certificates.render_certificate(certificate_id=certificate_id)
    send_certificate_email.delay(certificate_id)


@task("courses.tasks.send_certificate_email")
def send_certificate_email(certificate_id: int) -> str:
    return certificates.send_certificate_email(certificate_id=certificate_id)


@task("courses.tasks.prerender_course_pdf", soft_time_limit=300)
def prerender_course_pdf(course_id: int) -> None:
    """Publishing warms the cache, so the first learner does not wait for the render."""
    pdf.course_base_pdf(Course.objects.get(pk=course_id))
