from django import forms
from django.utils.translation import gettext_lazy as _

from shop.legal import texts as legal
from shop.models import DiscountCode


class CheckoutForm(forms.Form):
    email = forms.EmailField(
        # Order.email's length: a longer address would pass the form and fail the order.
        max_length=254,
        label=_("Ihre E-Mail-Adresse"),
        help_text=_("An diese Adresse senden wir das PDF und Ihren Zugang zur Bibliothek."),
    )
    discount_code = forms.CharField(
        label=_("Rabattcode (optional)"),
        required=False,
        max_length=DiscountCode._meta.get_field("code").max_length,
    )
    lapse_consent = forms.BooleanField(
        label=legal.LAPSE_CONSENT_TEXT, label_suffix="",
        error_messages={"required": _(
            "Bitte stimmen Sie zu: Ohne Ihre Zustimmung dürfen wir die Inhalte nicht sofort "
            "liefern, und ohne sofortige Lieferung können wir sie nicht verkaufen."
        )},
    )  # fmt: skip
    # The version of the text the page showed: an order stores the text the buyer agreed to.
    lapse_consent_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, asks_lapse_consent: bool, **kwargs):
        super().__init__(data, **kwargs)
        self.consent_text_changed = False
        if not asks_lapse_consent:
            del self.fields["lapse_consent"], self.fields["lapse_consent_version"]
            return
        self.fields["lapse_consent_version"].initial = legal.LAPSE_CONSENT_VERSION
        self.consent_text_changed = (
            self.is_bound
            and "lapse_consent" in self.data
            and self.data.get("lapse_consent_version") != legal.LAPSE_CONSENT_VERSION
        )
        if self.consent_text_changed:
            # Agreed to another text than today's: ask again, showing today's.
            self.data = self.data.copy()
            self.data["lapse_consent_version"] = legal.LAPSE_CONSENT_VERSION
            self.data.pop("lapse_consent", None)

    def clean(self):
        if self.consent_text_changed:
            raise forms.ValidationError(
                _("Der Text der Zustimmung hat sich geändert. Bitte lesen und bestätigen Sie ihn.")
            )
        return super().clean()
