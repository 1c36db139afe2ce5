from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Karriere & Wirtschaft – Verlag"
admin.site.site_title = "Shop-Verwaltung"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's set_language: the footer's language switch posts here; it sets the language cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shop.urls")),
    path("", include("courses.urls")),
    path("", include("newsletter.urls")),
]
