"""A learner in a real browser: my courses, the course's learn page, each lesson's tasks ticked off
with the progress bar moving, until the final lesson opens."""

import pytest
from django.test import Client

from courses.models import Enrolment
from shop.models import Order, Product
from shop.orders import services
from tests import factories
from tests.courses import factories as course_factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_page(live_server, page):
    """A learner who bought a course of two lessons and a final one, signed in in the browser."""
    course = course_factories.course(lessons=2, title="Souverän verhandeln im Alltag")
    product = Product.objects.create(
        kind=Product.Kind.COURSE,
        course=course,
        name="eCourse",
        price_cents=2990,
    )
    order = services.create_order(product=product, email="lea@example.com")
    Order.objects.filter(pk=order.pk).update(stripe_session_id=f"cs_test_{order.reference}")
    services.complete_checkout(session=factories.completed_session(order))
    enrolment = Enrolment.objects.get(course=course)
    session = Client()
    session.force_login(enrolment.learner)
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page, course


def progress(page) -> tuple[int, int]:
    bar = page.locator("progress").first
    return int(bar.get_attribute("value")), int(bar.get_attribute("max"))


def test_learner_works_through_the_lessons_and_the_final_lesson_opens(
    live_server, learner_page, screens
):
    page, course = learner_page

    page.goto(live_server.url + "/courses/")
    screens(page, "my-courses")
    page.get_by_role("link", name=course.title).first.click()
    page.wait_for_url(f"**/courses/{course.slug}/learn/")
    done, total = progress(page)
    assert done == 0 and total == 2 * 4 + 1
    assert "öffnet sich, wenn alle Lektionen erledigt sind" in page.content()
    screens(page, "learn")

    for number in (1, 2):
        page.get_by_role("link", name=f"Lektion Nummer {number}").first.click()
        page.get_by_role("heading", name=f"Lektion Nummer {number}").wait_for()
        screens(page, f"lesson-{number}")
        boxes = page.get_by_label("Erledigt")
        assert boxes.count() == 4
        for box in range(4):
            boxes.nth(box).check()
        page.get_by_role("button", name="Speichern").click()
        page.get_by_text("Gespeichert.").wait_for()
        assert progress(page)[0] == done + 4, "the progress bar did not move"
        done += 4
        screens(page, f"lesson-{number}-done")
        page.get_by_role("link", name="Übersicht").click()
        page.wait_for_url(f"**/courses/{course.slug}/learn/")

    assert "öffnet sich, wenn alle Lektionen erledigt sind" not in page.content()
    screens(page, "learn-all-done")
    page.get_by_role("link", name="Rückblick und nächste Schritte").click()
    page.get_by_role("heading", name="Ihre Abschlussaufgabe").wait_for()
    assert "noch geschlossen" not in page.content()
    screens(page, "final-lesson")
