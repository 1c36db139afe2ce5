import re

import pytest
from django.core import mail
from django.test import Client

from newsletter.models import Issue
from tests.admin_login import sign_in_to_admin

ISSUES = "/admin/newsletter/issue/"


@pytest.fixture(autouse=True)
def https_site(settings):
    settings.SITE_URL = "https://shop.example.com"


@pytest.fixture
def staff(django_user_model):
    """Staff in the admin, in a browser of their own beside the reader's `client`."""
    staff = django_user_model.objects.create_superuser("redaktion", "r@x.de", "pw")
    return sign_in_to_admin(Client(), staff)


@pytest.fixture
def issue(db):
    return Issue.objects.create(subject="Neu im November", body="## Gehalt\n\nDrei neue Texte.")


@pytest.fixture
def sign_up(client, run_tasks):
    """Signs an address up with the form, as a reader does; the confirmation request goes out."""

    def sign_up(email="leser@example.com"):
        with run_tasks():
            return client.post("/newsletter/", {"email": email})

    return sign_up


@pytest.fixture
def link_in():
    """The path of the newsletter link of `kind` (bestaetigen, abmelden) in an e-mail's text;
    the last e-mail's by default."""

    def link_in(kind: str, message=None) -> str:
        body = (message or mail.outbox[-1]).body
        return re.search(rf"https://shop\.example\.com(/newsletter/{kind}/[^/\s]+/)", body).group(1)

    return link_in


@pytest.fixture
def send(staff, run_tasks):
    """Staff send an issue with the admin's action; the worker sends it on."""

    def send(issue):
        with run_tasks():
            return staff.post(
                ISSUES, {"action": "send", "_selected_action": [issue.pk]}, follow=True
            )

    return send
