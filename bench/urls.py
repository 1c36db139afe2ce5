"""The shop's URLs plus one bare view: the floor any Django page of this project stands on."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as shop_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *shop_urlpatterns]
