from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.models.catalog import Article
from shop.models.orders import InvalidTransition, OrderLine


class CustomEbook(models.Model):
    """A custom eBook bought as one order line: the reader's wish, then the staff's assembly."""

    class State(models.TextChoices):
        AWAITING_WISH = "awaiting_wish", _("Wunsch ausstehend")
        NEW = "new", _("Neu")
        IN_ASSEMBLY = "in_assembly", _("In Arbeit")
        READY_FOR_REVIEW = "ready_for_review", _("Bereit zur Prüfung")
        APPROVED = "approved", _("Freigegeben, wird erstellt")
        DELIVERED = "delivered", _("Ausgeliefert")
        REFUNDED = "cancelled", _("Storniert und erstattet")

    TRANSITIONS = {
        State.AWAITING_WISH: {State.NEW, State.REFUNDED},
        State.NEW: {State.IN_ASSEMBLY, State.REFUNDED},
        State.IN_ASSEMBLY: {State.READY_FOR_REVIEW, State.REFUNDED},
        State.READY_FOR_REVIEW: {State.IN_ASSEMBLY, State.APPROVED, State.REFUNDED},
        # A render that keeps failing goes back to the desk.
        State.APPROVED: {State.DELIVERED, State.IN_ASSEMBLY},
        # A new version: the buyer keeps the current one until the next is delivered.
        State.DELIVERED: {State.IN_ASSEMBLY},
        State.REFUNDED: set(),
    }

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        EPUB = "epub", "EPUB"
        BOTH = "both", _("PDF und EPUB")

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
    reminder_error = models.TextField("Erinnerung fehlgeschlagen", blank=True)
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
    # Cleared by each approval: every delivered version gets its own "ready" e-mail.
    ready_emailed_at = models.DateTimeField("Fertig-E-Mail gesendet", null=True, blank=True)
    ready_email_error = models.TextField("Fertig-E-Mail fehlgeschlagen", blank=True)
    refund_id = models.CharField("Stripe-Erstattung", max_length=255, blank=True)

    class Meta:
        verbose_name = "Individuelles E-Book"
        verbose_name_plural = "Individuelle E-Books"
        ordering = ["created_at"]
        permissions = [("refund_customebook", "Kann individuelle E-Books stornieren und erstatten")]

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
