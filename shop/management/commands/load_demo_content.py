import json
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
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

# The staff's group: it sees everything of the shop, the courses and the newsletter, and may do
# this. Refunding and sending the newsletter to all subscribers are rights of their own, here
# given to the group; a staff member outside it has none of them.
STAFF_GROUP = "Redaktion und Kundendienst"
STAFF_RIGHTS = [
    # The catalog: articles with their products, series, discount codes.
    "shop.add_article", "shop.change_article", "shop.add_product", "shop.change_product",
    "shop.add_series", "shop.change_series",
    "shop.add_seriesarticle", "shop.change_seriesarticle", "shop.delete_seriesarticle",
    "shop.add_discountcode", "shop.change_discountcode",
    # Customer service: resend an order's e-mail, render it again, clear a review flag.
    "shop.change_order",
    # The custom eBook desk, up to cancelling and refunding a book.
    "shop.change_customebook", "shop.refund_customebook",
    "shop.add_ebookchapter", "shop.change_ebookchapter", "shop.delete_ebookchapter",
    # Withdrawals: close one, or refund it.
    "shop.change_withdrawaldeclaration", "shop.refund_withdrawaldeclaration",
    # Courses: write and publish them, copy lessons, put a course together for a customer.
    "courses.add_course", "courses.change_course",
    "courses.add_lesson", "courses.change_lesson", "courses.delete_lesson",
    "courses.add_learningtask", "courses.change_learningtask", "courses.delete_learningtask",
    "courses.add_enrolment",
    # The newsletter: write issues and send them.
    "newsletter.add_issue", "newsletter.change_issue", "newsletter.send_issue",
]  # fmt: skip


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
        self.load_staff_group()
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

    def load_staff_group(self) -> None:
        group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
        views = Permission.objects.filter(
            content_type__app_label__in=["shop", "courses", "newsletter"],
            codename__startswith="view_",
        )
        rights = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in (right.split(".") for right in STAFF_RIGHTS)
        ]
        group.permissions.set([*views, *rights])
        self.stdout.write(f"Staff group „{STAFF_GROUP}“: add staff accounts to it in the admin.")

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
