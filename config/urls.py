from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from config import security

admin.site.site_header = "Karriere & Wirtschaft – Verlag"
admin.site.site_title = "Shop-Verwaltung"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's set_language: the footer's language switch posts here; it sets the language cookie.
    # Without a CSRF token, so pages set no CSRF cookie and stay cacheable (as the newsletter's
    # footer form): a forged switch only changes the language shown, which one click undoes.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("csp-report/", security.csp_report, name="csp_report"),
    path("", include("shop.urls")),
    path("", include("courses.urls")),
    path("", include("newsletter.urls")),
]
