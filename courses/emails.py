"""The course e-mails, in German, as text with an HTML alternative."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from courses import links
from courses.models import Certificate, Enrolment, Lesson


def _send(*, to: str, subject: str, template: str, context: dict, attachments=()) -> None:
    context = {**context, "publisher_name": settings.PUBLISHER_NAME, "site_url": settings.SITE_URL}
    # German whoever's request or worker sends it (dates, month names).
    with translation.override("de"):
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


def send_lesson(
    *, enrolment: Enrolment, lesson: Lesson, number: int, total: int, is_last: bool
) -> None:
    course = enrolment.course
    if lesson.is_final:
        subject = f"{course.title}: Abschlusslektion – {lesson.title}"
    else:
        subject = f"{course.title}: Lektion {number} von {total} – {lesson.title}"
    _send(
        to=enrolment.learner.email,
        subject=subject,
        template="course_lesson",
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
    _send(
        to=certificate.enrolment.learner.email,
        subject=f"Ihr Zertifikat: {certificate.course_title}",
        template="course_certificate",
        context={
            "certificate": certificate,
            "verify_url": settings.SITE_URL + certificate.get_absolute_url(),
        },
        attachments=[(f"zertifikat-{certificate.code}.pdf", content, "application/pdf")],
    )
