from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shop.models import Article, CustomEbook


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
