"""The course e-mails, each in the language of the enrolment: a lesson of the e-mail course, and
the certificate with its PDF."""

from django.conf import settings
from django.urls import reverse

from courses import links
from courses.models import Certificate, Enrolment, Lesson
from plumbing.mail import send_email


def send_lesson(
    *, enrolment: Enrolment, lesson: Lesson, number: int, total: int, is_last: bool
) -> None:
    course = enrolment.course
    send_email(
        to=enrolment.learner.email,
        language=enrolment.language,
        template="courses/emails/lesson",
        context={
            "course": course,
            "lesson": lesson,
            "tasks": list(lesson.tasks.order_by("position")),
            "number": number,
            "total": total,
            "is_last": is_last,
            "done_url": settings.SITE_URL
            + links.lesson_done_url(enrolment=enrolment, lesson=lesson),
            "lesson_url": settings.SITE_URL
            + reverse("courses:lesson", kwargs={"slug": course.slug, "lesson_id": lesson.pk}),
            "course_url": settings.SITE_URL + course.get_absolute_url(),
        },
    )


def send_certificate(*, certificate: Certificate) -> None:
    with certificate.file.open("rb") as pdf:
        content = pdf.read()
    send_email(
        to=certificate.enrolment.learner.email,
        language=certificate.enrolment.language,
        template="courses/emails/certificate",
        context={
            "certificate": certificate,
            "verify_url": settings.SITE_URL + certificate.get_absolute_url(),
        },
        attachments=[(f"zertifikat-{certificate.code}.pdf", content, "application/pdf")],
    )
