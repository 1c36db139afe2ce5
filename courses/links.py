"""The signed link in a lesson e-mail that marks the lesson done without signing in. Whoever
holds it can do that, so it expires (`LESSON_DONE_LINK_MAX_AGE`); after that the learner signs
in and ticks the lesson off in the course."""

from django.conf import settings
from django.urls import reverse

from courses.models import Enrolment, Lesson
from plumbing.links import LinkExpired, LinkInvalid, make_token, read_token

LESSON_DONE_SALT = "courses.lesson-done"


def lesson_done_url(*, enrolment: Enrolment, lesson: Lesson) -> str:
    token = make_token({"enrolment": enrolment.pk, "lesson": lesson.pk}, salt=LESSON_DONE_SALT)
    return reverse("courses:lesson_done", kwargs={"token": token})


def read_lesson_done_token(token: str) -> tuple[int, int]:
    """(enrolment id, lesson id); plumbing.links.LinkExpired for one of ours that is too old,
    LinkInvalid for anything we did not sign so."""
    try:
        data = read_token(token, salt=LESSON_DONE_SALT, max_age=settings.LESSON_DONE_LINK_MAX_AGE)
    except LinkExpired:
        raise
    except LinkInvalid:
        # Links sent before they carried their time are ours but of unknown age: expired.
        read_token(token, salt=LESSON_DONE_SALT)
        raise LinkExpired from None
    return data["enrolment"], data["lesson"]
