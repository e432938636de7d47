from django.core.management.base import BaseCommand

from newsletter import confirmations
from newsletter.models import Subscriber


class Command(BaseCommand):
    help = (
        "Send the confirmation emails whose time has come: needed with the immediate task "
        "backend (nothing can wait there), and a safety net with the database one. Each is "
        "sent once; one the mail server does not take waits for its next try."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many are due; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            waiting = Subscriber.objects.filter(
                status=Subscriber.Status.PENDING, confirmation=Subscriber.Confirmation.WAITING
            ).count()
            self.stdout.write(f"{waiting} confirmation email(s) waiting to be sent.")
            return
        counts = confirmations.send_due()
        self.stdout.write(
            f"{counts.get('sent', 0)} sent, {counts.get('failed', 0)} not taken by the mail "
            "server (tried again later)."
        )
