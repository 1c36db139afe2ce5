from django import forms
from django.utils.translation import gettext_lazy as _


class WithdrawalForm(forms.Form):
    """Only what § 356a BGB needs: who, where to confirm, which contract; a note if they like."""

    name = forms.CharField(label=_("Ihr Name"), max_length=200)
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"), max_length=254,
        help_text=_("An diese Adresse senden wir die Eingangsbestätigung."),
    )  # fmt: skip
    contract = forms.CharField(
        label=_("Welcher Vertrag?"), max_length=100,
        help_text=_(
            "Ihre Bestellnummer (z. B. 2026-K7QF-2MZP) oder Abo-Nummer (z. B. A2026-X4TB-9RNE)."
        ),
    )  # fmt: skip
    message = forms.CharField(
        label=_("Nachricht (optional)"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
