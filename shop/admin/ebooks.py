from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from shop.ebooks import services as ebooks
from shop.ebooks import tasks
from shop.models import CustomEbook, Delivery, EbookChapter, EbookStateChange, InvalidTransition
from shop.payments import stripe_api

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


def _transition_action(to: CustomEbook.State, description: str, permission: str = "change"):
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
    return admin.action(description=description, permissions=[permission])(action)


@admin.register(CustomEbook)
class CustomEbookAdmin(admin.ModelAdmin):
    """The desk's queue: requests with their state and age, oldest first."""

    list_display = [
        "__str__", "order_reference", "buyer_email", "state", "age", "version", "failed_emails",
    ]  # fmt: skip
    list_filter = ["state"]
    search_fields = ["title", "working_title", "order_line__order__reference", "buyer__email"]
    ordering = ["created_at"]
    inlines = [EbookChapterInline, EbookStateChangeInline]
    actions = [
        _transition_action(CustomEbook.State.IN_ASSEMBLY, "In Arbeit nehmen"),
        _transition_action(CustomEbook.State.READY_FOR_REVIEW, "Zur Prüfung geben"),
        _transition_action(CustomEbook.State.APPROVED, "Freigeben: erstellen und ausliefern"),
        _transition_action(CustomEbook.State.REFUNDED, "Stornieren und erstatten", "refund"),
        "render_preview",
    ]
    fieldsets = [
        ("Auftrag", {"fields": [
            "order_reference", "buyer_email", "state", "state_changed_at", "age", "version",
            "render_error", "refund_id", "deliveries", "ready_emailed_at", "ready_email_error",
        ]}),
        ("Wunsch der Kundin / des Kunden", {"fields": [
            "working_title", "questions", "wished", "format", "note", "wish_submitted_at",
            "reminder_sent_at", "reminder_error",
        ]}),
        ("Zusammenstellung", {"fields": ["title", "subtitle", "preface", "preview_link"]}),
    ]  # fmt: skip
    readonly_fields = [
        "order_reference", "buyer_email", "state", "state_changed_at", "age", "version",
        "render_error", "refund_id", "deliveries", "working_title", "questions", "wished",
        "format", "note",
        "wish_submitted_at", "preview_link", "ready_emailed_at", "ready_email_error",
        "reminder_sent_at", "reminder_error",
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

    def has_refund_permission(self, request):
        # Money goes back to the buyer: a right of its own, not part of changing a book.
        return request.user.has_perm("shop.refund_customebook")

    @admin.display(description="Bestellung", ordering="order_line__order__reference")
    def order_reference(self, ebook):
        return ebook.order_line.order.reference

    @admin.display(description="Kundin/Kunde", ordering="buyer__email")
    def buyer_email(self, ebook):
        return ebook.buyer.email

    @admin.display(description="E-Mail")
    def failed_emails(self, ebook):
        """The "Ausgeliefert" of the state says nothing of the e-mail telling the buyer."""
        failed = [
            f"{CustomEbook._meta.get_field(field).verbose_name}: {getattr(ebook, field)}"
            for field in ("ready_email_error", "reminder_error")
            if getattr(ebook, field)
        ]
        return "; ".join(failed)

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

    @admin.action(description="Vorschau neu erstellen", permissions=["change"])
    def render_preview(self, request, queryset):
        for ebook in queryset:
            tasks.render_ebook_preview.delay_on_commit(ebook.pk)
        self.message_user(request, f"{queryset.count()} Vorschau(en) werden erstellt.")
