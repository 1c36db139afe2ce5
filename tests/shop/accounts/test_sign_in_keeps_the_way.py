"""A reader sent to sign in from a page that needs it (a lesson from a lesson e-mail, the
library) comes back to that page by the e-mailed link; a link can never send them elsewhere."""

import re
from urllib.parse import urlsplit

import pytest

from courses import services
from tests.courses import factories as course_factories
from tests.shop.buyer import bought
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db


def link_from_the_email(outbox) -> str:
    url = re.search(r"http://\S+/sign-in/\S+", outbox[-1].body).group(0)
    return urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")


def test_a_reader_sent_to_sign_in_from_a_lesson_returns_to_the_lesson(client, outbox):
    learner = course_factories.learner()
    enrolment = services.enrol(learner=learner, course=course_factories.course())
    lesson_page = f"/courses/{enrolment.course.slug}/learn/"

    sent_to = client.get(lesson_page)
    assert sent_to.status_code == 302
    sign_in_page = sent_to["Location"]
    assert urlsplit(sign_in_page).path == "/sign-in/"
    with worker_runs():
        client.post(sign_in_page, {"email": enrolment.learner.email})
    link = link_from_the_email(outbox)
    assert "Jetzt anmelden" in client.get(link).content.decode()

    signed_in = client.post(link)

    assert signed_in.status_code == 302 and signed_in["Location"] == lesson_page
    assert client.get(lesson_page).status_code == 200


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/library/", "/\\evil.example", "library"]
)
def test_a_link_never_sends_a_reader_to_another_site(client, outbox, elsewhere):
    order = bought()
    with worker_runs():
        client.post("/sign-in/", {"email": order.email, "next": elsewhere})
    link = link_from_the_email(outbox)
    assert "evil" not in link

    # Even a link whose next was changed by hand returns to the library.
    signed_in = client.post(urlsplit(link).path + "?next=" + elsewhere)

    assert signed_in.status_code == 302 and signed_in["Location"] == "/library/"
