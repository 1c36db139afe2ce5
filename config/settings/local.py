"""The first run on a laptop: SQLite, mail to a folder, tasks inline unless REDIS_URL is set."""

from .base import *  # noqa: F403
from .base import REDIS_URL, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
