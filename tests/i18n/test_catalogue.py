"""The English catalogue is complete and the compiled file in the repository matches it, so a
fresh clone shows English without compiling anything."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


# What README's makemessages command reads: the project's code and templates.
SOURCES = [
    "config", "courses", "documents", "newsletter", "plumbing", "shop", "templates", "manage.py",
]  # fmt: skip


def compile_catalogue(tmp_path, catalogue: Path = CATALOGUE) -> tuple[Path, str]:
    """msgfmt (GNU gettext, installed by bin/run) as `compilemessages` runs it, with --check:
    placeholders such as %(email)s must be the same in the German and the English text."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is missing: bin/run setup installs it (Debian: gettext)"
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", compiled, catalogue],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return compiled, result.stderr


def messages(mo: Path) -> dict:
    with mo.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    return {key: value for key, value in catalogue.items() if key != ""}


def test_every_string_marked_for_translation_has_an_english_translation(tmp_path):
    """makemessages over a copy of the code, as the README runs it: a string marked but never
    extracted into the catalogue would show German on an English page."""
    copy = tmp_path / "project"
    for name in SOURCES:
        source = Path(settings.BASE_DIR) / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    shutil.copytree(CATALOGUE.parents[2], copy / "locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--ignore=var"],
        cwd=copy, check=True, capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )  # fmt: skip

    _, statistics = compile_catalogue(tmp_path, copy / CATALOGUE.relative_to(settings.BASE_DIR))

    assert "translated message" in statistics
    assert "untranslated" not in statistics and "fuzzy" not in statistics, statistics


def test_the_committed_compiled_catalogue_is_up_to_date(tmp_path):
    compiled, _ = compile_catalogue(tmp_path)

    committed = CATALOGUE.with_suffix(".mo")
    assert committed.exists(), "run: python manage.py compilemessages -l en --ignore=.venv"
    assert messages(committed) == messages(compiled), (
        "locale/en/LC_MESSAGES/django.mo is older than django.po: "
        "run python manage.py compilemessages -l en --ignore=.venv and commit the .mo"
    )


def test_django_uses_the_committed_catalogue():
    with translation.override("en"):
        assert translation.gettext("Meine Bibliothek") == "My library"
    with translation.override("de"):
        assert translation.gettext("Meine Bibliothek") == "Meine Bibliothek"
