"""The course e-mails, as text with an HTML alternative, in the language of the enrolment."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from courses import links
from courses.models import Certificate, Enrolment, Lesson


def _send(*, to: str, subject: str, template: str, context: dict, attachments=()) -> None:
    """Renders in the active language: callers build the subject and call this inside
    `translation.override(enrolment.language)`, whoever's request or worker sends it."""
    context = {**context, "publisher_name": settings.PUBLISHER_NAME, "site_url": settings.SITE_URL}
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
    with translation.override(enrolment.language):
        if lesson.is_final:
            subject = _("%(course)s: Abschlusslektion – %(lesson)s")
        else:
            subject = _("%(course)s: Lektion %(number)s von %(total)s – %(lesson)s")
        names = {"course": course.title, "lesson": lesson.title, "number": number, "total": total}
        _send(
            to=enrolment.learner.email,
            subject=subject % names,
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
    with translation.override(certificate.enrolment.language):
        _send(
            to=certificate.enrolment.learner.email,
            subject=_("Ihr Zertifikat: %(course)s") % {"course": certificate.course_title},
            template="course_certificate",
            context={
                "certificate": certificate,
                "verify_url": settings.SITE_URL + certificate.get_absolute_url(),
            },
            attachments=[(f"zertifikat-{certificate.code}.pdf", content, "application/pdf")],
        )
