"""The one way tests sign staff into the admin: through its real login form, with the password and
the current code of the authenticator app that `manage.py enrol_staff_totp` set up, as staff do.
Tests run with ADMIN_SECOND_FACTOR on, so a session made by `force_login` is no staff session."""

from io import StringIO

from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "pw"


def enrol(user) -> str:
    """Sets up the user's authenticator with the command; the otpauth:// address it printed."""
    out = StringIO()
    call_command("enrol_staff_totp", user.get_username(), "--replace", stdout=out)
    return out.getvalue().split()[-1]


def current_code(user) -> str:
    """The code the user's authenticator app shows now, enrolling it on first use. The admin
    takes each code once, so a second sign-in within the same 30 seconds gets the next one,
    which the admin accepts as a clock running a step ahead."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None or device.last_t >= _step_now(device) + device.tolerance:
        # First use, or the test's clock went back behind the last code taken.
        enrol(user)
        device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(_step_now(device), device.last_t + 1)
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def _step_now(device) -> int:
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()


def sign_in_to_admin(client, user, password: str = PASSWORD):
    """Signs `user` (staff, with `password`) into the admin in `client`; returns the client."""
    response = client.post(
        "/admin/login/",
        {"username": user.get_username(), "password": password, "otp_token": current_code(user)},
    )
    assert response.status_code == 302, response.content.decode()
    return client
