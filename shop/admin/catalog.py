from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from shop.catalog import services, tasks
from shop.models import Article, Product, Series, SeriesArticle
from shop.money import format_eur


class ProductInline(admin.StackedInline):
    model = Product
    extra = 0
    fields = ["name", "price_cents", "is_active"]


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
    fields = ["name", "price_cents", "is_active"]


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
        tasks.prerender_series_pdf.delay_on_commit(form.instance.pk)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "price_cents", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["article", "series"]
