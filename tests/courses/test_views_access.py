"""Only an active enrolment opens a course: everyone else gets the sales page (or the sign-in
page, or nothing), and never a lesson body, on every lesson URL, the PDF and the overview."""

import pytest
from django.urls import reverse

from courses import services
from tests.courses import factories

pytestmark = pytest.mark.django_db


def course_urls(course):
    lessons = list(course.lessons.in_course_order())
    return [
        f"/courses/{course.slug}/learn/",
        *[f"/courses/{course.slug}/learn/{lesson.pk}/" for lesson in lessons],
        f"/courses/{course.slug}/pdf/",
        f"/courses/{course.slug}/certificate/",
    ]


def assert_no_lesson_body(response):
    content = response.content.decode()
    assert "Lektionstext-" not in content and "Abschlusstext" not in content
    assert "Aufgabe 1 zu Lektion" not in content


def test_the_urls_cover_every_lesson(course):
    assert len(course_urls(course)) == 1 + 3 + 1 + 2  # overview, lessons, final, PDFs


def test_anonymous_visitors_are_sent_to_sign_in(client, course):
    for url in course_urls(course):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/?next="), url
        assert_no_lesson_body(response)


def test_a_signed_in_learner_without_enrolment_gets_the_sales_page(signed_in, course):
    sales_page = reverse("shop:course", kwargs={"slug": course.slug})

    for url in course_urls(course):
        response = signed_in.get(url)
        assert (response.status_code, response["Location"]) == (302, sales_page), url
        assert_no_lesson_body(response)
        assert_no_lesson_body(signed_in.get(url, follow=True))
    response = signed_in.post(
        f"/courses/{course.slug}/email/", {"action": "start", "interval_days": 1}
    )
    assert (response.status_code, response["Location"]) == (302, sales_page)


def test_ended_enrolment_and_enrolment_in_another_course_give_the_sales_page(
    signed_in, learner, course
):
    services.enrol(learner=learner, course=factories.course(lessons=1))
    services.enrol(learner=learner, course=course)
    services.end_enrolment(learner=learner, course=course)
    sales_page = reverse("shop:course", kwargs={"slug": course.slug})

    for url in course_urls(course):
        response = signed_in.get(url)
        assert (response.status_code, response["Location"]) == (302, sales_page), url
        assert_no_lesson_body(response)


def test_draft_and_other_customers_private_courses_are_not_found(signed_in):
    draft = factories.course(lessons=1, published=False)
    private = services.build_private_course(
        title="Für jemand anderen",
        learner=factories.learner(),
        lessons=factories.regular_lessons(factories.course(lessons=1)),
    )

    for url in course_urls(draft) + course_urls(private):
        response = signed_in.get(url)
        assert response.status_code == 404, url
        assert_no_lesson_body(response)


def test_the_customer_opens_their_private_course(signed_in, learner):
    private = services.build_private_course(
        title="Nur für Lea",
        learner=learner,
        lessons=factories.regular_lessons(factories.course(lessons=2)),
    )

    response = signed_in.get(private.get_absolute_url())

    assert response.status_code == 200 and "Nur für Lea" in response.content.decode()


def test_an_enrolled_learner_opens_every_lesson_but_not_one_of_another_course(
    signed_in, enrolment, course
):
    for lesson in course.lessons.filter(kind="regular"):
        response = signed_in.get(f"/courses/{course.slug}/learn/{lesson.pk}/")
        assert response.status_code == 200
        assert f"Lektionstext-{lesson.position}" in response.content.decode()
    foreign = factories.regular_lessons(factories.course(lessons=1))[0]

    assert signed_in.get(f"/courses/{course.slug}/learn/{foreign.pk}/").status_code == 404


def test_the_final_lesson_body_stays_closed_until_every_lesson_is_complete(
    signed_in, enrolment, course
):
    final = factories.final_lesson(course)

    response = signed_in.get(f"/courses/{course.slug}/learn/{final.pk}/")

    assert response.status_code == 200
    assert "noch geschlossen" in response.content.decode()
    assert_no_lesson_body(response)
