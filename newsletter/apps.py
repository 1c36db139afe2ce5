"""The newsletter app's configuration."""

from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        # The web process starts tasks by name (plumbing.tasks.enqueue_on_commit): they must be
        # registered here too, not only in the worker.
        from newsletter import tasks  # noqa: F401
