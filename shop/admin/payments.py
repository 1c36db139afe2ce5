from django.contrib import admin

from shop.models import StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "outcome", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "outcome"]
    readonly_fields = ["event_id", "type", "payload", "outcome", "received_at"]

    def has_add_permission(self, request):
        return False
