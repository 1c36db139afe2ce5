"""The admin site all apps register on: staff sign in with their password and the current code of
their authenticator app (TOTP through django-otp), and a session counts as staff only once that
code was verified. `manage.py enrol_staff_totp <username>` sets up the authenticator.

ADMIN_SECOND_FACTOR off (the local demo only; production refuses to start so) signs in with the
password alone. Repeated wrong passwords are locked out by django-axes (settings AXES_*), which
watches the same login form.
"""

from axes.helpers import get_client_username
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.shortcuts import render
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password, then the code. A staff member has one authenticator, so there is no device to
    choose: the code is checked against theirs (django-otp's checks: each code once, a pause
    after a wrong one)."""

    otp_token = forms.CharField(
        label="Code aus der Authenticator-App",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": "Bitte auch den sechsstelligen Code aus der Authenticator-App eingeben.",
        "invalid_token": "Der Code stimmt nicht. Bitte den aktuellen Code eingeben.",
        "device_required": "Für dieses Konto ist noch kein zweiter Faktor eingerichtet. "
        "Bitte die Technik fragen (manage.py enrol_staff_totp).",
    }

    def _chosen_device(self, user):
        return TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()


class ShopAdminSite(admin.AdminSite):
    @property
    def login_form(self):
        return StaffLoginForm if settings.ADMIN_SECOND_FACTOR else AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/staff_login.html" if settings.ADMIN_SECOND_FACTOR else None

    def has_permission(self, request):
        verified = not settings.ADMIN_SECOND_FACTOR or request.user.is_verified()
        return super().has_permission(request) and verified


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): a page that says what
    happened and for how long, in the admin's look."""
    return render(
        request,
        "admin/locked_out.html",
        {
            **admin.site.each_context(request),
            "username": get_client_username(request, credentials) or "",
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
