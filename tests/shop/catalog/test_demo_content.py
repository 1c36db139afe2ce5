import pytest
from django.core.management import call_command

from shop.catalog import selectors
from shop.models import Product

pytestmark = pytest.mark.django_db


def test_demo_catalog_loads_twice_without_duplicates_and_keeps_drafts_hidden(client):
    call_command("load_demo_content")
    call_command("load_demo_content")

    assert selectors.catalog().count() == 12
    assert Product.objects.filter(kind=Product.Kind.ARTICLE).count() == 14
    assert Product.objects.filter(kind=Product.Kind.COURSE).count() == 1
    page = client.get("/").content.decode()
    assert "Gehaltsverhandlung" in page and "Networking für Introvertierte" not in page
    assert "Gehalt verhandeln in fünf Schritten" in page
