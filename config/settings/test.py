"""Tests: the database and broker named by DATABASE_URL and REDIS_URL (CI: PostgreSQL and Redis)."""

from uuid import uuid4

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# As in production, whatever the environment says: admin tests sign in through
# tests/admin_login.py, with a code.
ADMIN_SECOND_FACTOR = True
STRIPE_SECRET_KEY = "sk_test_shop"
STRIPE_WEBHOOK_SECRET = "whsec_test_shop"
CELERY_TASK_ALWAYS_EAGER = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that the end-to-end worker process sees the live server's data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
# Serve static files from the source folders, as in development: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A queue of this test run's own, so a developer's worker on the same Redis never takes its tasks.
CELERY_TASK_DEFAULT_QUEUE = f"test-{uuid4().hex[:8]}"
# In-process, so a test can clear it without touching the Redis that is the broker.
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
