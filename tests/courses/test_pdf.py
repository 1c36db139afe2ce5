"""The whole course as one PDF: cover, contents with page numbers, every lesson with its four
tasks and space to write, the final lesson; rendered once per version, stamped per learner."""

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from courses import pdf, services
from documents.models import RenderedPdf
from tests.courses import factories
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts base renders of the course PDF."""
    calls = []
    real = pdf.render_course_base_pdf

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_course_base_pdf", counting)
    return calls


def download(client, course) -> bytes:
    response = client.get(f"/courses/{course.slug}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{course.slug}.pdf"'
    return response.content


def test_the_course_pdf_has_cover_contents_with_page_numbers_lessons_and_final_lesson(
    signed_in, enrolment, course
):
    pages = pages_text(download(signed_in, course))

    assert course.title in pages[0] and "Arbeitsbuch mit 3 Lektionen" in pages[0]
    assert "Inhalt" in pages[1]
    for n in (1, 2, 3):
        number = int(re.search(rf"Lektion {n}: Lektion Nummer {n}[ .]*(\d+)", pages[1]).group(1))
        lesson_page = pages[number - 1]
        assert f"Lektion Nummer {n}" in lesson_page and f"Lektionstext-{n}" in lesson_page
        text = " ".join(pages[number - 1 : number + 2])
        for task in range(1, 5):
            assert f"Aufgabe {task} zu Lektion {n}" in text
    final_number = int(
        re.search(r"Abschlusslektion: Rückblick und nächste Schritte[ .]*(\d+)", pages[1]).group(1)
    )
    assert "Abschlusstext" in pages[final_number - 1]
    assert "Was hat Sie überrascht?" in " ".join(pages[final_number - 1 :])
    assert "Lösungshinweise" in pages[-1] and "Hinweis 1-2" in pages[-1]


def test_every_page_is_licensed_to_the_learner(signed_in, enrolment, course):
    content = download(signed_in, course)

    reader = PdfReader(BytesIO(content))
    assert all(
        "Lizenziert für lea@example.com · nur zur persönlichen Nutzung" in text
        for text in pages_text(content)
    )
    assert reader.metadata["/Licensee"] == "lea@example.com"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert course.title in titles


def test_the_licence_line_speaks_the_language_of_the_enrolment_the_workbook_stays_german(
    client, course, renders
):
    copies = {}
    for email, language in [("de@example.com", "de"), ("en@example.com", "en")]:
        learner = factories.learner(email)
        services.enrol(learner=learner, course=course, language=language)
        client.force_login(learner)
        copies[language] = pages_text(download(client, course))

    line = "Lizenziert für de@example.com · nur zur persönlichen Nutzung"
    assert all(line in page for page in copies["de"])
    assert all("Licensed to en@example.com · personal use only" in p for p in copies["en"])
    assert not any("Lizenziert" in page for page in copies["en"])
    assert "Inhalt" in copies["en"][1] and len(renders) == 1


def test_the_base_is_rendered_once_per_course_version_and_stamped_per_learner(
    client, course, renders
):
    copies = []
    for email in ("a@example.com", "b@example.com"):
        learner = factories.learner(email)
        services.enrol(learner=learner, course=course)
        client.force_login(learner)
        copies.append(download(client, course))

    assert len(renders) == 1 and RenderedPdf.objects.count() == 1
    assert "Lizenziert für a@example.com" in pages_text(copies[0])[0]
    assert "Lizenziert für b@example.com" in pages_text(copies[1])[0]

    # Editing a task is a new version: rendered again, once.
    lesson = factories.regular_lessons(course)[0]
    tasks = list(lesson.tasks.order_by("position"))
    tasks[2].prompt = "Eine geänderte Aufgabe."
    services.save_lesson(lesson=lesson, tasks=tasks)
    again = download(client, course)
    download(client, course)

    assert len(renders) == 2 and RenderedPdf.objects.count() == 2
    assert "Eine geänderte Aufgabe." in " ".join(pages_text(again))


def test_publishing_prerenders_the_base(run_tasks, renders):
    course = factories.course(lessons=2, published=False)

    with run_tasks():
        services.publish_course(course=course)

    assert len(renders) == 1 and RenderedPdf.objects.count() == 1
