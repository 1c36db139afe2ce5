from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.timezone import localtime

from shop.models import WithdrawalDeclaration
from shop.payments import stripe_api
from shop.withdrawals import services as withdrawals


@admin.register(WithdrawalDeclaration)
class WithdrawalDeclarationAdmin(admin.ModelAdmin):
    list_display = ["received_at", "name", "email", "contract", "order", "subscription",
                    "is_withdrawable", "owner_confirmation", "confirmation_sent_at",
                    "confirmation_error",
                    "handled_at"]  # fmt: skip
    list_select_related = ["order", "subscription"]
    list_filter = ["is_withdrawable", ("order", admin.EmptyFieldListFilter), "handled_at"]
    search_fields = ["name", "email", "contract", "order__reference", "subscription__reference"]
    date_hierarchy = "received_at"
    actions = ["refund", "close_without_refund"]
    # As received: a declaration is evidence, staff only act on it.
    readonly_fields = [f.name for f in WithdrawalDeclaration._meta.fields]

    @admin.display(description="Bestätigung durch den Vertragsinhaber")
    def owner_confirmation(self, declaration):
        # Refunding waits for it: the address given matched, but the owner did not yet say it
        # was them (shop.withdrawals.services.confirm_by_owner).
        if not declaration.is_matched:
            return "–"
        if declaration.owner_confirmed_at is None:
            return "Bestätigung durch den Vertragsinhaber ausstehend"
        confirmed = localtime(declaration.owner_confirmed_at)
        return f"bestätigt am {date_format(confirmed, 'DATETIME_FORMAT')}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_refund_permission(self, request):
        # Money goes back to the buyer: a right of its own, not part of handling a declaration.
        return request.user.has_perm("shop.refund_withdrawaldeclaration")

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
                    "der Widerruf bleibt offen. Ein neuer Versuch erstattet nichts doppelt.",
                    messages.ERROR,
                )
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} Widerruf(e) {done}.")

    @admin.action(
        description="Zahlung erstatten (Abo sofort beenden) und als erledigt markieren",
        permissions=["refund"],
    )
    def refund(self, request, queryset):
        self._act(request, queryset, withdrawals.refund, "erstattet und erledigt")

    @admin.action(description="Ohne Erstattung als erledigt markieren", permissions=["change"])
    def close_without_refund(self, request, queryset):
        self._act(request, queryset, withdrawals.close_without_refund, "als erledigt markiert")
