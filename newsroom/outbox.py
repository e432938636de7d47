"""Local mail: an outbox folder of ``.eml`` files, and a staff-only page that reads them.

With DEBUG on (``make run``) every message the site sends is written to ``OUTBOX_DIR`` as one
``.eml`` file (RFC 5322, as a mail client saves it: open it in one, or read it as text), and
``/admin/outbox/`` lists the newest first with each message's text decoded and its links whole
and clickable, so a confirmation link can be followed without a mail server.
"""

import email
import email.policy
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

NAME = re.compile(r"^\d{8}-\d{6}-\d{6}-\d{3}\.eml$")
SHOWN = 50  # the newest messages the page lists


class EmailBackend(BaseEmailBackend):
    """Writes each message to its own ``OUTBOX_DIR/<time>-<n>.eml``."""

    _lock = threading.Lock()
    _count = 0

    def send_messages(self, email_messages) -> int:
        folder = Path(settings.OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            with EmailBackend._lock:
                EmailBackend._count = (EmailBackend._count + 1) % 1000
                stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
                path = folder / f"{stamp}-{EmailBackend._count:03d}.eml"
            data = message.message().as_bytes()
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)  # never a half-written file in the list
            sent += 1
        return sent


@dataclass
class Message:
    name: str
    sent: datetime
    subject: str
    sender: str
    to: str
    text: str
    html: bool


def _text_of(parsed) -> tuple[str, bool]:
    """The plain-text body (decoded from quoted-printable or base64), and whether the message
    also has an HTML part."""
    has_html = any(part.get_content_type() == "text/html" for part in parsed.walk())
    body = parsed.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    return text, has_html


def read(name: str) -> Message:
    if not NAME.match(name):
        raise Http404("No such message in the outbox.")
    path = Path(settings.OUTBOX_DIR) / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Http404("No such message in the outbox.") from None
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    text, has_html = _text_of(parsed)
    sent = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
    return Message(
        name=name,
        sent=sent,
        subject=str(parsed.get("Subject", "")),
        sender=str(parsed.get("From", "")),
        to=str(parsed.get("To", "")),
        text=text,
        html=has_html,
    )


def messages(limit: int = SHOWN) -> list[Message]:
    folder = Path(settings.OUTBOX_DIR)
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if NAME.match(p.name)), reverse=True)
    return [read(name) for name in names[:limit]]


@require_safe
@staff_member_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The outbox page: the newest messages, their text with whole, clickable links."""
    context = {
        **admin.site.each_context(request),
        "title": "Outbox",
        "messages_sent": messages(),
        "folder": settings.OUTBOX_DIR,
        "backend": settings.MAILERS["default"]["BACKEND"],
        "in_use": settings.MAILERS["default"]["BACKEND"] == f"{__name__}.EmailBackend",
    }
    return render(request, "admin/outbox.html", context)


@require_safe
@staff_member_required
def outbox_file(request: HttpRequest, name: str) -> HttpResponse:
    """One message as its raw .eml file, to open in a mail client."""
    message = read(name)
    data = (Path(settings.OUTBOX_DIR) / message.name).read_bytes()
    response = HttpResponse(data, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{message.name}"'
    return response
