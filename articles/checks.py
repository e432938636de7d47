"""Deploy checks (``manage.py check --deploy``): production refuses the demo's leftovers.

- ``articles.E001``: the demo admin (``load_demo``'s ``admin`` / ``newsroom-demo``) still logs
  in: anyone who has read the README can. The database is asked; when it cannot be (not
  reachable from where the check runs, not migrated yet), ``articles.I001`` says the check
  was not made, and the rest of the checks go on.
- ``articles.E002``: mail would go out from a localhost address (``DEFAULT_FROM_EMAIL``,
  ``SERVER_EMAIL``, or the newsletter's own sender when one is set): receiving servers refuse
  or junk it, and replies go nowhere.
"""

import ipaddress
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Info, Tags, register
from django.db import DatabaseError

SENDER_SETTINGS = ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL", "NEWSLETTER_FROM_EMAIL")


@register(Tags.security, deploy=True)
def demo_admin_is_gone(app_configs, **kwargs):
    from .management.commands.load_demo import DEMO_PASSWORD, DEMO_USERNAME

    try:
        user = (
            get_user_model()
            .objects.filter(username=DEMO_USERNAME, is_active=True)
            .only("password")
            .first()
        )
    except DatabaseError as error:
        return [
            Info(
                f"Could not check whether the demo admin still logs in: {error}".strip(),
                hint="Run `manage.py check --deploy` where the database answers.",
                id="articles.I001",
            )
        ]
    # check_password() of the hashers module: the user's own would save an upgraded hash.
    if user is None or not check_password(DEMO_PASSWORD, user.password):
        return []
    return [
        Error(
            f"The demo admin {DEMO_USERNAME!r} still logs in with the demo password, which "
            "the README publishes.",
            hint=f"Delete the user or give it a new password: `manage.py changepassword "
            f"{DEMO_USERNAME}`.",
            id="articles.E001",
        )
    ]


def is_local_address(address: str) -> bool:
    """Whether mail from ``address`` comes from this machine's own name: localhost, a name
    under .localhost or .localdomain, a loopback IP, or a bare host name without a dot."""
    # parseaddr() gives up on a domain literal (news@[192.0.2.1]): then the text in <>, if any.
    mailbox = parseaddr(address)[1] or address.rpartition("<")[2].partition(">")[0] or address
    domain = mailbox.rpartition("@")[2].strip().strip("[]").rstrip(".").lower()
    if not domain:
        return True
    try:
        return ipaddress.ip_address(domain.removeprefix("ipv6:")).is_loopback
    except ValueError:
        pass
    return (
        domain == "localhost"
        or domain.endswith((".localhost", ".localdomain"))
        or "." not in domain
    )


@register(Tags.security, deploy=True)
def sender_is_not_localhost(app_configs, **kwargs):
    errors, seen = [], set()
    for name in SENDER_SETTINGS:
        value = getattr(settings, name, None)
        if value in seen:  # SERVER_EMAIL is DEFAULT_FROM_EMAIL unless set: named once
            continue
        seen.add(value)
        if value and is_local_address(value):
            errors.append(
                Error(
                    f"{name} is {value!r}, a localhost address: receiving servers refuse or "
                    "junk such mail, and replies go nowhere.",
                    hint=f"Set {name} to an address at the site's own domain, e.g. "
                    f"'{settings.SITE_NAME} <news@news.example.com>'.",
                    id="articles.E002",
                )
            )
    return errors
