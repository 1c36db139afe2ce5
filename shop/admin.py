from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html_join

from shop import services, tasks
from shop.models import (
    Article,
    Delivery,
    Entitlement,
    Order,
    OrderLine,
    Product,
    Series,
    SeriesArticle,
    StripeEvent,
)
from shop.money import format_eur


class ProductInline(admin.StackedInline):
    model = Product
    extra = 0
    fields = ["name", "price_cents", "vat_rate", "is_active"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "published_on", "status"]
    list_filter = ["status", "published_on"]
    search_fields = ["title", "author", "teaser"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProductInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.status == Article.Status.PUBLISHED:
            tasks.prerender_article_pdf.delay_on_commit(obj.pk)


class SeriesArticleInline(admin.TabularInline):
    model = SeriesArticle
    extra = 1
    autocomplete_fields = ["article"]
    fields = ["position", "article"]


class SeriesProductForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The product of a series is a series product; clean() then checks its price.
        self.instance.kind = Product.Kind.SERIES


class SeriesProductInline(admin.StackedInline):
    model = Product
    form = SeriesProductForm
    extra = 0
    max_num = 1
    fields = ["name", "price_cents", "vat_rate", "is_active"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "part_count", "price", "parts_total"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SeriesArticleInline, SeriesProductInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("product")
            .annotate(number_of_parts=Count("parts"))
        )

    @admin.display(description="Teile", ordering="number_of_parts")
    def part_count(self, series):
        return series.number_of_parts

    @admin.display(description="Preis der Reihe")
    def price(self, series):
        product = getattr(series, "product", None)
        return format_eur(product.price_cents) if product else "–"

    @admin.display(description="Einzeln zusammen")
    def parts_total(self, series):
        return format_eur(series.parts_total_cents())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        problem = services.series_price_problem(series=form.instance)
        if problem:
            self.message_user(request, problem, messages.ERROR)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "price_cents", "vat_rate", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["article", "series"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ["product", "description", "gross_cents", "vat_rate", "vat_cents"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "email", "status", "total_cents", "paid_at", "fulfilled_at"]
    list_filter = ["status", "needs_review", "paid_at"]
    search_fields = ["reference", "email", "stripe_session_id", "stripe_payment_intent"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    actions = ["resend_email", "render_again"]
    fields = [
        "reference", "email", "buyer", "status", "currency", "total_cents",
        "stripe_session_id", "stripe_payment_intent", "created_at", "paid_at", "fulfilled_at",
        "deliveries", "needs_review", "review_note",
    ]  # fmt: skip
    # Payment facts come from Stripe only; staff may clear a review flag and note why.
    readonly_fields = [f for f in fields if f not in {"needs_review", "review_note"}]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Auslieferungen")
    def deliveries(self, order):
        rows = Delivery.objects.filter(order_line__order=order).select_related("order_line")
        return format_html_join(
            "", "<div>{}: {} {}</div>",
            ((d.order_line.description, d.get_status_display(), d.error) for d in rows),
        )  # fmt: skip

    @admin.action(description="E-Mail mit den PDFs erneut senden")
    def resend_email(self, request, queryset):
        paid = queryset.filter(status=Order.Status.PAID)
        for order in paid:
            tasks.send_delivery_email.delay_on_commit(order.pk, resend=True)
        self.message_user(request, f"{paid.count()} E-Mail(s) werden erneut gesendet.")

    @admin.action(description="PDFs neu erstellen und senden, falls noch nicht geschehen")
    def render_again(self, request, queryset):
        paid = queryset.filter(status=Order.Status.PAID)
        for order in paid:
            tasks.fulfil_order.delay_on_commit(order.pk, rerender=True)
        self.message_user(request, f"{paid.count()} Bestellung(en) werden neu erstellt.")
        if paid.count() < queryset.count():
            self.message_user(request, "Unbezahlte Bestellungen übersprungen.", messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["order_line", "order_reference", "status", "created_at", "error"]
    list_filter = ["status", "created_at"]
    search_fields = ["order_line__order__reference", "order_line__order__email"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    @admin.display(description="Bestellung", ordering="order_line__order__reference")
    def order_reference(self, delivery):
        return delivery.order_line.order.reference

    def has_add_permission(self, request):
        return False


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):
    list_display = ["buyer", "product", "granted_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["buyer__email", "product__name", "order_line__order__reference"]
    readonly_fields = ["buyer", "product", "order_line", "granted_at"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "outcome", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "outcome"]
    readonly_fields = ["event_id", "type", "payload", "outcome", "received_at"]

    def has_add_permission(self, request):
        return False
