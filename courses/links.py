"""The signed link in a lesson e-mail that marks the lesson done without signing in."""

from django.core import signing
from django.urls import reverse

from courses.models import Enrolment, Lesson

LESSON_DONE_SALT = "courses.lesson-done"


class LinkInvalid(Exception):
    pass


def lesson_done_token(*, enrolment: Enrolment, lesson: Lesson) -> str:
    return signing.Signer(salt=LESSON_DONE_SALT).sign_object(
        {"enrolment": enrolment.pk, "lesson": lesson.pk}
    )


def lesson_done_url(*, enrolment: Enrolment, lesson: Lesson) -> str:
    token = lesson_done_token(enrolment=enrolment, lesson=lesson)
    return reverse("courses:lesson_done", kwargs={"token": token})


def read_lesson_done_token(token: str) -> tuple[int, int]:
    """(enrolment id, lesson id), or LinkInvalid for anything not signed by us with this salt."""
    try:
        data = signing.Signer(salt=LESSON_DONE_SALT).unsign_object(token)
        return int(data["enrolment"]), int(data["lesson"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc
