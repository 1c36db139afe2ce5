"""Staff's admin: publishing shows why a course cannot go live, lessons keep exactly four tasks
and gap-free positions, lessons are copied, and private courses are built for customers."""

import re

import pytest

from courses import selectors, services
from courses.models import MAX_LESSONS, Course, LearningTask, Lesson
from tests.courses import factories

pytestmark = pytest.mark.django_db


def titles_and_positions(course):
    return list(
        Lesson.objects.filter(course=course).in_course_order().values_list("title", "position")
    )


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    client.force_login(user)
    return client


def admin_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_admin_publish_action_shows_why_a_course_cannot_be_published(staff):
    course = factories.course(lessons=MAX_LESSONS + 1, published=False)

    response = staff.post(
        "/admin/courses/course/",
        {"action": "publish", "_selected_action": [course.pk]},
        follow=True,
    )

    assert "kann nicht veröffentlicht werden" in admin_messages(response)
    assert "31 Lektionen; erlaubt sind höchstens 30" in admin_messages(response)
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT


def test_admin_publish_action_publishes_a_good_course(staff):
    course = factories.course(lessons=2, published=False)

    response = staff.post(
        "/admin/courses/course/",
        {"action": "publish", "_selected_action": [course.pk]},
        follow=True,
    )

    assert "1 Kurs(e) veröffentlicht" in admin_messages(response)
    course.refresh_from_db()
    assert course.is_published


def task_formset(prefix, tasks, total=None):
    """The POST data of the admin's task inline with these (id, prompt) rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(total or len(tasks)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for pk, _ in tasks if pk)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "4",
    }
    for i, (pk, prompt) in enumerate(tasks):
        data[f"{prefix}-{i}-id"] = pk or ""
        data[f"{prefix}-{i}-prompt"] = prompt
        data[f"{prefix}-{i}-expected_answer"] = ""
        data[f"{prefix}-{i}-checklist"] = ""
    return data


def test_admin_lesson_form_insists_on_exactly_four_tasks(staff):
    course = factories.course(lessons=1, published=False)
    data = {
        "course": course.pk,
        "kind": "regular",
        "title": "Neu",
        "body": "Text",
        "reflection": "",
    }
    three = task_formset("tasks", [(None, "Eins"), (None, "Zwei"), (None, "Drei")], total=4)
    three["tasks-3-id"] = ""

    response = staff.post("/admin/courses/lesson/add/", {**data, **three})

    assert response.status_code == 200
    assert "Eine Lektion hat genau 4 Aufgaben (hier: 3)." in response.content.decode()
    assert course.lessons.count() == 2

    four = task_formset("tasks", [(None, "Eins"), (None, "Zwei"), (None, "Drei"), (None, "Vier")])
    response = staff.post("/admin/courses/lesson/add/", {**data, **four})

    assert response.status_code == 302
    new = course.lessons.get(title="Neu")
    assert new.position == 2
    assert list(new.tasks.values_list("position", "prompt")) == [
        (1, "Eins"), (2, "Zwei"), (3, "Drei"), (4, "Vier"),
    ]  # fmt: skip


def test_admin_reorders_lessons_by_position_without_gaps(staff):
    course = factories.course(lessons=3)
    first, second, third = factories.regular_lessons(course)
    final = factories.final_lesson(course)
    rows = [(third, 1), (first, 2), (final, ""), (second, 9)]
    data = {
        "title": course.title, "slug": course.slug, "subtitle": "",
        "description": course.description, "cover_colour": course.cover_colour, "private_for": "",
        "lessons-TOTAL_FORMS": "5", "lessons-INITIAL_FORMS": "4",
        "lessons-MIN_NUM_FORMS": "0", "lessons-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, (lesson, order) in enumerate(rows):
        data |= {
            f"lessons-{i}-id": lesson.pk, f"lessons-{i}-course": course.pk,
            f"lessons-{i}-order": order, f"lessons-{i}-kind": lesson.kind,
            f"lessons-{i}-title": lesson.title,
        }  # fmt: skip
    data |= {"lessons-4-course": course.pk, "lessons-4-order": "3", "lessons-4-kind": "regular",
             "lessons-4-title": "Ganz neu"}  # fmt: skip

    response = staff.post(f"/admin/courses/course/{course.pk}/change/", data, follow=True)

    assert response.status_code == 200
    assert list(
        Lesson.objects.filter(course=course).in_course_order().values_list("title", "position")
    ) == [
        ("Lektion Nummer 3", 1), ("Lektion Nummer 1", 2), ("Ganz neu", 3),
        ("Lektion Nummer 2", 4), ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip
    # The new lesson has no tasks yet: the course goes back to draft, and staff are told why.
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    assert re.search(r"wieder ein Entwurf.*„Ganz neu“ hat 0 Aufgabe", admin_messages(response))
    assert LearningTask.objects.filter(lesson__course=course).count() == 13


def test_admin_copies_selected_lessons_into_another_course(staff):
    source, target = factories.course(lessons=2), factories.course(lessons=1, published=False)
    picked = factories.regular_lessons(source)
    selection = {"action": "copy_to_course", "_selected_action": [lesson.pk for lesson in picked]}

    page = staff.post("/admin/courses/lesson/", selection)
    assert page.status_code == 200 and "In diesen Kurs kopieren" in page.content.decode()
    done = staff.post(
        "/admin/courses/lesson/", {**selection, "target": target.pk, "apply": "1"}, follow=True
    )

    assert "2 Lektion(en)" in done.content.decode()
    assert [p for _, p in titles_and_positions(target)] == [1, 2, 3, None]


def test_admin_builds_a_private_course_for_a_customer(staff):
    source = factories.course(lessons=3)
    customer = factories.learner("kundin@example.com")
    selection = {
        "action": "build_private_course",
        "_selected_action": [lesson.pk for lesson in factories.regular_lessons(source)[:2]],
    }

    unknown = staff.post(
        "/admin/courses/lesson/",
        {**selection, "title": "Für Sie", "email": "nie@example.com", "apply": "1"},
    )
    assert "Kein Kundenkonto" in unknown.content.decode()
    done = staff.post(
        "/admin/courses/lesson/",
        {**selection, "title": "Für Sie", "email": "KUNDIN@example.com", "apply": "1"},
        follow=True,
    )

    course = Course.objects.get(is_private=True)
    assert "ist für KUNDIN@example.com freigeschaltet" in done.content.decode()
    assert course.title == "Für Sie" and course.private_for == customer
    assert selectors.has_access(learner=customer, course=course)


def test_every_course_admin_page_opens(staff, run_tasks):
    course = factories.course(lessons=2)
    learner = factories.learner()
    enrolment = services.enrol(learner=learner, course=course)
    with run_tasks():
        for lesson in course.lessons.in_course_order():
            services.complete_lesson(enrolment=enrolment, lesson=lesson)
    lesson, final = factories.regular_lessons(course)[0], factories.final_lesson(course)
    pages = [
        "/admin/courses/course/", "/admin/courses/course/add/",
        f"/admin/courses/course/{course.pk}/change/",
        "/admin/courses/lesson/", "/admin/courses/lesson/add/",
        f"/admin/courses/lesson/{lesson.pk}/change/", f"/admin/courses/lesson/{final.pk}/change/",
        "/admin/courses/enrolment/", f"/admin/courses/enrolment/{enrolment.pk}/change/",
        "/admin/courses/lessonemail/", "/admin/courses/certificate/",
        f"/admin/courses/certificate/{enrolment.certificate.pk}/change/",
    ]  # fmt: skip

    for page in pages:
        assert staff.get(page).status_code == 200, page
    final_page = staff.get(f"/admin/courses/lesson/{final.pk}/change/").content.decode()
    assert 'name="tasks-TOTAL_FORMS" value="1"' in final_page
