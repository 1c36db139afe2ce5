"""The catalog is cached per language twice: as the fragment every visitor's page is built around
(templates/shop/storefront/catalog.html), and as the whole page most visitors get
(shop.storefront.views.catalog).
Whatever appears on it forgets both once the change is committed. Bulk updates send no signal,
and articles published for a future date appear on their own: both live 60 s."""

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from courses.models import Course
from shop.models import Article, Product, Series, SeriesArticle

CATALOG_SECONDS = 60


def catalog_page_key(language: str) -> str:
    return f"catalog-page:{language}"


CATALOG_KEYS = [
    # The fragment's key as the template's {% cache %} makes it from the active language.
    *(make_template_fragment_key("catalog", [code]) for code, _name in settings.LANGUAGES),
    *(catalog_page_key(code) for code, _name in settings.LANGUAGES),
]


def forget_catalog(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete_many(CATALOG_KEYS))


def connect() -> None:
    for model in (Article, Product, Series, SeriesArticle, Course):
        post_save.connect(forget_catalog, sender=model, dispatch_uid=f"catalog-save-{model}")
        post_delete.connect(forget_catalog, sender=model, dispatch_uid=f"catalog-del-{model}")
