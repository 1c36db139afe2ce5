from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.markup import markdown_to_html
from shop.money import vat_included


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, published_on__lte=timezone.localdate())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Entwurf"
        PUBLISHED = "published", "Veröffentlicht"

    title = models.CharField("Titel", max_length=200)
    slug = models.SlugField("Kurzname", max_length=200, unique=True)
    author = models.CharField("Autor/in", max_length=120)
    teaser = models.TextField("Anreißer")
    body = models.TextField("Text (Markdown)")
    published_on = models.DateField("Erscheinungsdatum", default=timezone.localdate)
    status = models.CharField("Status", max_length=20, choices=Status, default=Status.DRAFT)
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "Artikel"
        verbose_name_plural = "Artikel"
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("shop:article", kwargs={"slug": self.slug})

    def body_html(self) -> str:
        """The body as safe HTML: staff write Markdown, and nothing in it may run or fetch."""
        return markdown_to_html(self.body)


class Product(models.Model):
    """Something the shop sells at a gross price. Orders copy its price; they never point back."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Artikel-PDF")
        COURSE = "course", _("eCourse")
        SERIES = "series", _("Textreihe")
        CUSTOM_EBOOK = "custom_ebook", _("Individuelles E-Book")
        ADVISER = "adviser", _("KI-Berater-Abo")

    class VatCategory(StrEnum):
        # The rates live in settings.VAT_RATES under these keys.
        PUBLICATION = "publication"
        ELEARNING = "elearning"

    kind = models.CharField("Art", max_length=20, choices=Kind, default=Kind.ARTICLE)
    name = models.CharField("Bezeichnung", max_length=200)
    article = models.OneToOneField(
        Article,
        verbose_name="Artikel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product",
    )
    course = models.OneToOneField(
        "courses.Course",
        verbose_name="Kurs",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product",
    )
    series = models.OneToOneField(
        "Series",
        verbose_name="Textreihe",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product",
    )
    price_cents = models.PositiveIntegerField("Bruttopreis (Cent)")
    is_active = models.BooleanField("Im Verkauf", default=True)

    # The law taxes a product by what it is, so its kind alone decides its VAT.
    VAT_CATEGORY_OF_KIND = {
        Kind.ARTICLE: VatCategory.PUBLICATION,
        Kind.SERIES: VatCategory.PUBLICATION,
        Kind.CUSTOM_EBOOK: VatCategory.PUBLICATION,
        Kind.COURSE: VatCategory.ELEARNING,
        Kind.ADVISER: VatCategory.ELEARNING,
    }

    class Meta:
        verbose_name = "Produkt"
        verbose_name_plural = "Produkte"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="article") | models.Q(article__isnull=False),
                name="article_product_has_article",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="course") | models.Q(course__isnull=False),
                name="course_product_has_course",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="series") | models.Q(series__isnull=False),
                name="series_product_has_series",
            ),
            models.CheckConstraint(condition=models.Q(price_cents__gt=0), name="price_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.ARTICLE and self.article_id is None:
            raise ValidationError({"article": "Ein Artikel-PDF braucht einen Artikel."})
        if self.kind == self.Kind.COURSE and self.course_id is None:
            raise ValidationError({"course": "Ein eCourse braucht einen Kurs."})
        if self.kind == self.Kind.SERIES:
            # In the series' admin page the series may be new and unsaved: it has no parts yet.
            series = self.series if self.series_id or self.series else None
            if series is None:
                raise ValidationError({"series": "Eine Textreihe als Produkt braucht eine Reihe."})
            parts_total = series.parts_total_cents() if series.pk else 0
            if parts_total and self.price_cents is not None and self.price_cents >= parts_total:
                raise ValidationError(
                    {
                        "price_cents": "Der Preis der Reihe muss unter der Summe ihrer Teile "
                        f"liegen ({parts_total} Cent)."
                    }
                )

    @property
    def slug(self) -> str:
        """A name for files made of this product."""
        found = self.article or self.series or self.course
        return found.slug if found else "e-book"

    @property
    def vat_rate(self) -> Decimal:
        return settings.VAT_RATES[self.VAT_CATEGORY_OF_KIND[self.kind]]

    @property
    def vat_cents(self) -> int:
        return vat_included(gross_cents=self.price_cents, rate_percent=self.vat_rate)


class Series(models.Model):
    """A text series: an ordered set of articles sold together, below the sum of their prices."""

    title = models.CharField("Titel", max_length=200)
    slug = models.SlugField("Kurzname", max_length=200, unique=True)
    description = models.TextField("Beschreibung", blank=True)
    articles = models.ManyToManyField(
        Article, through="SeriesArticle", related_name="series", verbose_name="Artikel"
    )
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    class Meta:
        verbose_name = "Textreihe"
        verbose_name_plural = "Textreihen"
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("shop:series", kwargs={"slug": self.slug})

    def parts_total_cents(self) -> int:
        """What the parts cost one by one: the ceiling of the series' own price."""
        return (
            Product.objects.filter(
                kind=Product.Kind.ARTICLE, article__series_parts__series=self
            ).aggregate(total=models.Sum("price_cents"))["total"]
            or 0
        )


class SeriesArticle(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="parts")
    article = models.ForeignKey(
        Article, verbose_name="Artikel", on_delete=models.PROTECT, related_name="series_parts"
    )
    position = models.PositiveIntegerField("Position", default=0)

    class Meta:
        verbose_name = "Teil"
        verbose_name_plural = "Teile"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "article"], name="article_once_per_series")
        ]

    def __str__(self):
        return f"{self.series}: {self.position}. {self.article}"
