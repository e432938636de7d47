"""The lost-phone procedure: remove a staff member's authenticator app, so the next login asks
for the password only (and, if the policy covers them, sends them to set up a new one)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Remove a user's second factor (authenticator app), e.g. after a lost phone. Their "
        "sessions that passed it are no longer verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )

    def handle(self, *args, username, dry_run, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        with transaction.atomic():
            devices = TOTPDevice.objects.filter(user=user)
            count = devices.count()
            if not dry_run:
                devices.delete()
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(f"{verb} {count} authenticator device(s) of {username}.")
