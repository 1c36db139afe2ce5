"""The whole course as one PDF workbook: one base render per course version, stamped per learner."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from courses import selectors
from courses.models import Course, Enrolment, Lesson
from documents import pdf as documents

COURSE_TEMPLATE = "courses/pdf/course.html"
WRITING_LINES = 6


def course_content_version(course: Course, lessons: list[Lesson]) -> str:
    """Changes when anything printed changes: the course, any lesson or task, the template."""
    parts = [course.title, course.subtitle, course.description, course.cover_colour]
    for lesson in lessons:
        parts += [lesson.kind, str(lesson.position), lesson.title, lesson.body, lesson.reflection]
        for task in lesson.tasks.all():
            parts += [str(task.position), task.prompt, task.expected_answer, task.checklist]
    parts += [settings.PUBLISHER_NAME, documents.template_source(COURSE_TEMPLATE)]
    return documents.content_key(*parts)


def render_course_base_pdf(course: Course, lessons: list[Lesson]) -> bytes:
    regular = [lesson for lesson in lessons if not lesson.is_final]
    with translation.override("de"):  # the base is shared by every learner
        html = _render_html(course, lessons, regular)
    return documents.render_pdf(html=html)


def _render_html(course: Course, lessons: list[Lesson], regular: list[Lesson]) -> str:
    return render_to_string(
        COURSE_TEMPLATE,
        {
            "title": course.title,
            "course": course,
            "lessons": regular,
            "final": next((lesson for lesson in lessons if lesson.is_final), None),
            "has_hints": any(
                task.expected_answer for lesson in lessons for task in lesson.tasks.all()
            ),
            "writing_lines": range(WRITING_LINES),
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )


def course_base_pdf(course: Course) -> bytes:
    """The shared base, from the cache when this version was rendered before."""
    lessons = selectors.course_lessons_with_tasks(course=course)
    return documents.cached_pdf(
        key=course_content_version(course, lessons),
        render=lambda: render_course_base_pdf(course, lessons),
    )


def licensed_course_pdf(*, enrolment: Enrolment) -> bytes:
    """The licence line speaks the enrolment's language; the workbook's content is German."""
    email = enrolment.learner.email
    with translation.override(enrolment.language):
        line = gettext("Lizenziert für %(email)s · nur zur persönlichen Nutzung") % {"email": email}
    return documents.stamp_licence(
        pdf=course_base_pdf(enrolment.course),
        line=line,
        metadata={"/Licensee": email, "/Licence": "personal use only"},
    )
