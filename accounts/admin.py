"""Logins in the admin: locked usernames and addresses with their unlock actions, and the
security policy (one row)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import OuterRef, Q, Subquery, Sum
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from .models import SecurityPolicy


def _failures_of(field: str) -> Subquery:
    """The failures still counting for the row's username (or address), over all its rows."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(**{field: OuterRef(field)}, attempt_time__gte=since)
    return Subquery(
        rows.order_by().values(field).annotate(total=Sum("failures_since_start")).values("total")
    )


class LockedFilter(admin.SimpleListFilter):
    title = "locked"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", "Locked"), ("no", "Not locked")]

    def queryset(self, request, queryset):
        locked = Q(username_failures__gte=settings.LOGIN_FAILURES_PER_USERNAME) | Q(
            address_failures__gte=settings.LOGIN_FAILURES_PER_ADDRESS
        )
        if self.value() == "yes":
            return queryset.filter(locked)
        if self.value() == "no":
            return queryset.exclude(locked)
        return queryset


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LoginFailureAdmin(AccessAttemptAdmin):
    """axes' failed logins, each row one username from one address and browser, with what is
    locked counted as the throttle counts it (over all the rows of a username or address)."""

    list_display = [
        "username",
        "ip_address",
        "failures_since_start",
        "attempt_time",
        "locked",
        "user_agent",
    ]
    list_filter = [LockedFilter, "attempt_time"]
    actions = ["unlock_usernames", "unlock_addresses"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                username_failures=_failures_of("username"),
                address_failures=_failures_of("ip_address"),
            )
        )

    @admin.display(description="locked")
    def locked(self, attempt) -> str:
        what = []
        if (attempt.username_failures or 0) >= settings.LOGIN_FAILURES_PER_USERNAME:
            what.append("username")
        if (attempt.address_failures or 0) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            what.append("address")
        return " and ".join(what) or "no"

    @admin.action(description="Unlock the selected usernames (clear all their failures)")
    def unlock_usernames(self, request, queryset):
        usernames = set(queryset.values_list("username", flat=True))
        count, _ = AccessAttempt.objects.filter(username__in=usernames).delete()
        self.message_user(
            request, f"Unlocked {len(usernames)} username(s): {count} record(s) cleared."
        )

    @admin.action(description="Unlock the selected addresses (clear all their failures)")
    def unlock_addresses(self, request, queryset):
        addresses = set(queryset.values_list("ip_address", flat=True))
        count, _ = AccessAttempt.objects.filter(ip_address__in=addresses).delete()
        self.message_user(
            request, f"Unlocked {len(addresses)} address(es): {count} record(s) cleared."
        )


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    """One row: the list opens it."""

    fields = ["second_factor_required_for"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        policy, _ = SecurityPolicy.objects.get_or_create(pk=1)
        return HttpResponseRedirect(
            reverse("admin:accounts_securitypolicy_change", args=[policy.pk])
        )

    def response_change(self, request, obj):
        self.message_user(request, "The security policy was saved.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:accounts_securitypolicy_change", args=[obj.pk]))
