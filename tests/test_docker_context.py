"""What `docker build` sends: the application, never the local run (its database holds the demo
admin account), the virtualenv, the repository or the development tools."""

import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def patterns() -> list[tuple[bool, str]]:
    """(excludes, pattern) in file order, as Docker reads .dockerignore."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return [(not rule.startswith("!"), rule.lstrip("!").strip("/")) for rule in rules]


def is_sent(path: str) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its folders decides."""
    parts = path.split("/")
    sent = True
    for excludes, pattern in patterns():
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(candidate, pattern[3:])
            ):
                sent = not excludes
    return sent


@pytest.mark.parametrize(
    "path",
    [".git/config", ".venv/bin/python", "var/db.sqlite3", "var/mail/1.eml", "var/media/x.pdf",
     "tests/conftest.py", "bench/web.py", "devstripe/server.py", "shop/__pycache__/apps.pyc"],
)  # fmt: skip
def test_the_local_run_and_the_tools_stay_out_of_the_image(path):
    assert not is_sent(path)


@pytest.mark.parametrize(
    "path",
    ["manage.py", "shop/orders/services.py", "plumbing/mail.py", "config/settings/production.py",
     "templates/base.html", "locale/en/LC_MESSAGES/django.mo", "static/css/site.css",
     "requirements.lock", "pyproject.toml"],
)  # fmt: skip
def test_the_application_goes_into_the_image(path):
    assert is_sent(path)
