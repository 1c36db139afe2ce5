from django import forms
from django.contrib import admin
from django.db.models import Count

from shop.models import DiscountCode, Product
from shop.money import format_eur
from shop.orders import discounts


class DiscountCodeForm(forms.ModelForm):
    product_kinds = forms.MultipleChoiceField(
        label="Nur für diese Produktarten", choices=Product.Kind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ohne Produkte und Produktarten gilt der Code für alles.",
    )  # fmt: skip

    class Meta:
        model = DiscountCode
        fields = [
            "code", "percent_off", "amount_off_cents", "valid_from", "valid_to",
            "max_redemptions", "max_redemptions_per_buyer", "products", "product_kinds",
        ]  # fmt: skip


@admin.register(DiscountCode)
class DiscountCodeAdmin(admin.ModelAdmin):
    form = DiscountCodeForm
    list_display = ["code", "discount", "valid_from", "valid_to", "redeemed", "max_redemptions"]
    search_fields = ["code"]
    filter_horizontal = ["products"]
    fields = [*DiscountCodeForm.Meta.fields, "redeemed"]
    readonly_fields = ["redeemed"]

    def get_queryset(self, request):
        # What discounts.redemptions() counts, for every row at once.
        return (
            super()
            .get_queryset(request)
            .annotate(redeemed_count=Count("orders", filter=discounts.redeeming("orders__")))
        )

    @admin.display(description="Rabatt")
    def discount(self, code):
        if code.percent_off is not None:
            return f"{code.percent_off} %"
        return format_eur(code.amount_off_cents)

    @admin.display(description="Eingelöst (offen oder bezahlt)", ordering="redeemed_count")
    def redeemed(self, code):
        return getattr(code, "redeemed_count", 0)
