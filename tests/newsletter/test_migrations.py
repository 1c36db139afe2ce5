"""The newsletter's data migrations."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from newsletter import legal
from newsletter.models import Subscriber


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_english_for_who_signed_up_in_english_before_the_language_was_kept():
    before = [("newsletter", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("newsletter", "Subscriber")
    with translation.override("en"):
        english_consent = str(legal.CONSENT_TEXT)
    for email, consent_text in [("leserin@example.com", str(legal.CONSENT_TEXT)),
                                ("reader@example.com", english_consent)]:  # fmt: skip
        old.objects.create(email=email, consent_text=consent_text, consent_version="2026-11")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    languages = dict(Subscriber.objects.values_list("email", "language"))
    assert languages == {"leserin@example.com": "de", "reader@example.com": "en"}
