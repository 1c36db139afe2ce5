from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import CancellationNotice


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label=_("Ihre E-Mail-Adresse"),
        help_text=_("Mit dieser Adresse melden Sie sich an, um alle Artikel online zu lesen."),
    )


class CancellationForm(forms.Form):
    """What § 312k BGB lets a consumer give on the cancel page: who they are, which contract,
    and how they cancel."""

    name = forms.CharField(label=_("Ihr Name"), max_length=200)
    email = forms.EmailField(label=_("Ihre E-Mail-Adresse"), max_length=254)
    contract = forms.CharField(
        label=_("Welcher Vertrag? (optional)"), max_length=200, required=False,
        help_text=_("Zum Beispiel die Abo-Nummer aus Ihrer Bestätigung."),
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=_("Art der Kündigung"), choices=CancellationNotice.Kind.choices,
        initial=CancellationNotice.Kind.ORDINARY, widget=forms.RadioSelect,
    )  # fmt: skip
    effective = forms.ChoiceField(
        label=_("Zeitpunkt"), choices=[("next_possible", _("zum nächstmöglichen Zeitpunkt"))],
        initial="next_possible", widget=forms.RadioSelect,
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Grund (nur bei außerordentlicher Kündigung)"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("kind") == CancellationNotice.Kind.EXTRAORDINARY and not data.get("reason"):
            self.add_error(
                "reason", _("Bitte nennen Sie den Grund der außerordentlichen Kündigung.")
            )
        return data
