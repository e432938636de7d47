"""Who owes a second factor, and the authenticator app's device (django-otp's TOTP).

A session has passed its second factor when django-otp's middleware finds the device it was
verified with (``user.is_verified()``). A staff member with a confirmed device owes a code
after the password; one the security policy covers (``SecurityPolicy``) and without a device
owes the setup. "Editors" are the Editors group of ``articles.roles`` and the superusers.
"""

import base64
from typing import Literal

import segno
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.roles import EDITORS

from .models import SecondFactorRule, SecurityPolicy

DEVICE_NAME = "Authenticator app"

Owed = Literal["code", "setup"] | None


def owed(user) -> Owed:
    """What this session still owes before the admin opens: a code, a setup, or nothing.
    One query for a session that has not passed a second factor; none for one that has."""
    if not (user.is_authenticated and user.is_staff) or user.is_verified():
        return None
    groups = get_user_model().groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=EDITORS
    )
    facts = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            is_editor=Exists(groups),
            rule=Subquery(
                SecurityPolicy.objects.filter(pk=1).values("second_factor_required_for")[:1]
            ),
        )
        .values("has_device", "is_editor", "rule")
        .first()
    )
    if facts is None:
        return None
    if facts["has_device"]:
        return "code"
    if covers(facts["rule"], user, is_editor=facts["is_editor"]):
        return "setup"
    return None


def covers(rule: str | None, user, *, is_editor: bool) -> bool:
    """Whether the policy's rule requires this staff member to have a second factor."""
    if rule == SecondFactorRule.STAFF:
        return user.is_staff
    if rule == SecondFactorRule.EDITORS:
        return user.is_superuser or is_editor
    return False


def required_for(user) -> bool:
    """Whether the policy requires this user to keep a second factor (two queries)."""
    policy = SecurityPolicy.objects.filter(pk=1).first()
    rule = policy.second_factor_required_for if policy else SecondFactorRule.NOBODY
    is_editor = rule == SecondFactorRule.EDITORS and user.groups.filter(name=EDITORS).exists()
    return covers(rule, user, is_editor=is_editor)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being set up: the same key on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def key_text(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code, an SVG data URI (made here, no network)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)
