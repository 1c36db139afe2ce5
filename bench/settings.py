"""Settings for the benchmarks and the chaos run: the shop's own settings (config.settings.base,
what production runs, less the secrets) plus a bare view to compare with, and the periodic
re-enqueue of unfulfilled orders on an interval the run chooses. Nothing here is used by the shop.
"""

import os
from datetime import timedelta

from config.settings.base import *  # noqa: F403
from config.settings.base import CELERY_BEAT_SCHEDULE

ROOT_URLCONF = "bench.urls"
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_bench")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_bench")
# The shop's schedule is every two minutes; a chaos run of a few minutes needs it more often.
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "requeue-unfulfilled-orders": {
        **CELERY_BEAT_SCHEDULE["requeue-unfulfilled-orders"],
        "schedule": timedelta(seconds=float(os.environ.get("REQUEUE_INTERVAL_SECONDS", "120"))),
    },
}
# Workers of a run are started and killed by the run itself; nothing needs to reach them.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
