"""The project's URLs plus a stand-in for the shop's course sales page, for as long as the shop
does not have it yet (see conftest.sales_page)."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

import shop.urls


def sales_page(request, slug):
    return HttpResponse(f"Kurs {slug} kaufen")


urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "",
        include(
            (
                [*shop.urls.urlpatterns, path("kurse/<slug:slug>/", sales_page, name="course")],
                "shop",
            )
        ),
    ),
    path("", include("courses.urls")),
]
