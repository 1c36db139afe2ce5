"""Courses, their lessons and tasks, and what a learner does with them.

A course has up to MAX_LESSONS regular lessons of TASKS_PER_LESSON tasks each and one final
lesson with FINAL_LESSON_TASKS closing task. The rules that span the whole course (how many
lessons, a final lesson present) are checked in `services.publishing`: when it is published, and
after every change to a published course; the rules of a single row live here, as constraints
and `clean()`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.markup import markdown_to_html
from plumbing.fields import LanguageField

MAX_LESSONS = 30
TASKS_PER_LESSON = 4
FINAL_LESSON_TASKS = 1


class CourseQuerySet(models.QuerySet):
    def published(self):
        """What the shop may list and sell: published, and not built for one customer."""
        return self.filter(status=Course.Status.PUBLISHED, is_private=False)


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Entwurf"
        PUBLISHED = "published", "Veröffentlicht"

    title = models.CharField("Titel", max_length=200)
    slug = models.SlugField("Kurzname", max_length=200, unique=True)
    subtitle = models.CharField("Untertitel (Titelseite)", max_length=200, blank=True)
    description = models.TextField("Beschreibung")
    cover_colour = models.CharField(
        "Farbe der Titelseite",
        max_length=7,
        default="#0b5d8a",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Bitte eine Farbe wie #0b5d8a angeben.")],
    )
    status = models.CharField("Status", max_length=20, choices=Status, default=Status.DRAFT)
    is_private = models.BooleanField(
        "Für eine Kundin / einen Kunden zusammengestellt", default=False
    )
    private_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Kundenkonto",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="private_courses",
    )
    published_at = models.DateTimeField("Veröffentlicht am", null=True, blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = "Kurs"
        verbose_name_plural = "Kurse"
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_private=False, private_for__isnull=True)
                | models.Q(is_private=True, private_for__isnull=False),
                name="private_course_has_its_customer",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("courses:learn", kwargs={"slug": self.slug})

    def clean(self):
        if self.is_private and self.private_for_id is None:
            raise ValidationError(
                {"private_for": "Ein privater Kurs gehört zu genau einem Kundenkonto."}
            )
        if not self.is_private and self.private_for_id is not None:
            raise ValidationError(
                {"is_private": "Ein Kurs mit Kundenkonto muss als privat markiert sein."}
            )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def description_html(self) -> str:
        return markdown_to_html(self.description)


class LessonQuerySet(models.QuerySet):
    def in_course_order(self):
        """Regular lessons by position, then the final lesson (which has no position)."""
        return self.order_by(models.F("position").asc(nulls_last=True), "pk")


class Lesson(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Lektion"
        FINAL = "final", "Abschlusslektion"

    course = models.ForeignKey(
        Course, verbose_name="Kurs", on_delete=models.CASCADE, related_name="lessons"
    )
    kind = models.CharField("Art", max_length=20, choices=Kind, default=Kind.REGULAR)
    # 1..n without gaps for regular lessons (services keep it so); empty for the final lesson.
    position = models.PositiveSmallIntegerField("Position", null=True, blank=True)
    title = models.CharField("Titel", max_length=200)
    body = models.TextField(
        "Text (Markdown)", help_text="Bei der Abschlusslektion: die Zusammenfassung."
    )
    reflection = models.TextField(
        "Reflexion (Markdown)",
        blank=True,
        help_text="Nur für die Abschlusslektion: Fragen, mit denen die Lernenden zurückblicken.",
    )
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = "Lektion"
        verbose_name_plural = "Lektionen"
        ordering = [models.F("position").asc(nulls_last=True), "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="one_lesson_per_course_position"
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(kind="final"),
                name="one_final_lesson_per_course",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="regular", position__gte=1)
                | models.Q(kind="final", position__isnull=True),
                name="regular_lesson_has_position_final_has_none",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.title}"

    @property
    def is_final(self) -> bool:
        return self.kind == self.Kind.FINAL

    @property
    def label(self) -> str:
        if self.is_final:
            return gettext("Abschlusslektion")
        return gettext("Lektion %(position)s") % {"position": self.position or "–"}

    def clean(self):
        if not self.is_final and self.reflection.strip():
            raise ValidationError(
                {"reflection": "Eine Reflexion gehört nur in die Abschlusslektion."}
            )

    def body_html(self) -> str:
        return markdown_to_html(self.body)

    def reflection_html(self) -> str:
        return markdown_to_html(self.reflection)


class LearningTask(models.Model):
    lesson = models.ForeignKey(
        Lesson, verbose_name="Lektion", on_delete=models.CASCADE, related_name="tasks"
    )
    position = models.PositiveSmallIntegerField("Position")
    prompt = models.TextField("Aufgabe")
    expected_answer = models.TextField(
        "Lösungshinweis",
        blank=True,
        help_text="Optional; sichtbar, sobald die Aufgabe erledigt ist.",
    )
    checklist = models.TextField(
        "Checkliste", blank=True, help_text="Optional; ein Punkt pro Zeile."
    )

    class Meta:
        verbose_name = "Lernaufgabe"
        verbose_name_plural = "Lernaufgaben"
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "position"], name="one_task_per_lesson_position"
            ),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="task_position_1_up"),
        ]

    def __str__(self):
        return f"Aufgabe {self.position}: {self.prompt[:60]}"

    def checklist_items(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.checklist.splitlines() if line.strip(" -*\t")]


class Enrolment(models.Model):
    """A learner's access to a course and everything about how they take it: one row per learner
    and course, ever; ending it (a refund) and enrolling again keeps the progress."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        EMAIL = "email", _("E-Mail-Kurs")

    class Interval(models.IntegerChoices):
        DAILY = 1, _("täglich")
        EVERY_OTHER_DAY = 2, _("alle 2 Tage")
        WEEKLY = 7, _("wöchentlich")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Lernende/r",
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        Course, verbose_name="Kurs", on_delete=models.PROTECT, related_name="enrolments"
    )
    started_at = models.DateTimeField("Eingeschrieben", auto_now_add=True)
    ended_at = models.DateTimeField("Beendet", null=True, blank=True)
    channel = models.CharField("Kanal", max_length=20, choices=Channel, default=Channel.ONLINE)
    email_interval_days = models.PositiveSmallIntegerField(
        "E-Mail-Rhythmus", choices=Interval, default=Interval.DAILY
    )
    email_paused_at = models.DateTimeField("E-Mail-Kurs pausiert seit", null=True, blank=True)
    next_email_due_at = models.DateTimeField("Nächste Lektion fällig", null=True, blank=True)
    certificate_name = models.CharField("Name auf dem Zertifikat", max_length=120, blank=True)
    # The language the course was bought in: lesson e-mails and the certificate are written in it.
    language = LanguageField()

    class Meta:
        verbose_name = "Einschreibung"
        verbose_name_plural = "Einschreibungen"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_enrolment_per_course")
        ]
        indexes = [models.Index(fields=["channel", "next_email_due_at"])]

    def __str__(self):
        return f"{self.learner} – {self.course}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def is_email_course(self) -> bool:
        return self.channel == self.Channel.EMAIL

    @property
    def is_email_paused(self) -> bool:
        return self.email_paused_at is not None


class TaskProgress(models.Model):
    """What a learner did with one task, whichever channel they did it in."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    task = models.ForeignKey(LearningTask, on_delete=models.CASCADE, related_name="progress")
    is_done = models.BooleanField("Erledigt", default=False)
    answer = models.TextField("Antwort", blank=True)
    updated_at = models.DateTimeField("Geändert", auto_now=True)

    class Meta:
        verbose_name = "Fortschritt"
        verbose_name_plural = "Fortschritte"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "task"], name="one_progress_per_task")
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.task} ({'erledigt' if self.is_done else 'offen'})"


class LessonEmail(models.Model):
    """The claim "lesson L went to enrolment E": inserted in the transaction that sends it, so a
    second beat, a retried task or a restarted worker cannot send it again."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_emails")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="emails")
    sent_at = models.DateTimeField("Gesendet")

    class Meta:
        verbose_name = "Lektions-E-Mail"
        verbose_name_plural = "Lektions-E-Mails"
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="one_email_per_lesson_and_enrolment"
            )
        ]

    def __str__(self):
        return f"{self.lesson} an {self.enrolment.learner}"


class Certificate(models.Model):
    """Issued once when the final lesson is complete; its code verifies it publicly."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="certificate"
    )
    code = models.CharField("Prüfcode", max_length=40, unique=True)
    learner_name = models.CharField("Name", max_length=120)
    course_title = models.CharField("Kurs", max_length=200)
    issued_on = models.DateField("Ausgestellt am")
    file = models.FileField("PDF", upload_to="certificates/%Y/", blank=True)
    emailed_at = models.DateTimeField("Per E-Mail gesendet", null=True, blank=True)
    email_error = models.TextField("E-Mail fehlgeschlagen", blank=True)

    class Meta:
        verbose_name = "Zertifikat"
        verbose_name_plural = "Zertifikate"
        ordering = ["-issued_on"]

    def __str__(self):
        return f"{self.course_title} – {self.learner_name} ({self.code})"

    def get_absolute_url(self):
        return reverse("courses:certificate", kwargs={"code": self.code})
