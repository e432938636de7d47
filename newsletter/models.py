from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .addresses import mailbox_of


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class LeftBy(models.TextChoices):
        LINK = "link", "Unsubscribe link"
        ONE_CLICK = "one-click", "One-click (mail client)"
        ADMIN = "admin", "Staff in the admin"

    class Confirmation(models.TextChoices):
        NONE = "", "None due"
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (retries used up)"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored normalised.")
    mailbox = models.CharField(
        max_length=254,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The mailbox the address reaches (without a +tag; Gmail without dots), so "
        "variants of one address share its limits.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(
        max_length=500, blank=True, help_text="The page the reader signed up from."
    )
    consent_text = models.TextField(blank=True, help_text="The consent line the reader saw.")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail server last accepted a confirmation."
    )
    confirmation = models.CharField(
        "confirmation email",
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.NONE,
        blank=True,
    )
    confirmation_attempts = models.PositiveSmallIntegerField(default=0)
    confirmation_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next try to send the confirmation is due."
    )
    confirmation_error = models.TextField(
        blank=True, help_text="What the mail server answered the last try."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    left_by = models.CharField("unsubscribed by", max_length=20, choices=LeftBy.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="subscriber_email_normalised",
                violation_error_message="Email addresses are stored in lower case.",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="subscriber_confirmed_has_time",
                violation_error_message="A confirmed subscriber needs a confirmation time.",
            ),
            models.CheckConstraint(
                condition=~Q(status="unsubscribed")
                | (Q(unsubscribed_at__isnull=False) & ~Q(left_by="")),
                name="subscriber_unsubscribed_has_time_and_way",
                violation_error_message="An unsubscribed address records when and how it left.",
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.mailbox = mailbox_of(self.email)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "mailbox"}
        super().save(*args, **kwargs)

    def confirm(self) -> bool:
        """Confirm a pending subscription; True if this call changed anything."""
        if self.status != self.Status.PENDING:
            return False
        self.status, self.confirmed_at = self.Status.CONFIRMED, timezone.now()
        self.save(update_fields=["status", "confirmed_at"])
        return True

    def unsubscribe(self, left_by: str) -> bool:
        """Stop all mail to this address, recording when and how; True if it changed."""
        if self.status == self.Status.UNSUBSCRIBED:
            return False
        self.status, self.unsubscribed_at, self.left_by = (
            self.Status.UNSUBSCRIBED,
            timezone.now(),
            left_by,
        )
        self.save(update_fields=["status", "unsubscribed_at", "left_by"])
        return True


class Digest(models.Model):
    """One edition of the "Latest news & updates" email."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled: every story in it was taken down"

    subject = models.CharField(max_length=200)
    since = models.DateTimeField(help_text="Lists stories published after this time...")
    until = models.DateTimeField(help_text="...and up to this time.")
    stories = models.ManyToManyField("articles.Article", related_name="digests", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gte=models.F("since")),
                name="digest_until_after_since",
                violation_error_message="A digest's end cannot be before its start.",
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.created_at:%Y-%m-%d})" if self.created_at else self.subject


class Delivery(models.Model):
    """One digest to one subscriber: the record that makes sending idempotent."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="delivery_once"),
        ]

    def __str__(self):
        return f"{self.digest} to {self.subscriber}: {self.status}"
