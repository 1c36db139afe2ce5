from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plumbing.fields import LanguageField
from shop.models.orders import Order
from shop.models.subscriptions import Subscription


class WithdrawalConsent(models.Model):
    """The buyer's § 356 Abs. 5 BGB consent at checkout: the exact text shown and its version."""

    order = models.OneToOneField(
        Order, verbose_name=_("Bestellung"), on_delete=models.CASCADE,
        related_name="withdrawal_consent",
    )  # fmt: skip
    text = models.TextField(_("Text der Zustimmung"))
    version = models.CharField(_("Version"), max_length=20)
    given_at = models.DateTimeField(_("Zugestimmt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Zustimmung zum Erlöschen des Widerrufsrechts")
        verbose_name_plural = _("Zustimmungen zum Erlöschen des Widerrufsrechts")

    def __str__(self):
        return f"{self.order} ({self.version})"


class WithdrawalDeclaration(models.Model):
    """A declaration made with "Vertrag widerrufen" (§ 356a BGB), as received. The order is set
    only when the reference and the order's e-mail address both match what was given. A
    declaration of the KI-Berater subscription, named by its Abo-Nummer or by one of its months'
    orders, names the subscription too: its order is the one whose period decides the right."""

    received_at = models.DateTimeField(_("Eingegangen"), default=timezone.now, db_index=True)
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"))
    # The language of the page it was declared on: its confirmation of receipt is written in it.
    language = LanguageField()
    contract = models.CharField(_("Angegebener Vertrag"), max_length=100)
    message = models.TextField(_("Nachricht"), blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("Zugeordnete Bestellung"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="withdrawal_declarations",
    )  # fmt: skip
    subscription = models.ForeignKey(
        Subscription, verbose_name=_("Zugeordnetes Abo"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="withdrawal_declarations",
    )  # fmt: skip
    is_withdrawable = models.BooleanField(_("Noch widerrufbar"), default=False)
    assessment = models.TextField(_("Prüfung"), blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("Eingangsbestätigung gesendet"), null=True, blank=True
    )
    confirmation_error = models.TextField(_("Eingangsbestätigung fehlgeschlagen"), blank=True)
    # A matched declaration is refunded only once the contract's own address confirmed it: a
    # stranger who knows a buyer's address and order must not have it refunded with one click.
    owner_request_sent_at = models.DateTimeField(
        _("Bestätigungslink an den Vertragsinhaber gesendet"), null=True, blank=True
    )
    owner_confirmed_at = models.DateTimeField(
        _("Bestätigt durch den Vertragsinhaber"), null=True, blank=True
    )
    handled_at = models.DateTimeField(_("Erledigt"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Erledigt durch"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    refund_ids = models.CharField(_("Stripe-Erstattungen"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Widerruf")
        verbose_name_plural = _("Widerrufe")
        ordering = ["-received_at"]
        permissions = [("refund_withdrawaldeclaration", "Kann zu einem Widerruf erstatten")]

    def __str__(self):
        return f"{self.contract} – {self.name}"

    @property
    def is_matched(self) -> bool:
        return self.order_id is not None or self.subscription_id is not None

    @property
    def contract_email(self) -> str:
        """The address of the contract itself, which the declaration's address matched."""
        return self.order.email if self.order_id else self.subscription.email
