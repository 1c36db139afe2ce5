from django.db import models


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
