"""The Content-Security-Policy in a real browser (finding 12 of issue 12): Chromium visits the key
pages of the demo shop, the admin's among them, and any script, style, frame or form target the
policy blocks fails the test, whether the page reports it as an event, Chromium logs it on the
console, or the browser posts it to /csp-report/."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from courses.models import Course, Enrolment, Lesson
from shop.models import Article, Order, Product, Series
from shop.orders import services
from tests import factories
from tests.admin_login import sign_in_to_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every violation the page sees, collected before any script of the page runs.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI} at ${where}`);
});
"""


@pytest.fixture
def demo_shop(db):
    call_command("load_demo_content")
    return {
        "article": Article.objects.published().first().get_absolute_url(),
        "series": Series.objects.first().get_absolute_url(),
        "course": f"/kurse/{Product.objects.get(kind=Product.Kind.COURSE).course.slug}/",
    }


def signed_in(page, live_server, user) -> None:
    session = Client()
    if user.is_staff:
        sign_in_to_admin(session, user, password="admin")
    else:
        session.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )


def bought_the_course() -> tuple[object, str]:
    """A reader who bought the demo course and an article: their library and first lesson."""
    product = Product.objects.get(kind=Product.Kind.COURSE)
    order = services.create_order(product=product, email="lea@example.com")
    Order.objects.filter(pk=order.pk).update(stripe_session_id=f"cs_test_{order.reference}")
    services.complete_checkout(session=factories.completed_session(order))
    enrolment = Enrolment.objects.get(learner__email="lea@example.com")
    lesson = Lesson.objects.filter(course=enrolment.course).in_course_order().first()
    course = Course.objects.get(pk=enrolment.course_id)
    return enrolment.learner, f"/courses/{course.slug}/learn/{lesson.pk}/"


@pytest.fixture
def watch(page, caplog):
    """Visits a path and returns every violation seen there, from all three sources."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(LISTEN)
    caplog.set_level(logging.WARNING, logger="csp")

    def visit(live_server, path: str) -> list[str]:
        console.clear()
        caplog.clear()
        response = page.goto(live_server.url + path)
        assert response.ok, f"{path} answered {response.status}"
        assert response.headers.get("content-security-policy"), f"{path} has no policy"
        page.wait_for_load_state("networkidle")
        seen = page.evaluate("window.__violations") + console
        reported = [r.getMessage() for r in caplog.records if r.name == "csp"]
        return seen + reported

    return visit


def test_the_shops_pages_break_no_rule_of_their_policy(live_server, page, demo_shop, watch):
    learner, lesson = bought_the_course()
    public = [
        "/", demo_shop["article"], demo_shop["series"], demo_shop["course"],
        "/individuelles-e-book/", "/ki-berater/", "/sign-in/", "/vertraege-kuendigen/",
        "/vertrag-widerrufen/", "/admin/login/",
    ]  # fmt: skip
    violations = {path: watch(live_server, path) for path in public}

    signed_in(page, live_server, learner)
    for path in ("/library/", "/courses/", lesson):
        violations[path] = watch(live_server, path)

    assert {path: seen for path, seen in violations.items() if seen} == {}


def test_the_admin_works_under_the_policy(live_server, page, demo_shop, watch):
    """The admin's own scripts (the change list's actions, a change form's inlines) are files
    of its own, so they run; a page of the shop that needed inline code would show here."""
    signed_in(page, live_server, get_user_model().objects.get(username="admin"))
    paths = ["/admin/", "/admin/shop/order/", "/admin/shop/article/add/", "/admin/courses/course/"]
    violations = {path: watch(live_server, path) for path in paths}

    assert {path: seen for path, seen in violations.items() if seen} == {}
    page.goto(live_server.url + "/admin/shop/article/add/")
    page.get_by_label("Titel").press_sequentially("Gehalt im Dezember")
    # The admin's prepopulate script fills the slug from the title: its script ran.
    assert page.get_by_label("Kurzname").input_value().startswith("gehalt-im-dezember")
