from django.contrib import admin
from django.db.models import Exists, OuterRef

from shop.adviser.selectors import notices_awaiting_confirmation
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


class AwaitingConfirmationFilter(admin.SimpleListFilter):
    title = "Bestätigung"
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        return [("overdue", "Bestätigung ausstehend > 48 h")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(pk__in=notices_awaiting_confirmation().values("pk"))
        return queryset


@admin.register(CancellationNotice)
class CancellationNoticeAdmin(admin.ModelAdmin):
    """Every notice from the cancel button, also those that matched no subscription. One that
    named no fitting Abo-Nummer and whose address has not confirmed it for 48 hours is marked:
    staff decide it by hand (in Stripe) and answer the sender."""

    list_display = [
        "received_at",
        "name",
        "email",
        "kind",
        "subscription",
        "ends_at",
        "confirmed_at",
        "confirmation_error",
        "is_awaiting_confirmation",
    ]
    list_filter = [
        AwaitingConfirmationFilter,
        "kind",
        ("subscription", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "email", "contract"]
    readonly_fields = [field.name for field in CancellationNotice._meta.fields]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        overdue = notices_awaiting_confirmation().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(awaiting=Exists(overdue))

    @admin.display(boolean=True, description="Bestätigung ausstehend > 48 h")
    def is_awaiting_confirmation(self, notice):
        return notice.awaiting
