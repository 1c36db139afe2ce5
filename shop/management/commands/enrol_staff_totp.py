"""`manage.py enrol_staff_totp <username>`: sets up a staff member's second factor for the admin
and prints the otpauth:// address for their authenticator app. Run again, it changes nothing;
`--replace` makes a new key (a lost or new phone), and the old one stops working at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Sets up a staff member's authenticator app (TOTP) for the admin's sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="a new key instead of the present one; the old one stops working",
        )

    @transaction.atomic
    def handle(self, *args, username: str, replace: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username} is not staff: only staff sign into the admin.")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.exists() and not replace:
            raise CommandError(
                f"{username} has an authenticator already. --replace makes a new key; "
                "the old one stops working."
            )
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator-App", confirmed=True)
        self.stdout.write(
            f"Add this to {username}'s authenticator app (as a QR code or typed in); "
            "from now on the admin asks for its code:"
        )
        self.stdout.write(device.config_url)
