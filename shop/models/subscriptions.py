from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plumbing.fields import LanguageField
from shop.models.catalog import Product
from shop.models.orders import Order


class Subscription(models.Model):
    """A reader's KI-Berater subscription at Stripe. Its state is what Stripe's objects say; the
    shop adds only what it was paid for (`paid_until`), from which access follows."""

    class Status(models.TextChoices):
        # Ours: the reader is on Stripe's checkout page, nothing agreed yet.
        CHECKOUT = "checkout", _("Checkout offen")
        # Stripe's own subscription statuses, as its objects name them.
        INCOMPLETE = "incomplete", _("Unvollständig")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("Nicht zustande gekommen")
        TRIALING = "trialing", _("Probezeit")
        ACTIVE = "active", _("Aktiv")
        PAST_DUE = "past_due", _("Zahlung überfällig")
        UNPAID = "unpaid", _("Unbezahlt")
        PAUSED = "paused", _("Pausiert")
        CANCELED = "canceled", _("Beendet")

    # Stripe never brings these back: a later copy of an older object must not either.
    ENDED = {Status.CANCELED, Status.INCOMPLETE_EXPIRED}
    # What Stripe says while the current period's invoice is not paid.
    UNPAID = {Status.INCOMPLETE, Status.PAST_DUE, Status.UNPAID}
    # Access runs while paid, and for the grace period after a failed renewal.
    WITH_ACCESS = {Status.ACTIVE, Status.TRIALING, Status.PAST_DUE}

    reference = models.CharField("Abo-Nummer", max_length=20, unique=True)
    email = models.EmailField("E-Mail")
    # The reader's language at checkout: the monthly orders and their e-mails are written in it.
    language = LanguageField()
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Kundenkonto",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    product = models.ForeignKey(Product, verbose_name="Produkt", on_delete=models.PROTECT)
    status = models.CharField(
        "Status", max_length=20, choices=Status, default=Status.CHECKOUT, db_index=True
    )
    stripe_session_id = models.CharField(
        "Stripe Checkout Session", max_length=255, unique=True, null=True, blank=True
    )
    stripe_subscription_id = models.CharField(
        "Stripe-Abo", max_length=255, unique=True, null=True, blank=True
    )
    stripe_customer_id = models.CharField("Stripe-Kunde", max_length=255, blank=True)
    current_period_end = models.DateTimeField("Laufende Periode bis", null=True, blank=True)
    paid_until = models.DateTimeField("Bezahlt bis", null=True, blank=True)
    cancel_at_period_end = models.BooleanField("Endet mit der Periode", default=False)
    ended_at = models.DateTimeField("Beendet am", null=True, blank=True)
    created_at = models.DateTimeField("Angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "KI-Berater-Abo"
        verbose_name_plural = "KI-Berater-Abos"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} ({self.email})"

    @property
    def is_ended(self) -> bool:
        return self.status in self.ENDED

    @property
    def access_until(self):
        """When access stops if nothing more is paid: the paid period, plus the grace period
        while a failed renewal is being retried."""
        if self.status not in self.WITH_ACCESS or self.paid_until is None:
            return None
        if self.cancel_at_period_end:
            return self.paid_until
        return self.paid_until + settings.ADVISER_GRACE_PERIOD

    @property
    def has_access(self) -> bool:
        until = self.access_until
        return until is not None and until > timezone.now()


class SubscriptionPayment(models.Model):
    """One paid Stripe invoice of a subscription and the order that books it, stored once."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="payments"
    )
    stripe_invoice_id = models.CharField("Stripe-Rechnung", max_length=255, unique=True)
    order = models.OneToOneField(
        Order, verbose_name="Bestellung", on_delete=models.PROTECT, null=True, blank=True
    )
    period_start = models.DateTimeField("Zeitraum von")
    period_end = models.DateTimeField("Zeitraum bis")
    # Refunded or disputed: the period no longer counts as paid.
    revoked_at = models.DateTimeField("Erstattet/angefochten am", null=True, blank=True)

    class Meta:
        verbose_name = "Abo-Zahlung"
        verbose_name_plural = "Abo-Zahlungen"
        ordering = ["-period_end"]

    def __str__(self):
        return f"{self.subscription.reference}: {self.stripe_invoice_id}"


class CancellationNotice(models.Model):
    """A notice given through the cancel button (§ 312k BGB), kept as received, whether or not
    it matched a subscription. One that names no fitting Abo-Nummer waits for its address to
    confirm it by the link its confirmation carries."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordentliche Kündigung")
        EXTRAORDINARY = "extraordinary", _("Außerordentliche Kündigung")

    name = models.CharField("Name", max_length=200)
    email = models.EmailField("E-Mail")
    contract = models.CharField("Angegebener Vertrag", max_length=200, blank=True)
    # The reader's language at the cancel button: its confirmation e-mail is written in it.
    language = LanguageField()
    kind = models.CharField("Art", max_length=20, choices=Kind, default=Kind.ORDINARY)
    reason = models.TextField("Grund (außerordentlich)", blank=True)
    received_at = models.DateTimeField("Eingegangen", default=timezone.now)
    subscription = models.ForeignKey(
        Subscription,
        verbose_name="Zugeordnetes Abo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancellation_notices",
    )
    ends_at = models.DateTimeField("Vertragsende", null=True, blank=True)
    stripe_error = models.TextField("Fehler bei Stripe", blank=True)
    confirmed_at = models.DateTimeField("Bestätigung gesendet", null=True, blank=True)
    confirmation_error = models.TextField("Bestätigung fehlgeschlagen", blank=True)
    link_sent_at = models.DateTimeField("Bestätigungslink gesendet", null=True, blank=True)
    link_confirmed_at = models.DateTimeField("Per Link bestätigt", null=True, blank=True)
    # The contract's end, told after a notice confirmed by link has been carried out at Stripe.
    end_sent_at = models.DateTimeField("Vertragsende mitgeteilt", null=True, blank=True)

    class Meta:
        verbose_name = "Kündigung"
        verbose_name_plural = "Kündigungen"
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.name} <{self.email}> {self.received_at:%Y-%m-%d %H:%M}"
