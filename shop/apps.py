from importlib import import_module

from django.apps import AppConfig

# Services start tasks by name (plumbing.tasks), so the web process must know them too.
TASK_MODULES = [
    "shop.accounts.tasks",
    "shop.adviser.tasks",
    "shop.catalog.tasks",
    "shop.ebooks.tasks",
    "shop.invoicing.tasks",
    "shop.orders.tasks",
    "shop.withdrawals.tasks",
]


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from shop.accounts import sessions
        from shop.catalog import cache

        cache.connect()
        sessions.connect()
        for module in TASK_MODULES:
            import_module(module)
