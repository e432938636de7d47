"""manage.py remove_second_factor: the lost-phone procedure from a shell."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("remove_second_factor", *args, stdout=out)
    return out.getvalue()


def test_it_removes_the_users_devices_only():
    eddie, wendy = make_staff("eddie"), make_staff("wendy")
    for user in (eddie, wendy):
        TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    assert run("eddie", "--dry-run") == "Would remove 1 authenticator device(s) of eddie.\n"
    assert TOTPDevice.objects.count() == 2
    assert run("eddie") == "Removed 1 authenticator device(s) of eddie.\n"
    assert list(TOTPDevice.objects.values_list("user__username", flat=True)) == ["wendy"]


def test_an_unknown_user_is_named():
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        run("nobody")
