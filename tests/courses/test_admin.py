"""Staff's admin: publishing shows why a course cannot go live, lessons keep exactly four tasks
and gap-free positions, lessons are copied, private courses are built for customers, and a change
that would break a published course is refused with each problem shown and nothing changed."""

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry

from courses import selectors, services
from courses.models import MAX_LESSONS, Course, Lesson
from tests.courses import factories

pytestmark = pytest.mark.django_db


def admin_messages(response, level=None) -> list[str]:
    return [str(m) for m in response.context["messages"] if level is None or m.level == level]


def errors(response) -> list[str]:
    return admin_messages(response, messages.ERROR)


def course_form(course, rows, *, new=None):
    """The POST data of the course page with its lesson list: (lesson, order) rows and an
    optional new row (order, title)."""
    data = {
        "title": course.title, "slug": course.slug, "subtitle": "",
        "description": course.description, "cover_colour": course.cover_colour, "private_for": "",
        "lessons-TOTAL_FORMS": str(len(rows) + bool(new)), "lessons-INITIAL_FORMS": str(len(rows)),
        "lessons-MIN_NUM_FORMS": "0", "lessons-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, (lesson, order) in enumerate(rows):
        data |= {
            f"lessons-{i}-id": lesson.pk, f"lessons-{i}-course": course.pk,
            f"lessons-{i}-order": order, f"lessons-{i}-kind": lesson.kind,
            f"lessons-{i}-title": lesson.title,
        }  # fmt: skip
    if new:
        order, title = new
        i = len(rows)
        data |= {f"lessons-{i}-course": course.pk, f"lessons-{i}-order": order,
                 f"lessons-{i}-kind": "regular", f"lessons-{i}-title": title}  # fmt: skip
    return data


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


def test_admin_publish_action_shows_each_reason_a_course_cannot_be_published(staff):
    course = factories.course(lessons=MAX_LESSONS + 1, published=False, final=False)

    response = staff.post(
        "/admin/courses/course/",
        {"action": "publish", "_selected_action": [course.pk]},
        follow=True,
    )

    assert errors(response) == [
        f"„{course.title}“ kann nicht veröffentlicht werden:",
        "Der Kurs hat 31 Lektionen; erlaubt sind höchstens 30.",
        "Die Abschlusslektion fehlt (Zusammenfassung, Reflexion, Abschlussaufgabe).",
    ]
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT


def test_admin_publish_action_publishes_a_good_course(staff):
    course = factories.course(lessons=2, published=False)

    response = staff.post(
        "/admin/courses/course/",
        {"action": "publish", "_selected_action": [course.pk]},
        follow=True,
    )

    assert "1 Kurs(e) veröffentlicht." in admin_messages(response)
    course.refresh_from_db()
    assert course.is_published


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


def test_admin_reorders_the_lessons_of_a_published_course_without_gaps(staff):
    course = factories.course(lessons=3)
    first, second, third = factories.regular_lessons(course)
    final = factories.final_lesson(course)
    rows = [(third, 1), (first, 2), (final, ""), (second, 9)]

    response = staff.post(
        f"/admin/courses/course/{course.pk}/change/", course_form(course, rows), follow=True
    )

    assert errors(response) == []
    assert factories.titles_and_positions(course) == [
        ("Lektion Nummer 3", 1), ("Lektion Nummer 1", 2), ("Lektion Nummer 2", 3),
        ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip
    course.refresh_from_db()
    assert course.is_published


def test_admin_adds_a_lesson_in_place_to_a_draft(staff):
    course = factories.course(lessons=2, published=False)
    first, second = factories.regular_lessons(course)
    rows = [(first, 1), (second, 3), (factories.final_lesson(course), "")]

    staff.post(
        f"/admin/courses/course/{course.pk}/change/",
        course_form(course, rows, new=("2", "Ganz neu")),
    )

    assert factories.titles_and_positions(course) == [
        ("Lektion Nummer 1", 1), ("Ganz neu", 2), ("Lektion Nummer 2", 3),
        ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip


def test_a_lesson_without_tasks_is_not_added_to_a_published_course(staff):
    course = factories.course(lessons=2)
    first, second = factories.regular_lessons(course)
    rows = [(first, 1), (second, 2), (factories.final_lesson(course), "")]
    before = factories.titles_and_positions(course)

    response = staff.post(
        f"/admin/courses/course/{course.pk}/change/",
        course_form(course, rows, new=("3", "Ganz neu")),
        follow=True,
    )

    assert errors(response) == [
        "Lektion 3 „Ganz neu“ hat 0 Aufgabe(n) statt 4.",
        "Lektion 3 „Ganz neu“ hat keinen Text.",
    ]
    assert admin_messages(response, messages.SUCCESS) == []
    assert response.redirect_chain[-1][0] == f"/admin/courses/course/{course.pk}/change/"
    assert factories.titles_and_positions(course) == before
    course.refresh_from_db()
    assert course.is_published
    assert not LogEntry.objects.exists()


def test_the_final_lesson_of_a_published_course_is_not_deleted(staff):
    course = factories.course(lessons=2)
    final = factories.final_lesson(course)

    response = staff.post(f"/admin/courses/lesson/{final.pk}/delete/", {"post": "yes"}, follow=True)

    assert errors(response) == [
        "Die Abschlusslektion fehlt (Zusammenfassung, Reflexion, Abschlussaufgabe)."
    ]
    assert response.redirect_chain[-1][0] == f"/admin/courses/lesson/{final.pk}/change/"
    assert Lesson.objects.filter(pk=final.pk).exists()
    course.refresh_from_db()
    assert course.is_published
    assert not LogEntry.objects.exists()


def test_deleting_a_lesson_a_published_course_can_spare_closes_the_gap(staff):
    course = factories.course(lessons=3)

    staff.post(
        f"/admin/courses/lesson/{factories.regular_lessons(course)[0].pk}/delete/",
        {"post": "yes"},
    )

    assert factories.titles_and_positions(course) == [
        ("Lektion Nummer 2", 1), ("Lektion Nummer 3", 2), ("Rückblick und nächste Schritte", None),
    ]  # fmt: skip


def test_deleting_every_lesson_of_a_published_course_at_once_is_refused(staff):
    course = factories.course(lessons=2)
    before = factories.titles_and_positions(course)
    selection = [lesson.pk for lesson in factories.regular_lessons(course)]

    response = staff.post(
        "/admin/courses/lesson/",
        {"action": "delete_selected", "_selected_action": selection, "post": "yes"},
        follow=True,
    )

    assert errors(response) == ["Der Kurs hat noch keine Lektion."]
    assert admin_messages(response, messages.SUCCESS) == []
    assert factories.titles_and_positions(course) == before
    assert not LogEntry.objects.exists()


def test_the_reflection_of_a_published_course_is_not_emptied(staff):
    course = factories.course(lessons=1)
    final = factories.final_lesson(course)
    [task] = final.tasks.all()
    data = {"kind": "final", "title": final.title, "body": final.body, "reflection": ""}
    data |= task_formset("tasks", [(task.pk, task.prompt)])

    response = staff.post(f"/admin/courses/lesson/{final.pk}/change/", data, follow=True)

    assert errors(response) == ["Die Abschlusslektion braucht eine Reflexion."]
    final.refresh_from_db()
    assert final.reflection.startswith("Was hat Sie überrascht?")


def test_admin_copies_selected_lessons_into_another_course(staff):
    source, target = factories.course(lessons=2), factories.course(lessons=1, published=False)
    picked = factories.regular_lessons(source)
    selection = {"action": "copy_to_course", "_selected_action": [lesson.pk for lesson in picked]}

    page = staff.post("/admin/courses/lesson/", selection)
    assert page.status_code == 200 and "In diesen Kurs kopieren" in page.content.decode()
    done = staff.post(
        "/admin/courses/lesson/", {**selection, "target": target.pk, "apply": "1"}, follow=True
    )

    assert f"2 Lektion(en) nach „{target}“ kopiert." in admin_messages(done)
    assert [p for _, p in factories.titles_and_positions(target)] == [1, 2, 3, None]


def test_copying_a_final_lesson_into_a_course_that_has_one_is_refused(staff):
    source, target = factories.course(lessons=1), factories.course(lessons=1, published=False)
    selection = {
        "action": "copy_to_course",
        "_selected_action": [factories.final_lesson(source).pk],
        "target": target.pk,
        "apply": "1",
    }

    response = staff.post("/admin/courses/lesson/", selection, follow=True)

    assert errors(response) == [f"„{target.title}“ hat schon eine Abschlusslektion."]
    assert target.lessons.count() == 2


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
    enrolment = services.enrol(learner=factories.learner(), course=course)
    with run_tasks():
        factories.finish_course(enrolment)
    lesson, final = factories.regular_lessons(course)[0], factories.final_lesson(course)
    pages = [
        "/admin/courses/course/", "/admin/courses/course/add/",
        f"/admin/courses/course/{course.pk}/change/",
        "/admin/courses/lesson/", "/admin/courses/lesson/add/",
        f"/admin/courses/lesson/{lesson.pk}/change/", f"/admin/courses/lesson/{final.pk}/change/",
        f"/admin/courses/lesson/{final.pk}/delete/",
        "/admin/courses/enrolment/", f"/admin/courses/enrolment/{enrolment.pk}/change/",
        "/admin/courses/lessonemail/", "/admin/courses/certificate/",
        f"/admin/courses/certificate/{enrolment.certificate.pk}/change/",
    ]  # fmt: skip

    for page in pages:
        assert staff.get(page).status_code == 200, page
    final_page = staff.get(f"/admin/courses/lesson/{final.pk}/change/").content.decode()
    assert 'name="tasks-TOTAL_FORMS" value="1"' in final_page
