from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """django.contrib.admin with the project's site (config/admin_site.py) as `admin.site`, so
    every app's admin module registers on the site that asks for the second factor."""

    default_site = "config.admin_site.ShopAdminSite"

    def ready(self):
        super().ready()  # every app's admin module is registered now
        import config.axes_admin  # noqa: F401
