"""The catalog page is cached as one fragment for all visitors (templates/shop/catalog.html);
whatever appears on it forgets that fragment once the change is committed. Bulk updates send no
signal, and articles published for a future date appear on their own: the fragment lives 60 s."""

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from courses.models import Course
from shop.models import Article, Product, Series, SeriesArticle

# One fragment per language: the template varies it on the active language.
CATALOG_FRAGMENTS = [
    make_template_fragment_key("catalog", [code]) for code, _name in settings.LANGUAGES
]


def forget_catalog(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete_many(CATALOG_FRAGMENTS))


def connect() -> None:
    for model in (Article, Product, Series, SeriesArticle, Course):
        post_save.connect(forget_catalog, sender=model, dispatch_uid=f"catalog-save-{model}")
        post_delete.connect(forget_catalog, sender=model, dispatch_uid=f"catalog-del-{model}")
