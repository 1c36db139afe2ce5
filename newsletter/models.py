"""Subscribers with their consent, the issues staff write, and the claim that one subscriber got
one issue."""

from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.markup import markdown_to_html
from plumbing.fields import LanguageField


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        """Confirmed by the double opt-in and not unsubscribed since: nobody else gets an issue."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscriber(models.Model):
    """One address and its consent: the exact text and version agreed to, when it was asked for
    (the confirmation e-mail goes out then) and when the link in it confirmed it; and when and
    how it unsubscribed, kept through a new sign-up until the address confirms again (anyone
    can fill in the form). No IP address: it proves nothing the confirmation does not."""

    class UnsubscribedVia(models.TextChoices):
        ONE_CLICK = "one_click", _("Ein-Klick-Abmeldung im Mailprogramm")
        LINK = "link", _("Abmeldelink in der E-Mail")

    email = models.EmailField(_("E-Mail"), unique=True)
    consent_text = models.TextField(_("Text der Einwilligung"))
    consent_version = models.CharField(_("Version"), max_length=20)
    # The language of the sign-up page: the consent text is stored in it, and every e-mail to
    # this address is written in it.
    language = LanguageField(_("Sprache"))
    signed_up_at = models.DateTimeField(_("Angemeldet"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("Bestätigt"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("Abgemeldet"), null=True, blank=True)
    unsubscribed_via = models.CharField(
        _("Abgemeldet über"), max_length=20, choices=UnsubscribedVia, blank=True
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("Abonnent/in")
        verbose_name_plural = _("Abonnent/innen")
        ordering = ["-signed_up_at"]

    def __str__(self):
        return self.email

    @property
    def is_receiving(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    @property
    def awaits_confirmation(self) -> bool:
        """The latest sign-up is not confirmed yet (an earlier one may have been)."""
        return self.confirmed_at is None or self.confirmed_at < self.signed_up_at


class Issue(models.Model):
    """A newsletter issue staff write in the admin and send to every receiving subscriber once."""

    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Text (Markdown)"))
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    sending_started_at = models.DateTimeField(_("Versand gestartet"), null=True, blank=True)
    # The last run's failures, until a run sends to everyone it should.
    send_error = models.TextField(_("Versand fehlgeschlagen"), blank=True)

    class Meta:
        verbose_name = _("Ausgabe")
        verbose_name_plural = _("Ausgaben")
        ordering = ["-created_at"]
        permissions = [("send_issue", "Kann eine Ausgabe an alle Abonnent/innen senden")]

    def __str__(self):
        return self.subject

    @cached_property
    def body_html(self) -> str:
        """The body as safe HTML, converted once for all the subscribers one task sends to."""
        return markdown_to_html(self.body)


class IssueDelivery(models.Model):
    """The claim that one subscriber got one issue: a second claim is refused by the database."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(_("Gesendet"), default=timezone.now)

    class Meta:
        verbose_name = _("Versand")
        verbose_name_plural = _("Versand")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="issue_once_per_subscriber"
            )
        ]

    def __str__(self):
        return f"{self.issue} → {self.subscriber}"
