from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Karriere & Wirtschaft – Verlag"
admin.site.site_title = "Shop-Verwaltung"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("shop.urls")),
    path("", include("courses.urls")),
    path("", include("newsletter.urls")),
]
