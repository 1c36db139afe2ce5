from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

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
        ARTICLE = "article", "Artikel-PDF"
        COURSE = "course", "eCourse"
        SERIES = "series", "Textreihe"
        CUSTOM_EBOOK = "custom_ebook", "Individuelles E-Book"

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
    vat_rate = models.DecimalField(
        "USt.-Satz (%)", max_digits=4, decimal_places=2, default=Decimal("7.00")
    )
    is_active = models.BooleanField("Im Verkauf", default=True)

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
    def is_pdf(self) -> bool:
        """Fulfilled by a stamped PDF when paid; a course by its enrolment, a custom eBook only
        after the desk has made it."""
        return self.kind in (self.Kind.ARTICLE, self.Kind.SERIES)

    @property
    def slug(self) -> str:
        """A name for files made of this product."""
        found = self.article or self.series or self.course
        return found.slug if found else "e-book"

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


class ReferenceCounter(models.Model):
    """A per-year counter behind public references such as 2026-000123."""

    name = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.value}"


class InvalidTransition(Exception):
    pass


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Offen"
        AWAITING_PAYMENT = "awaiting_payment", "Zahlung ausstehend"
        PAID = "paid", "Bezahlt"
        CANCELLED = "cancelled", "Storniert"

    TRANSITIONS = {
        Status.PENDING: {Status.AWAITING_PAYMENT, Status.PAID, Status.CANCELLED},
        Status.AWAITING_PAYMENT: {Status.PAID, Status.CANCELLED},
        Status.PAID: set(),
        Status.CANCELLED: set(),
    }

    reference = models.CharField("Bestellnummer", max_length=20, unique=True)
    email = models.EmailField("E-Mail")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Kundenkonto",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    status = models.CharField(
        "Status", max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    currency = models.CharField("Währung", max_length=3, default="eur")
    total_cents = models.PositiveIntegerField("Summe brutto (Cent)")
    stripe_session_id = models.CharField(
        "Stripe Checkout Session", max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent = models.CharField("Stripe PaymentIntent", max_length=255, blank=True)
    needs_review = models.BooleanField("Prüfen", default=False)
    review_note = models.TextField("Prüfhinweis", blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)
    paid_at = models.DateTimeField("Bezahlt am", null=True, blank=True)
    fulfilled_at = models.DateTimeField("Ausgeliefert am", null=True, blank=True)

    class Meta:
        verbose_name = "Bestellung"
        verbose_name_plural = "Bestellungen"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "fulfilled_at", "paid_at"])]

    def __str__(self):
        return self.reference

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    def move_to(self, status: "Order.Status") -> None:
        """The only way an order's status changes; callers hold a row lock."""
        if status not in self.TRANSITIONS[self.status]:
            raise InvalidTransition(f"{self.reference}: {self.status} → {status}")
        self.status = status


class OrderLine(models.Model):
    """What was sold, frozen at checkout: later price changes do not touch it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name="Produkt", on_delete=models.PROTECT)
    description = models.CharField("Bezeichnung", max_length=200)
    gross_cents = models.PositiveIntegerField("Brutto (Cent)")
    vat_rate = models.DecimalField("USt.-Satz (%)", max_digits=4, decimal_places=2)
    vat_cents = models.PositiveIntegerField("USt. (Cent)")

    class Meta:
        verbose_name = "Position"
        verbose_name_plural = "Positionen"

    def __str__(self):
        return self.description


class Entitlement(models.Model):
    """The ledger of what a buyer may have. Views and downloads ask this, nothing else."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entitlements"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="entitlements")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="entitlements")
    granted_at = models.DateTimeField("Erteilt", auto_now_add=True)
    revoked_at = models.DateTimeField("Entzogen", null=True, blank=True)

    class Meta:
        verbose_name = "Berechtigung"
        verbose_name_plural = "Berechtigungen"
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "product"], name="one_entitlement_per_line_and_product"
            )
        ]

    def __str__(self):
        return f"{self.buyer} – {self.product}"


class Delivery(models.Model):
    """The buyer's stamped copy of one order line, one per content version of what was bought."""

    class Status(models.TextChoices):
        RENDERED = "rendered", "Erstellt"
        FAILED = "failed", "Fehlgeschlagen"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        EPUB = "epub", "EPUB"

    CONTENT_TYPES = {Format.PDF: "application/pdf", Format.EPUB: "application/epub+zip"}

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="deliveries")
    # What the file is: the line's own product, or one part of a series the line bought.
    product = models.ForeignKey(
        Product, verbose_name="Inhalt", on_delete=models.PROTECT, related_name="deliveries"
    )
    content_version = models.CharField("Inhaltsversion", max_length=64)
    format = models.CharField("Format", max_length=10, choices=Format, default=Format.PDF)
    status = models.CharField("Status", max_length=20, choices=Status)
    file = models.FileField("Datei", upload_to="deliveries/%Y/%m/", blank=True)
    error = models.TextField("Fehler", blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    class Meta:
        verbose_name = "Auslieferung"
        verbose_name_plural = "Auslieferungen"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "product", "content_version", "format"],
                name="one_delivery_per_line_product_version_and_format",
            )
        ]

    def __str__(self):
        return f"{self.order_line} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.product_id is None:
            self.product_id = self.order_line.product_id
        super().save(*args, **kwargs)

    @property
    def download_name(self) -> str:
        name = f"{self.product.slug}-{self.order_line.order.reference}"
        if self.product.kind == Product.Kind.CUSTOM_EBOOK:
            name += f"-{self.content_version}"
        return f"{name}.{self.format}"

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.format]


class CustomEbook(models.Model):
    """A custom eBook bought as one order line: the reader's wish, then the staff's assembly."""

    class State(models.TextChoices):
        AWAITING_WISH = "awaiting_wish", "Wunsch ausstehend"
        NEW = "new", "Neu"
        IN_ASSEMBLY = "in_assembly", "In Arbeit"
        READY_FOR_REVIEW = "ready_for_review", "Bereit zur Prüfung"
        APPROVED = "approved", "Freigegeben, wird erstellt"
        DELIVERED = "delivered", "Ausgeliefert"
        CANCELLED = "cancelled", "Storniert und erstattet"

    TRANSITIONS = {
        State.AWAITING_WISH: {State.NEW, State.CANCELLED},
        State.NEW: {State.IN_ASSEMBLY, State.CANCELLED},
        State.IN_ASSEMBLY: {State.READY_FOR_REVIEW, State.CANCELLED},
        State.READY_FOR_REVIEW: {State.IN_ASSEMBLY, State.APPROVED, State.CANCELLED},
        # A render that keeps failing goes back to the desk.
        State.APPROVED: {State.DELIVERED, State.IN_ASSEMBLY},
        # A new version: the buyer keeps the current one until the next is delivered.
        State.DELIVERED: {State.IN_ASSEMBLY},
        State.CANCELLED: set(),
    }

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        EPUB = "epub", "EPUB"
        BOTH = "both", "PDF und EPUB"

    order_line = models.OneToOneField(
        OrderLine, verbose_name="Position", on_delete=models.PROTECT, related_name="custom_ebook"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Kundin/Kunde", on_delete=models.PROTECT,
        related_name="custom_ebooks",
    )  # fmt: skip
    state = models.CharField(
        "Status", max_length=20, choices=State, default=State.AWAITING_WISH, db_index=True
    )
    state_changed_at = models.DateTimeField("Status seit", default=timezone.now)
    created_at = models.DateTimeField("Bestellt", auto_now_add=True)
    # The reader's wish.
    working_title = models.CharField("Arbeitstitel", max_length=200, blank=True)
    questions = models.TextField("Thema oder Fragen", blank=True)
    wished_articles = models.ManyToManyField(
        Article, verbose_name="Gewünschte Artikel", blank=True, related_name="+"
    )
    format = models.CharField("Format", max_length=10, choices=Format, default=Format.BOTH)
    note = models.TextField("Anmerkung", blank=True)
    wish_submitted_at = models.DateTimeField("Wunsch eingegangen", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("Erinnerung gesendet", null=True, blank=True)
    # The staff's assembly.
    title = models.CharField("Titel", max_length=200, blank=True)
    subtitle = models.CharField("Untertitel", max_length=200, blank=True)
    preface = models.TextField("Widmung / Vorwort", blank=True)
    articles = models.ManyToManyField(
        Article, through="EbookChapter", verbose_name="Kapitel", blank=True, related_name="+"
    )
    preview = models.FileField("Vorschau", upload_to="ebook-previews/", blank=True)
    preview_rendered_at = models.DateTimeField("Vorschau erstellt", null=True, blank=True)
    version = models.PositiveIntegerField("Version", default=0)
    render_error = models.TextField("Fehler beim Erstellen", blank=True)
    ready_email_version = models.PositiveIntegerField("Fertig-E-Mail für Version", default=0)
    refund_id = models.CharField("Stripe-Erstattung", max_length=255, blank=True)

    class Meta:
        verbose_name = "Individuelles E-Book"
        verbose_name_plural = "Individuelle E-Books"
        ordering = ["created_at"]

    def __str__(self):
        return self.title or self.working_title or f"E-Book zu {self.order_line.order}"

    def move_to(self, state: "CustomEbook.State") -> None:
        """The only way the state changes; callers hold a row lock and record the change."""
        if state not in self.TRANSITIONS[self.state]:
            raise InvalidTransition(f"E-Book {self.pk}: {self.state} → {state}")
        self.state = state
        self.state_changed_at = timezone.now()

    @property
    def formats(self) -> list[str]:
        return ["pdf", "epub"] if self.format == self.Format.BOTH else [self.format]

    @property
    def wish_is_open(self) -> bool:
        """The reader may still write or change the wish: staff have not started."""
        return self.state in (self.State.AWAITING_WISH, self.State.NEW)


class EbookChapter(models.Model):
    ebook = models.ForeignKey(CustomEbook, on_delete=models.CASCADE, related_name="chapters")
    article = models.ForeignKey(Article, verbose_name="Artikel", on_delete=models.PROTECT)
    position = models.PositiveIntegerField("Position", default=0)

    class Meta:
        verbose_name = "Kapitel"
        verbose_name_plural = "Kapitel"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ebook", "article"], name="article_once_per_ebook")
        ]

    def __str__(self):
        return f"{self.position}. {self.article}"


class EbookStateChange(models.Model):
    """Who moved a custom eBook from which state to which, and when. No author: the system."""

    ebook = models.ForeignKey(CustomEbook, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField("Von", max_length=20, choices=CustomEbook.State)
    to_state = models.CharField("Nach", max_length=20, choices=CustomEbook.State)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="Durch", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    changed_at = models.DateTimeField("Am", auto_now_add=True)

    class Meta:
        verbose_name = "Statuswechsel"
        verbose_name_plural = "Statuswechsel"
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class StripeEvent(models.Model):
    """Every Stripe event the webhook accepted, stored once: its id makes a replay harmless."""

    event_id = models.CharField("Event-ID", max_length=255, unique=True)
    type = models.CharField("Typ", max_length=100)
    payload = models.JSONField("Inhalt")
    outcome = models.CharField("Ergebnis", max_length=200, blank=True)
    received_at = models.DateTimeField("Empfangen", auto_now_add=True)

    class Meta:
        verbose_name = "Stripe-Ereignis"
        verbose_name_plural = "Stripe-Ereignisse"
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
