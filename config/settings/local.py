"""The first run on a laptop: SQLite, mail to a folder, and a Celery worker on a folder broker
unless REDIS_URL names a Redis."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# The demo's admin/admin signs in without an authenticator app (production refuses this).
ADMIN_SECOND_FACTOR = env_bool("ADMIN_SECOND_FACTOR", False)
