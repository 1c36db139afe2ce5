"""The signed link in a lesson e-mail that marks the lesson done without signing in. It does not
expire: the lesson's e-mail may wait in an inbox for weeks."""

from django.urls import reverse

from courses.models import Enrolment, Lesson
from plumbing.links import make_token, read_token

LESSON_DONE_SALT = "courses.lesson-done"


def lesson_done_url(*, enrolment: Enrolment, lesson: Lesson) -> str:
    token = make_token({"enrolment": enrolment.pk, "lesson": lesson.pk}, salt=LESSON_DONE_SALT)
    return reverse("courses:lesson_done", kwargs={"token": token})


def read_lesson_done_token(token: str) -> tuple[int, int]:
    """(enrolment id, lesson id); plumbing.links.LinkInvalid for anything we did not sign so."""
    data = read_token(token, salt=LESSON_DONE_SALT)
    return data["enrolment"], data["lesson"]
