"""django-axes' list of failed admin logins, registered again: its one action deletes rows, yet
django-axes offers it to whoever may look at the list. Here it asks for the right to delete, as
every action of the project states the right it needs."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class FailedLoginAdmin(AccessAttemptAdmin):
    @admin.action(
        description=AccessAttemptAdmin.cleanup_expired_attempts.short_description,
        permissions=["delete"],
    )
    def cleanup_expired_attempts(self, request, queryset):
        return super().cleanup_expired_attempts(request, queryset)
