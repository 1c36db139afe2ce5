import json
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from shop.models import Article, Product

DEMO_ARTICLES = Path(__file__).resolve().parents[2] / "demo_content" / "articles.json"


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
        self.stdout.write(
            f"Demo catalog: {Article.objects.published().count()} published articles."
        )
        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            User.objects.create_superuser("admin", "admin@example.com", "admin")
            self.stdout.write("Staff login for /admin/: admin / admin (a local demo account).")
