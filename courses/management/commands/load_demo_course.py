"""`manage.py load_demo_course`: one published German demo course, once."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from courses import services
from courses.models import Course
from courses.services import TaskText

DEMO_COURSE = Path(__file__).resolve().parents[2] / "demo_content" / "course.json"


class Command(BaseCommand):
    help = "Loads one published German demo course (5 lessons of 4 tasks and a final lesson)."

    @transaction.atomic
    def handle(self, *args, **options):
        entry = json.loads(DEMO_COURSE.read_text(encoding="utf-8"))
        course = Course.objects.filter(slug=entry["slug"]).first()
        if course is not None:
            # Learners' progress hangs on its tasks; a second run leaves it as it is.
            self.stdout.write(f"Demo course: „{course.title}“ is there already.")
            return
        course = Course.objects.create(
            slug=entry["slug"],
            title=entry["title"],
            subtitle=entry["subtitle"],
            description=entry["description"],
            cover_colour=entry["cover_colour"],
        )
        for lesson in entry["lessons"]:
            services.add_lesson(
                course=course,
                title=lesson["title"],
                body=lesson["body"],
                tasks=[TaskText(**task) for task in lesson["tasks"]],
            )
        final = entry["final"]
        services.add_lesson(
            course=course,
            title=final["title"],
            body=final["body"],
            reflection=final["reflection"],
            tasks=[TaskText(**final["task"])],
            is_final=True,
        )
        services.publish_course(course=course)
        self.stdout.write(
            f"Demo course: „{course.title}“ published, {len(entry['lessons'])} lessons "
            f"({course.get_absolute_url()})."
        )
