"""The courses app's configuration."""

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Kurse"

    def ready(self):
        # The web process starts tasks by name (plumbing.tasks.enqueue_on_commit): they must be
        # registered here too, not only in the worker.
        from courses import tasks  # noqa: F401
