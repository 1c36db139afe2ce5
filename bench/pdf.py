"""A fresh WeasyPrint render of a 30-lesson course workbook (about 94 pages) against a buyer's copy
served from the cache (the stored base PDF read back and stamped on every page), in one run.

    .venv/bin/python -m bench.pdf [--renders 5] [--copies 20]

Uses the courses app's own workbook (courses.pdf: a course of 30 lessons of about 300 words with
4 tasks each and a final lesson, rendered fresh, against licensed_course_pdf, what the course PDF
page serves); without a courses app, equivalent HTML through templates/pdf/base.html. The cache
is the shop's own (documents.pdf.cached_pdf), on an SQLite database and a media folder in a
temporary directory.
"""

import argparse
import os
import random
import re
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = "ver hand lung ge halt be vor rei tung markt wert an ge bot ziel team füh rung".split()  # noqa: SIM905
LESSONS = 30
TASKS_PER_LESSON = 4
WORDS_PER_LESSON = 300
# The courses app's template sets more per page (writing lines, task boxes): ~94 pages as well.
COURSE_WORDS_PER_LESSON = 300

COURSE_HTML = """{% extends "pdf/base.html" %}
{% block style %}
  .cover { break-after: page; padding-top: 55mm; }
  .cover h1 { font-size: 26pt; }
  .toc { break-after: page; }
  .toc ol { list-style: none; padding: 0; }
  .toc a { text-decoration: none; }
  .toc a::after { content: leader(".") target-counter(attr(href), page); }
  .lesson { break-before: page; }
  .task { break-inside: avoid; margin-bottom: 4mm; }
  .line { border-bottom: 0.5pt solid #999; height: 9mm; }
{% endblock %}
{% block content %}
  <section class="cover">
    <p>{{ publisher_name }}</p>
    <h1 class="document-title">{{ title }}</h1>
    <p>{{ subtitle }}</p>
  </section>
  <nav class="toc"><h2>Inhalt</h2><ol>
    {% for lesson in lessons %}<li><a href="#lesson-{{ forloop.counter }}">
      {{ forloop.counter }}. {{ lesson.title }}</a></li>{% endfor %}
    <li><a href="#final">Abschlusslektion</a></li>
  </ol></nav>
  {% for lesson in lessons %}
  <section class="lesson" id="lesson-{{ forloop.counter }}">
    <h2>Lektion {{ forloop.counter }}: {{ lesson.title }}</h2>
    {{ lesson.body|safe }}
    <h3>Aufgaben</h3>
    {% for task in lesson.tasks %}<div class="task">
      <p><strong>Aufgabe {{ forloop.counter }}.</strong> {{ task }}</p>
      {% for line in writing_lines %}<div class="line"></div>{% endfor %}
    </div>{% endfor %}
  </section>
  {% endfor %}
  <section class="lesson" id="final"><h2>Abschlusslektion</h2>{{ final|safe }}</section>
{% endblock %}
"""


def setup_django(work: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        VAR_DIR=str(work),
        MEDIA_ROOT=str(work / "media"),
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def prose(rng: random.Random, words: int) -> str:
    # Varied words compress and hyphenate like real prose; one sentence repeated would not.
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 18)
        sentence = " ".join(
            "".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(length)
        )
        sentences.append(sentence.capitalize() + ".")
        count += length
    paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def course_html() -> str:
    from django.conf import settings
    from django.template import engines

    rng = random.Random(30)
    lessons = []
    for number in range(1, LESSONS + 1):
        half = WORDS_PER_LESSON // 2
        lessons.append(
            {
                "title": f"Verhandeln im Alltag, Teil {number}",
                "body": prose(rng, half) + f"<h3>Vertiefung {number}</h3>" + prose(rng, half),
                "tasks": [
                    prose(rng, 25).removeprefix("<p>").removesuffix("</p>")
                    for _ in range(TASKS_PER_LESSON)
                ],
            }
        )
    template = engines["django"].from_string(COURSE_HTML)
    return template.render(
        {
            "title": "Souverän verhandeln – der Kurs",
            "subtitle": "30 Lektionen mit Aufgaben",
            "lessons": lessons,
            "final": prose(rng, 400),
            "writing_lines": range(6),
            "publisher_name": settings.PUBLISHER_NAME,
        }
    )


def html_source():
    """(name, render, copy) through templates/pdf/base.html, with the shop's cache and stamp."""
    from documents.pdf import cached_pdf, content_key, render_pdf, stamp_licence

    html = course_html()
    key = content_key("bench", "course", html)

    def copy() -> bytes:
        return stamp_licence(
            pdf=cached_pdf(key=key, render=lambda: render_pdf(html=html)),
            line="Licensed to leser@example.com · order 2026-000123 · personal use only",
            metadata={"/Licensee": "leser@example.com", "/Order": "2026-000123"},
        )

    return "equivalent HTML through templates/pdf/base.html", lambda: render_pdf(html=html), copy


def course_source():
    """(name, render, copy) of the courses app's own workbook: a course of 30 lessons with 4
    tasks each and a final lesson, rendered fresh, and a learner's licensed copy as the course
    PDF page serves it (courses.pdf.licensed_course_pdf: the cached base, stamped)."""
    from django.contrib.auth import get_user_model

    from courses import pdf, selectors, services
    from courses.models import Course

    rng = random.Random(30)
    course = Course.objects.create(
        title="Souverän verhandeln – der Kurs", slug="souveraen-verhandeln-kurs",
        subtitle="30 Lektionen mit Aufgaben", description=prose_markdown(rng, 80),
    )  # fmt: skip
    for number in range(1, LESSONS + 1):
        services.add_lesson(
            course=course,
            title=f"Verhandeln im Alltag, Teil {number}",
            body=prose_markdown(rng, COURSE_WORDS_PER_LESSON),
            tasks=[
                services.TaskText(prompt=prose_markdown(rng, 25)) for _ in range(TASKS_PER_LESSON)
            ],
        )
    services.add_lesson(
        course=course, title="Rückblick", body=prose_markdown(rng, 300), is_final=True,
        reflection="Was machen Sie ab morgen anders?",
        tasks=[services.TaskText(prompt="Ihr Plan für die nächsten 30 Tage.")],
    )  # fmt: skip
    services.publish_course(course=course)
    learner = get_user_model().objects.create(username="lea@example.com", email="lea@example.com")
    enrolment = services.enrol(learner=learner, course=course)
    lessons = selectors.course_lessons_with_tasks(course=course)
    return (
        "courses.pdf (the course workbook the shop sells)",
        lambda: pdf.render_course_base_pdf(course, lessons),
        lambda: pdf.licensed_course_pdf(enrolment=enrolment),
    )


def prose_markdown(rng: random.Random, words: int) -> str:
    return re.sub(r"</p><p>", "\n\n", prose(rng, words)).removeprefix("<p>").removesuffix("</p>")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--renders", type=int, default=5, help="fresh renders to time (default 5)")
    parser.add_argument("--copies", type=int, default=20, help="cached copies to time (default 20)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as directory:
        setup_django(Path(directory))
        from pypdf import PdfReader

        from bench.figures import median, report

        try:
            source, render, licensed_copy = course_source()
        except ImportError:  # no courses app in this tree
            source, render, licensed_copy = html_source()
        render()  # warm-up: fonts, hyphenation dictionaries, imports
        render_times, base = [], b""
        for _ in range(args.renders):
            started = time.perf_counter()
            base = render()
            render_times.append(time.perf_counter() - started)

        licensed_copy()  # the base is stored now, as publishing would have stored it
        copy_times, copy = [], b""
        for _ in range(args.copies):
            started = time.perf_counter()
            copy = licensed_copy()
            copy_times.append(time.perf_counter() - started)

        pages = len(PdfReader(BytesIO(base)).pages)
        stamped = PdfReader(BytesIO(copy))
        last_page = " ".join(stamped.pages[-1].extract_text().split())
        assert len(stamped.pages) == pages and "Licensed to " in last_page, "stamp missing"
        render_median, copy_median = median(render_times), median(copy_times)
        rows = [
            {
                "step": "fresh render",
                "runs": args.renders,
                "median_s": render_median,
                "min_s": min(render_times),
                "max_s": max(render_times),
                "pdf_kb": len(base) // 1024,
            },
            {
                "step": "cached copy + stamp",
                "runs": args.copies,
                "median_s": copy_median,
                "min_s": min(copy_times),
                "max_s": max(copy_times),
                "pdf_kb": len(copy) // 1024,
            },
        ]
        report(
            "pdf",
            rows,
            {
                "source": source,
                "pages": pages,
                "render_median_s": round(render_median, 3),
                "cached_copy_median_s": round(copy_median, 3),
                "ms_per_page_render": round(render_median / pages * 1000, 1),
                "ratio": round(render_median / copy_median, 1),
                "target_ratio": 20,
            },
        )


if __name__ == "__main__":
    main()
