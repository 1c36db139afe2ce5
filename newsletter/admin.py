"""Staff's newsletter: the subscribers and their consent to look at, and the issues to write and
send (through `newsletter.services`)."""

from django.contrib import admin
from django.db.models import Count

from newsletter import services
from newsletter.models import Issue, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email", "signed_up_at", "confirmed_at", "unsubscribed_at", "unsubscribed_via",
        "consent_version",
    ]  # fmt: skip
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    # The consent is evidence: it comes from the subscriber only.
    readonly_fields = [f.name for f in Subscriber._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "created_at", "sending_started_at", "delivered", "send_error"]
    fields = ["subject", "body", "sending_started_at", "send_error"]
    readonly_fields = ["sending_started_at", "send_error"]
    actions = ["send"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delivery_count=Count("deliveries"))

    @admin.display(description="Gesendet an", ordering="delivery_count")
    def delivered(self, issue):
        return issue.delivery_count

    def has_send_permission(self, request):
        # Mail to every subscriber cannot be called back: a right of its own, not part of editing.
        return request.user.has_perm("newsletter.send_issue")

    @admin.action(description="An alle bestätigten Abonnent/innen senden", permissions=["send"])
    def send(self, request, queryset):
        for issue in queryset:
            services.start_sending(issue=issue)
        self.message_user(
            request,
            f"{queryset.count()} Ausgabe(n) werden gesendet, an jede Adresse einmal.",
        )
