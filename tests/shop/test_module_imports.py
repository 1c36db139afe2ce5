"""Each module the web process, the worker or beat may load first imports on its own: an import
cycle must not depend on the admin happening to load one module before another. (The import
contracts in pyproject.toml forbid the cycles; this shows the modules really load.)"""

import subprocess
import sys
from pathlib import Path

import pytest

from shop.apps import TASK_MODULES

ROOT = Path(__file__).resolve().parents[2]
FIRST_IMPORT = """
import importlib, sys
from django.conf import settings
settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "django.contrib.admin"]
import django
django.setup()
importlib.import_module(sys.argv[1])
"""


@pytest.mark.parametrize(
    "module",
    [
        *TASK_MODULES,
        "shop.orders.services",
        "shop.adviser.services",
        "shop.withdrawals.services",
        "shop.webhooks.events",
    ],
)
def test_the_module_imports_first_without_the_admin(module):
    run = subprocess.run(
        [sys.executable, "-c", FIRST_IMPORT, module],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )  # fmt: skip

    assert run.returncode == 0, run.stderr[-2000:]
