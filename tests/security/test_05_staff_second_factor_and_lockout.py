"""Issue 12, finding 5: the admin login took unlimited wrong passwords (15 wrong, then the right
one, got in) and a password alone. Now a username that failed too often from one address is
locked there for a while, even with the right password, and staff also give the code of their
authenticator app, which `manage.py enrol_staff_totp` sets up."""

import os
import subprocess
import sys
from base64 import b32decode
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP

from tests.admin_login import PASSWORD, current_code, enrol, sign_in_to_admin
from tests.processes import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "redaktion", "r@example.com", PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client, username: str, password: str, code: str = ""):
    return client.post(
        "/admin/login/", {"username": username, "password": password, "otp_token": code}
    )


def is_in_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def code_of(otpauth_url: str) -> str:
    """What an authenticator app that read `otpauth_url` shows now."""
    secret = parse_qs(urlparse(otpauth_url).query)["secret"][0]
    return f"{TOTP(b32decode(secret)).token():06d}"


def test_wrong_passwords_lock_the_name_out_from_that_address_even_with_the_right_one(staff):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        refused = log_in(attacker, "redaktion", "geraten").content.decode()
        assert "Passwort für einen Staff-Account" in refused
    assert log_in(attacker, "redaktion", "geraten").status_code == 429

    locked = log_in(attacker, "redaktion", PASSWORD, current_code(staff))

    assert locked.status_code == 429
    page = locked.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert "Anmeldung vorübergehend gesperrt" in page and f"{minutes} Minuten" in page
    assert not is_in_admin(attacker)
    # The lock is the name's from that address: staff elsewhere still sign in.
    office = Client(REMOTE_ADDR="192.0.2.10")
    assert log_in(office, "redaktion", PASSWORD, current_code(staff)).status_code == 302
    assert is_in_admin(office)
    assert log_in(attacker, "redaktion", PASSWORD, current_code(staff)).status_code == 429
    # After the cool-off the address may try again.
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert log_in(attacker, "redaktion", PASSWORD, current_code(staff)).status_code == 302
        assert is_in_admin(attacker)


def test_the_right_password_without_a_valid_code_is_not_enough(client, staff):
    code = current_code(staff)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    without = log_in(client, "redaktion", PASSWORD)
    assert "Bitte auch den sechsstelligen Code" in without.content.decode()
    assert not is_in_admin(client)
    mistyped = log_in(client, "redaktion", PASSWORD, wrong)
    assert "Der Code stimmt nicht" in mistyped.content.decode()
    assert not is_in_admin(client)

    # django-otp makes a wrong code wait a moment before the next try counts.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert log_in(client, "redaktion", PASSWORD, current_code(staff)).status_code == 302
        assert is_in_admin(client)


def test_a_code_signs_in_once(client, staff):
    code = current_code(staff)
    assert log_in(client, "redaktion", PASSWORD, code).status_code == 302

    replayed = log_in(Client(), "redaktion", PASSWORD, code)

    assert "Der Code stimmt nicht" in replayed.content.decode()


def test_a_session_made_without_the_code_is_no_staff_session(client, staff):
    client.force_login(staff)  # as a sign-in link or any other way past the admin's form would

    response = client.get("/admin/shop/order/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_without_an_authenticator_are_told_to_get_one(client, staff):
    page = log_in(client, "redaktion", PASSWORD, "123456").content.decode()

    assert "kein zweiter Faktor eingerichtet" in page and "enrol_staff_totp" in page
    assert not is_in_admin(client)


def test_the_enrolment_command_prints_an_address_whose_codes_sign_in(client, staff):
    url = enrol(staff)
    assert url.startswith("otpauth://totp/") and "redaktion" in url

    assert log_in(client, "redaktion", PASSWORD, code_of(url)).status_code == 302
    assert is_in_admin(client)


def test_enrolling_again_changes_nothing_unless_asked_to_replace(staff):
    first = enrol(staff)

    with pytest.raises(CommandError, match="--replace"):
        call_command("enrol_staff_totp", "redaktion", stdout=StringIO())
    second = enrol(staff)  # --replace: a lost phone

    assert parse_qs(urlparse(first).query)["secret"] != parse_qs(urlparse(second).query)["secret"]
    assert log_in(Client(), "redaktion", PASSWORD, code_of(second)).status_code == 302
    assert (
        "Der Code stimmt nicht"
        in log_in(Client(), "redaktion", PASSWORD, code_of(first)).content.decode()
    )


def test_only_staff_are_enrolled(django_user_model):
    django_user_model.objects.create_user("leser", "l@example.com")

    with pytest.raises(CommandError, match="not staff"):
        call_command("enrol_staff_totp", "leser")
    with pytest.raises(CommandError, match="no user"):
        call_command("enrol_staff_totp", "niemand")


def test_the_local_demo_signs_in_with_the_password_alone(client, staff, settings):
    settings.ADMIN_SECOND_FACTOR = False  # what config/settings/local.py sets

    assert log_in(client, "redaktion", PASSWORD).status_code == 302
    assert is_in_admin(client)


def test_the_helper_signs_the_same_staff_member_in_twice_at_once(staff):
    assert is_in_admin(sign_in_to_admin(Client(), staff))
    assert is_in_admin(sign_in_to_admin(Client(), staff))


@pytest.mark.parametrize(("second_factor", "starts"), [("1", True), ("0", False)])
def test_production_refuses_to_start_without_the_second_factor(second_factor, starts):
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k" * 50, "STRIPE_SECRET_KEY": "sk_live_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x", "ADMIN_SECOND_FACTOR": second_factor,
    }  # fmt: skip
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert (started.returncode == 0) is starts, started.stderr
    assert ("ADMIN_SECOND_FACTOR is off" in started.stderr) is not starts
