from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shop import legal
from shop.models import Article, CancellationNotice, CustomEbook, DiscountCode


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


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse, mit der Sie gekauft haben"))


class EbookWishForm(forms.Form):
    working_title = forms.CharField(label=_("Arbeitstitel"), max_length=200)
    questions = forms.CharField(
        label=_("Thema oder Fragen"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        help_text=_("Worum soll es gehen? Welche Fragen soll das Buch beantworten?"),
    )  # fmt: skip
    articles = forms.ModelMultipleChoiceField(
        label=_("Wunschartikel (optional)"), required=False, queryset=Article.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    format = forms.ChoiceField(
        label=_("Format"), choices=CustomEbook.Format.choices, initial=CustomEbook.Format.BOTH,
        widget=forms.RadioSelect,
    )  # fmt: skip
    note = forms.CharField(
        label=_("Anmerkung (optional)"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, data=None, *, ebook: CustomEbook, query: str = ""):
        """`query` narrows the listed articles to a search of the catalog."""
        initial = {
            "working_title": ebook.working_title, "questions": ebook.questions,
            "articles": list(ebook.wished_articles.values_list("pk", flat=True)),
            "format": ebook.format, "note": ebook.note,
        }  # fmt: skip
        super().__init__(data, initial=initial)
        catalog = Article.objects.published().order_by("title")
        if data is None and query:
            # The search narrows what is listed; the articles already wished stay listed.
            catalog = catalog.filter(
                Q(title__icontains=query) | Q(teaser__icontains=query) | Q(author__icontains=query)
                | Q(pk__in=initial["articles"])
            )  # fmt: skip
        self.fields["articles"].queryset = catalog


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
            "Ihre Bestellnummer (z. B. 2026-000123) oder Abo-Nummer (z. B. A2026-000045)."
        ),
    )  # fmt: skip
    message = forms.CharField(
        label=_("Nachricht (optional)"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
