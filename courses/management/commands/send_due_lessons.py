"""`manage.py send_due_lessons`: what beat runs every few minutes, by hand."""

from django.core.management.base import BaseCommand

from courses import drip


class Command(BaseCommand):
    help = "Sends every due lesson of the e-mail courses once (what beat runs every few minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"{drip.send_due_lessons()} lesson e-mail(s) sent.")
