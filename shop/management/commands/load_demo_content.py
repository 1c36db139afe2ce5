import json
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from courses.models import Course
from shop.models import Article, Product, Series, SeriesArticle

DEMO_ARTICLES = Path(__file__).resolve().parents[2] / "demo_content" / "articles.json"
DEMO_SERIES = {
    "title": "Karrierestart in drei Schritten",
    "slug": "karrierestart-in-drei-schritten",
    "description": "Von der Bewerbung über die ersten 100 Tage bis zur ersten Führungsrolle: "
    "drei Texte, die aufeinander aufbauen.",
    "parts": [
        "bewerbungsunterlagen-ohne-floskeln",
        "die-ersten-100-tage-im-neuen-job",
        "souveraen-in-die-erste-fuehrungsrolle",
    ],
    "price_cents": 1290,
}


class Command(BaseCommand):
    help = "Loads the demo catalog (German articles with their PDF products). Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        for entry in json.loads(DEMO_ARTICLES.read_text(encoding="utf-8")):
            article, _ = Article.objects.update_or_create(
                slug=entry["slug"],
                defaults={
                    "title": entry["title"],
                    "author": entry["author"],
                    "teaser": entry["teaser"],
                    "body": entry["body"],
                    "published_on": date.fromisoformat(entry["published_on"]),
                    "status": entry["status"],
                },
            )
            Product.objects.update_or_create(
                article=article,
                defaults={
                    "kind": Product.Kind.ARTICLE,
                    "name": f"{article.title} (PDF)",
                    "price_cents": entry["price_cents"],
                },
            )
        self.load_series()
        self.load_course()
        Product.objects.update_or_create(
            kind=Product.Kind.CUSTOM_EBOOK,
            defaults={"name": "Ihr individuelles E-Book", "price_cents": 7900},
        )
        Product.objects.update_or_create(
            kind=Product.Kind.ADVISER,
            defaults={"name": "KI-Berater", "price_cents": 500},
        )
        self.stdout.write(
            f"Demo catalog: {Article.objects.published().count()} published articles, "
            "one text series, the custom eBook, the KI-Berater subscription, the demo eCourse."
        )
        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            User.objects.create_superuser("admin", "admin@example.com", "admin")
            self.stdout.write("Staff login for /admin/: admin / admin (a local demo account).")

    def load_series(self) -> None:
        series, _ = Series.objects.update_or_create(
            slug=DEMO_SERIES["slug"],
            defaults={"title": DEMO_SERIES["title"], "description": DEMO_SERIES["description"]},
        )
        for position, slug in enumerate(DEMO_SERIES["parts"], start=1):
            SeriesArticle.objects.update_or_create(
                series=series,
                article=Article.objects.get(slug=slug),
                defaults={"position": position},
            )
        Product.objects.update_or_create(
            series=series,
            defaults={
                "kind": Product.Kind.SERIES,
                "name": f"{series.title} (Textreihe)",
                "price_cents": DEMO_SERIES["price_cents"],
            },
        )

    def load_course(self) -> None:
        call_command("load_demo_course", stdout=self.stdout)
        for course in Course.objects.published():
            Product.objects.update_or_create(
                course=course,
                defaults={
                    "kind": Product.Kind.COURSE,
                    "name": f"eCourse {course.title}",
                    "price_cents": 2990,
                },
            )
