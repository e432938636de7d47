import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from . import confirmations, emails, sending, tasks
from .addresses import normalise_email
from .models import Delivery, Digest, Subscriber


class SubscriberAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form for its model from its own fields and fieldsets.

    def clean_email(self):
        # Stored as the signup form stores it, so the unique check sees one row per mailbox.
        return normalise_email(self.cleaned_data["email"])


# The email preview, framed by the digest's change form: email HTML is styled with style
# attributes and runs no script, and its pictures have the site's public address (SITE_URL).
PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF, "data:", settings.SITE_URL, *settings.MEDIA_ORIGINS],
    "style-src": [CSP.UNSAFE_INLINE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
}


class Echo:
    """A file-like object whose write() hands the line back, for streaming CSV."""

    def write(self, value):
        return value


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberAdminForm
    list_display = [
        "email",
        "status",
        "confirmation_email",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "left_by",
        "source",
    ]
    list_filter = ["status", "confirmation", "left_by", "created_at"]
    show_facets = admin.ShowFacets.ALWAYS  # counts per status beside each filter
    search_fields = ["email", "source"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "status",
        "created_at",
        "confirmation",
        "confirmation_attempts",
        "confirmation_due_at",
        "confirmation_error",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "left_by",
        "consent_text",
    ]
    actions = ["export_csv", "unsubscribe_selected", "retry_confirmations"]

    @admin.display(description="confirmation email", ordering="confirmation")
    def confirmation_email(self, subscriber):
        """Where the confirmation email is: waiting (with its next try), sent or failed."""
        state = subscriber.get_confirmation_display() if subscriber.confirmation else "—"
        if subscriber.confirmation == Subscriber.Confirmation.WAITING:
            tries = subscriber.confirmation_attempts
            if tries and subscriber.confirmation_due_at:
                due = timezone.localtime(subscriber.confirmation_due_at)
                state += f" (tried {tries} times, next try at {due:%H:%M})"
        elif subscriber.confirmation == Subscriber.Confirmation.FAILED:
            state += f" after {subscriber.confirmation_attempts} tries"
        return state

    @admin.action(description="Send the confirmation email again (pending subscribers)")
    def retry_confirmations(self, request, queryset):
        queued = confirmations.retry_failed(queryset)
        self.message_user(
            request, f"Queued the confirmation email for {queued} subscriber(s).", messages.SUCCESS
        )

    @admin.action(description="Export selected subscribers as CSV")
    def export_csv(self, request, queryset):
        columns = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at", "left_by"]
        columns.append("source")
        writer = csv.writer(Echo())
        rows = queryset.order_by("pk").values_list(*columns).iterator(chunk_size=2000)
        lines = (writer.writerow(row) for row in rows)
        header = writer.writerow(columns)
        response = StreamingHttpResponse(
            (line for part in ([header], lines) for line in part), content_type="text/csv"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    @admin.action(description="Unsubscribe selected subscribers")
    def unsubscribe_selected(self, request, queryset):
        done = sum(
            subscriber.unsubscribe(Subscriber.LeftBy.ADMIN)
            for subscriber in queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED)
        )
        self.message_user(request, f"Unsubscribed {done} subscriber(s).", messages.SUCCESS)


def _count(**filters):
    deliveries = Delivery.objects.filter(digest=OuterRef("pk"), **filters)
    counted = deliveries.values("digest").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "status",
        "created_at",
        "story_count",
        "recipients",
        "sent",
        "failed",
        "finished_at",
    ]
    list_filter = ["status"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["stories"]
    fields = ["subject", "since", "until", "stories", "status", "started_at", "finished_at"]
    readonly_fields = ["status", "started_at", "finished_at"]
    change_form_template = "admin/newsletter/digest/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                story_count=Count("stories", distinct=True),
                recipients=_count(),
                sent=_count(status=Delivery.Status.SENT),
                failed=_count(status=Delivery.Status.FAILED),
            )
        )

    @admin.display(description="stories", ordering="story_count")
    def story_count(self, digest):
        return digest.story_count

    @admin.display(ordering="recipients")
    def recipients(self, digest):
        return digest.recipients

    @admin.display(ordering="sent")
    def sent(self, digest):
        return digest.sent

    @admin.display(ordering="failed")
    def failed(self, digest):
        return digest.failed

    def get_changeform_initial_data(self, request):
        since, until = sending.next_window()
        return {"subject": settings.NEWSLETTER_DIGEST_SUBJECT, "since": since, "until": until}

    def get_readonly_fields(self, request, obj=None):
        # A digest that has started sending is a record: nothing in it may change.
        if obj and obj.status != Digest.Status.DRAFT:
            return [*self.fields]
        return self.readonly_fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        digest = form.instance
        if not digest.stories.exists():
            stories = sending.stories_between(digest.since, digest.until)
            limit = settings.NEWSLETTER_MAX_STORIES
            digest.stories.set(stories.values_list("pk", flat=True)[:limit])

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/preview/", view(self.preview), name="newsletter_digest_preview"),
            path("<int:pk>/send-test/", view(self.send_test), name="newsletter_digest_send_test"),
            path("<int:pk>/send/", view(self.send), name="newsletter_digest_send"),
        ]
        return own + super().get_urls()

    def _digest(self, request, pk) -> Digest:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Digest, pk=pk)

    def _back(self, digest):
        return HttpResponseRedirect(reverse("admin:newsletter_digest_change", args=[digest.pk]))

    @xframe_options_sameorigin
    @csp_override(PREVIEW_CSP)
    def preview(self, request, pk):
        """The digest's HTML part exactly as subscribers get it (with a dummy link)."""
        digest = self._digest(request, pk)
        return HttpResponse(emails.digest_content(digest).html)

    def send_test(self, request, pk):
        digest = self._digest(request, pk)
        if request.method != "POST":
            return self._back(digest)
        if not request.user.email:
            self.message_user(request, "Your account has no email address.", messages.ERROR)
            return self._back(digest)
        emails.test_message(digest, request.user.email).send()
        self.message_user(request, f"Sent a test of this digest to {request.user.email}.")
        return self._back(digest)

    def send(self, request, pk):
        """Start sending. Only a draft can start, and only once: the status moves from draft
        to sending in one UPDATE, so a second click (or a second editor) finds it taken."""
        digest = self._digest(request, pk)
        if request.method != "POST" or not self.has_change_permission(request, digest):
            return self._back(digest)
        started = Digest.objects.filter(pk=digest.pk, status=Digest.Status.DRAFT).update(
            status=Digest.Status.SENDING
        )
        if not started:
            self.message_user(
                request, "This digest is already being sent or was sent.", messages.WARNING
            )
            return self._back(digest)
        tasks.send_digest.enqueue(digest.pk)
        self.message_user(request, "The digest is being sent.", messages.SUCCESS)
        return self._back(digest)
