from django.contrib import admin

from shop.models import CancellationNotice, Subscription, SubscriptionPayment


class SubscriptionPaymentInline(admin.TabularInline):
    model = SubscriptionPayment
    extra = 0
    fields = ["stripe_invoice_id", "period_start", "period_end", "order", "revoked_at"]
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
        "confirmation_error",
    ]
    list_filter = ["kind", ("subscription", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "contract"]
    readonly_fields = [field.name for field in CancellationNotice._meta.fields]

    def has_add_permission(self, request):
        return False
