import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletter import locks, sending
from newsletter.models import Subscriber


def iso_time(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be an ISO 8601 time, not {value!r}") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Send the 'Latest news & updates' digest: first finish any digest an earlier run left "
        "unfinished, then send one of the stories published since the previous digest to every "
        "confirmed subscriber. Safe to rerun: nobody gets the same digest twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send and write nothing."
        )
        parser.add_argument(
            "--since", type=iso_time, help="List stories published after this time (ISO 8601)."
        )
        parser.add_argument(
            "--limit-recipients",
            type=int,
            metavar="N",
            help="Send to at most N subscribers in this run; a later run sends to the rest.",
        )
        parser.add_argument("--batch-size", type=int, help="Subscribers read at a time.")

    def handle(self, *args, dry_run=False, since=None, limit_recipients=None, **options):
        if limit_recipients is not None and limit_recipients < 1:
            raise CommandError("--limit-recipients must be at least 1.")
        if dry_run:
            return self.dry_run(since)
        with locks.sender_lock() as held:
            if not held:
                raise CommandError(
                    "Another send_digest is running: the digest is being sent by another "
                    "process. Nothing was sent; run again once it has finished."
                )
            self.send(since, limit_recipients, options["batch_size"])

    def send(self, since, limit_recipients, batch_size):
        budget = limit_recipients
        digests = list(sending.unfinished_digests())
        new = sending.create_digest(since=since)
        if new is not None:
            digests.append(new)
        if not digests:
            self.stdout.write("No new stories since the last digest: nothing to send.")
            return
        for digest in digests:
            if budget is not None and budget <= 0:
                break
            self.stdout.write(
                f"Digest {digest.pk}: {digest.subject!r}, {digest.stories.count()} stories"
            )
            try:
                report = sending.send_digest(
                    digest,
                    limit=budget,
                    batch_size=batch_size,
                    progress=lambda r: self.stdout.write(f"  ... {r.sent} sent, {r.failed} failed"),
                )
            except sending.DigestBusy as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Digest {digest.pk}: {report}")
            if budget is not None:
                budget -= report.sent + report.failed
            if report.stopped:
                raise CommandError(f"Stopped: {report.stopped}. Run again to resume.")

    def dry_run(self, since):
        for digest in sending.unfinished_digests():
            waiting = sending.pending_recipients(digest).count()
            self.stdout.write(f"Would resume digest {digest.pk} for {waiting} subscribers.")
        start, end = sending.next_window(since)
        count = sending.stories_between(start, end).count()
        recipients = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count()
        self.stdout.write(
            f"Would send a new digest of {count} stories published since {start:%Y-%m-%d %H:%M} "
            f"to {recipients} confirmed subscribers."
            if count
            else "No new stories since the last digest: nothing to send."
        )
