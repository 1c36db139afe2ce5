from django.contrib import admin, messages
from django.utils.html import format_html_join

from shop.models import Delivery, Entitlement, Order, OrderLine
from shop.orders import tasks


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
    list_display = [
        "reference", "email", "status", "total_cents", "paid_at", "fulfilled_at", "email_error",
    ]  # fmt: skip
    list_filter = ["status", "needs_review", "paid_at"]
    search_fields = ["reference", "email", "stripe_session_id", "stripe_payment_intent"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    actions = ["resend_email", "render_again"]
    fields = [
        "reference", "email", "language", "buyer", "status", "currency", "total_cents",
        "discount_code_text",
        "stripe_session_id", "stripe_payment_intent", "created_at", "paid_at", "fulfilled_at",
        "email_error", "deliveries", "needs_review", "review_note",
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

    @admin.action(description="E-Mail mit den PDFs erneut senden", permissions=["change"])
    def resend_email(self, request, queryset):
        paid = queryset.filter(status=Order.Status.PAID)
        for order in paid:
            tasks.send_delivery_email.delay_on_commit(order.pk, resend=True)
        self.message_user(request, f"{paid.count()} E-Mail(s) werden erneut gesendet.")

    @admin.action(
        description="PDFs neu erstellen und senden, falls noch nicht geschehen",
        permissions=["change"],
    )
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
