from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from shop import ebooks, services, stripe_api, tasks, withdrawals
from shop.models import (
    Article,
    CancellationNotice,
    CustomEbook,
    Delivery,
    DiscountCode,
    EbookChapter,
    EbookStateChange,
    Entitlement,
    InvalidTransition,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Product,
    Series,
    SeriesArticle,
    StripeEvent,
    Subscription,
    SubscriptionPayment,
    WithdrawalDeclaration,
)
from shop.money import format_eur


class ProductInline(admin.StackedInline):
    model = Product
    extra = 0
    fields = ["name", "price_cents", "vat_category", "is_active"]


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
    fields = ["name", "price_cents", "vat_category", "is_active"]


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
    list_display = ["name", "kind", "price_cents", "vat_category", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["article", "series"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "product", "description", "list_price_cents", "discount_cents", "gross_cents", "vat_rate",
        "vat_cents",
    ]  # fmt: skip

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
        "reference", "email", "language", "buyer", "status", "currency", "total_cents",
        "discount_code_text",
        "stripe_session_id", "stripe_payment_intent", "created_at", "paid_at", "fulfilled_at",
        "deliveries", "needs_review", "review_note",
    ]  # fmt: skip
    # Payment facts come from Stripe only; staff may clear a review flag and note why, and change
    # the language the order's e-mails are written in (then resend them).
    readonly_fields = [f for f in fields if f not in {"needs_review", "review_note", "language"}]

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


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ["position", "description", "net", "vat_rate", "vat", "gross"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Netto")
    def net(self, line):
        return format_eur(line.net_cents)

    @admin.display(description="USt.")
    def vat(self, line):
        return format_eur(line.vat_cents)

    @admin.display(description="Brutto")
    def gross(self, line):
        return format_eur(line.gross_cents)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices are records the law wants kept as issued: staff read them, nobody edits."""

    list_display = ["number", "kind", "order", "issued_on", "total", "buyer_email", "pdf_link"]
    list_filter = ["kind", "issued_on"]
    search_fields = ["number", "order__reference", "buyer_email", "buyer_name", "stripe_refund_id"]
    date_hierarchy = "issued_on"
    list_select_related = ["order"]
    inlines = [InvoiceLineInline]
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Invoice._meta.fields if f.name != "pdf"] + ["pdf_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines")

    @admin.display(description="Brutto")
    def total(self, invoice):
        return format_eur(invoice.total_gross_cents())

    @admin.display(description="PDF")
    def pdf_link(self, invoice):
        if not invoice.pdf:
            return "Wird erstellt"
        url = reverse("admin:shop_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, invoice.download_name)

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="shop_invoice_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, invoice_id):
        invoice = Invoice.objects.filter(pk=invoice_id).first()
        if invoice is None or not invoice.pdf or not self.has_view_permission(request, invoice):
            raise Http404("Kein PDF")
        return FileResponse(
            invoice.pdf.open("rb"), filename=invoice.download_name, content_type="application/pdf"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


ASSEMBLY_STATES = {
    CustomEbook.State.NEW,
    CustomEbook.State.IN_ASSEMBLY,
    CustomEbook.State.READY_FOR_REVIEW,
}


def _is_assembling(ebook: CustomEbook | None) -> bool:
    """Chapters, title and preface change only while the desk works on the book; after approval
    they change again once it is reopened for a new version."""
    return ebook is not None and ebook.state in ASSEMBLY_STATES


class EbookChapterInline(admin.TabularInline):
    """The book's chapters: search an article to add it, order them by position."""

    model = EbookChapter
    extra = 1
    autocomplete_fields = ["article"]
    fields = ["position", "article"]
    ordering = ["position", "pk"]

    def has_add_permission(self, request, obj=None):
        return _is_assembling(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_assembling(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_assembling(obj) and super().has_delete_permission(request, obj)


class EbookStateChangeInline(admin.TabularInline):
    model = EbookStateChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["changed_at", "from_state", "to_state", "changed_by"]

    def has_add_permission(self, request, obj=None):
        return False


def _transition_action(to: CustomEbook.State, description: str):
    def action(modeladmin, request, queryset):
        moved = 0
        for ebook in queryset:
            try:
                ebooks.change_state(ebook_id=ebook.pk, to=to, by=request.user)
            except stripe_api.StripeUnavailable as exc:
                modeladmin.message_user(
                    request,
                    f"{ebook}: Die Erstattung bei Stripe ist fehlgeschlagen ({exc}); "
                    "nichts wurde geändert.",
                    messages.ERROR,
                )
            except (InvalidTransition, ebooks.NotReady) as exc:
                modeladmin.message_user(
                    request,
                    f"{ebook}: {ebook.get_state_display()} → {to.label} geht nicht"
                    + (f" ({exc})" if isinstance(exc, ebooks.NotReady) else "."),
                    messages.WARNING,
                )
            else:
                moved += 1
        if moved:
            modeladmin.message_user(request, f"{moved} E-Book(s): {to.label}.")

    action.__name__ = f"move_to_{to.value}"
    return admin.action(description=description)(action)


@admin.register(CustomEbook)
class CustomEbookAdmin(admin.ModelAdmin):
    """The desk's queue: requests with their state and age, oldest first."""

    list_display = ["__str__", "order_reference", "buyer_email", "state", "age", "version"]
    list_filter = ["state"]
    search_fields = ["title", "working_title", "order_line__order__reference", "buyer__email"]
    ordering = ["created_at"]
    inlines = [EbookChapterInline, EbookStateChangeInline]
    actions = [
        _transition_action(CustomEbook.State.IN_ASSEMBLY, "In Arbeit nehmen"),
        _transition_action(CustomEbook.State.READY_FOR_REVIEW, "Zur Prüfung geben"),
        _transition_action(CustomEbook.State.APPROVED, "Freigeben: erstellen und ausliefern"),
        _transition_action(CustomEbook.State.CANCELLED, "Stornieren und erstatten"),
        "render_preview",
    ]
    fieldsets = [
        ("Auftrag", {"fields": [
            "order_reference", "buyer_email", "state", "state_changed_at", "age", "version",
            "render_error", "refund_id", "deliveries",
        ]}),
        ("Wunsch der Kundin / des Kunden", {"fields": [
            "working_title", "questions", "wished", "format", "note", "wish_submitted_at",
        ]}),
        ("Zusammenstellung", {"fields": ["title", "subtitle", "preface", "preview_link"]}),
    ]  # fmt: skip
    readonly_fields = [
        "order_reference", "buyer_email", "state", "state_changed_at", "age", "version",
        "render_error", "refund_id", "deliveries", "working_title", "questions", "wished",
        "format", "note",
        "wish_submitted_at", "preview_link",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line__order", "buyer")

    def get_readonly_fields(self, request, obj=None):
        if _is_assembling(obj):
            return self.readonly_fields
        return [*self.readonly_fields, "title", "subtitle", "preface"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Bestellung", ordering="order_line__order__reference")
    def order_reference(self, ebook):
        return ebook.order_line.order.reference

    @admin.display(description="Kundin/Kunde", ordering="buyer__email")
    def buyer_email(self, ebook):
        return ebook.buyer.email

    @admin.display(description="Alter", ordering="created_at")
    def age(self, ebook):
        return f"{timesince(ebook.created_at)} (Status seit {timesince(ebook.state_changed_at)})"

    @admin.display(description="Wunschartikel")
    def wished(self, ebook):
        articles = ebook.wished_articles.all()
        return format_html_join("", "<div>{}</div>", ((a.title,) for a in articles))

    @admin.display(description="Auslieferungen")
    def deliveries(self, ebook):
        rows = Delivery.objects.filter(order_line=ebook.order_line).order_by("-created_at")
        return format_html_join(
            "", "<div>{} {}: {} {}</div>",
            ((d.content_version, d.get_format_display(), d.get_status_display(), d.error)
             for d in rows),
        )  # fmt: skip

    @admin.display(description="Vorschau (PDF)")
    def preview_link(self, ebook):
        if not ebook.preview:
            return "Noch keine Vorschau. Sie wird nach dem Speichern der Kapitel erstellt."
        url = reverse("admin:shop_customebook_preview", args=[ebook.pk])
        return format_html(
            '<a href="{}">Vorschau vom {}</a>',
            url, date_format(timezone.localtime(ebook.preview_rendered_at), "DATETIME_FORMAT"),
        )  # fmt: skip

    def get_urls(self):
        return [
            path(
                "<int:ebook_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="shop_customebook_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, ebook_id):
        ebook = CustomEbook.objects.filter(pk=ebook_id).first()
        if ebook is None or not ebook.preview or not self.has_view_permission(request, ebook):
            raise Http404("Keine Vorschau")
        return FileResponse(
            ebook.preview.open("rb"), filename=f"vorschau-{ebook.pk}.pdf",
            content_type="application/pdf",
        )  # fmt: skip

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if _is_assembling(form.instance):
            # The preview follows every save of the assembly; the worker renders it.
            tasks.render_ebook_preview.delay_on_commit(form.instance.pk)

    @admin.action(description="Vorschau neu erstellen")
    def render_preview(self, request, queryset):
        for ebook in queryset:
            tasks.render_ebook_preview.delay_on_commit(ebook.pk)
        self.message_user(request, f"{queryset.count()} Vorschau(en) werden erstellt.")


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
            .annotate(
                redeemed_count=Count("orders", filter=~Q(orders__status=Order.Status.CANCELLED))
            )
        )

    @admin.display(description="Rabatt")
    def discount(self, code):
        if code.percent_off is not None:
            return f"{code.percent_off} %"
        return format_eur(code.amount_off_cents)

    @admin.display(description="Eingelöst (offen oder bezahlt)", ordering="redeemed_count")
    def redeemed(self, code):
        return getattr(code, "redeemed_count", 0)


class SubscriptionPaymentInline(admin.TabularInline):
    model = SubscriptionPayment
    extra = 0
    fields = ["stripe_invoice_id", "period_start", "period_end", "order"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Stripe's events keep these current; staff read them and act in Stripe."""

    list_display = ["reference", "email", "status", "paid_until", "cancel_at_period_end"]
    list_filter = ["status", "cancel_at_period_end"]
    search_fields = ["reference", "email", "stripe_subscription_id"]
    readonly_fields = [field.name for field in Subscription._meta.fields]
    inlines = [SubscriptionPaymentInline]

    def has_add_permission(self, request):
        return False


@admin.register(CancellationNotice)
class CancellationNoticeAdmin(admin.ModelAdmin):
    """Every notice from the cancel button, also those that matched no subscription."""

    list_display = [
        "received_at",
        "name",
        "email",
        "kind",
        "subscription",
        "ends_at",
        "confirmed_at",
    ]
    list_filter = ["kind", ("subscription", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "contract"]
    readonly_fields = [field.name for field in CancellationNotice._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(WithdrawalDeclaration)
class WithdrawalDeclarationAdmin(admin.ModelAdmin):
    list_display = ["received_at", "name", "email", "contract", "order", "is_withdrawable",
                    "confirmation_sent_at", "handled_at"]  # fmt: skip
    list_filter = ["is_withdrawable", ("order", admin.EmptyFieldListFilter), "handled_at"]
    search_fields = ["name", "email", "contract", "order__reference"]
    date_hierarchy = "received_at"
    actions = ["refund", "close_without_refund"]
    # As received: a declaration is evidence, staff only act on it.
    readonly_fields = [f.name for f in WithdrawalDeclaration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _act(self, request, queryset, service, done: str):
        count = 0
        for declaration in queryset:
            try:
                service(declaration_id=declaration.pk, by=request.user)
            except withdrawals.NotRefundable as exc:
                self.message_user(request, f"{declaration}: {exc}", messages.WARNING)
            except stripe_api.StripeUnavailable as exc:
                self.message_user(
                    request,
                    f"{declaration}: Die Erstattung bei Stripe ist fehlgeschlagen ({exc}); "
                    "nichts wurde geändert.",
                    messages.ERROR,
                )
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} Widerruf(e) {done}.")

    @admin.action(description="Zahlung erstatten und als erledigt markieren")
    def refund(self, request, queryset):
        self._act(request, queryset, withdrawals.refund, "erstattet und erledigt")

    @admin.action(description="Ohne Erstattung als erledigt markieren")
    def close_without_refund(self, request, queryset):
        self._act(request, queryset, withdrawals.close_without_refund, "als erledigt markiert")
