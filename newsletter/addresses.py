"""Email addresses: which ones this newsletter can mail, how they are stored, and which
mailbox they reach.

``normalise_email`` refuses, with a message that names the problem, what a mail library or
server would choke on later (a confirmation task that dies with a traceback is a signup
lost): control characters and percent-escapes, quoted local parts, RFC 2047 encoded words
(``=?utf-8?q?a=40evil.com?=@example.com`` is decoded by mail software into another
address), non-ASCII before the @ (SMTPUTF8 is not assumed of the mail server), and domains
that cannot receive mail. It does not ask DNS: a domain with no mail server is found out by
the confirmation, which never arrives.

``mailbox_of`` is the key that variants of one address share (``dana+news@x`` and
``dana@x``; ``d.ana@gmail.com`` and ``dana@googlemail.com``), for limits per mailbox.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

INVALID_MESSAGE = "Enter a valid email address, like name@example.com."
TOO_LONG_MESSAGE = "That email address is too long."
ENCODED_MESSAGE = (
    "That address contains an encoded word (=?…?=), which mail software reads as a different "
    "address. Type the address itself, like name@example.com."
)
QUOTED_MESSAGE = (
    "Addresses with quotation marks before the @ cannot be mailed by this newsletter; "
    "use another address."
)
NON_ASCII_MESSAGE = (
    "Letters outside A to Z before the @ cannot be mailed by this newsletter yet; "
    "use an address with Latin letters, digits and . _ - + before the @."
)
DOMAIN_MESSAGE = (
    "The part after the @ is not a domain that can receive email (like example.com): "
    "check it for typing mistakes."
)
MAX_LENGTH = 254  # the column's length, and the longest address SMTP can carry
LOCAL_MAX_LENGTH = 64  # RFC 5321 4.5.3.1.1

# "%0a", "%0D%0A" ...: an encoded newline sent to slip a header in, never part of a real address.
_PERCENT_ESCAPE = re.compile(r"%[0-9a-f]{2}", re.IGNORECASE)
_ENCODED_WORD = re.compile(r"=\?.*\?=")
# A top-level domain of letters (or its IDNA form): no numeric TLD, no single letter.
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")
# Names that never reach a mailbox on the internet (RFC 2606, RFC 6761, RFC 6762).
_NO_MAIL_TLDS = {"invalid", "localhost", "local", "internal"}
GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


class _MailboxValidator(EmailValidator):
    """Django's address check without what a newsletter must not accept: ``localhost`` and
    IP-literal domains (``name@[127.0.0.1]``)."""

    def validate_domain_part(self, domain_part):
        return bool(self.domain_regex.match(domain_part))


_validate_mailbox = _MailboxValidator(message=INVALID_MESSAGE, allowlist=[])


def _check_domain(domain: str) -> None:
    labels = domain.split(".")
    if len(labels) < 2 or not _TLD.fullmatch(labels[-1]) or labels[-1] in _NO_MAIL_TLDS:
        raise ValidationError(DOMAIN_MESSAGE, code="domain")
    for label in labels:
        if not label or len(label) > 63 or label.startswith("-") or label.endswith("-"):
            raise ValidationError(DOMAIN_MESSAGE, code="domain")


def normalise_email(raw: str) -> str:
    """Trim, lower-case, and write a unicode domain in its ASCII (IDNA) form, so one mailbox
    is one row however it was typed; then check the result is an address we can mail.

    A control character (a newline above all) anywhere, even at the ends where trimming
    would hide it, or a percent-encoded one, refuses the address: nothing from this field
    can ever reach a mail header except a plain address."""
    invalid = ValidationError(INVALID_MESSAGE, code="invalid")
    if any(unicodedata.category(ch) == "Cc" for ch in raw) or _PERCENT_ESCAPE.search(raw):
        raise invalid
    email = raw.strip()
    if any(ch.isspace() for ch in email):
        raise invalid
    if _ENCODED_WORD.search(email):
        raise ValidationError(ENCODED_MESSAGE, code="encoded_word")
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise invalid
    if '"' in local or "\\" in local:
        raise ValidationError(QUOTED_MESSAGE, code="quoted")
    if not local.isascii():
        raise ValidationError(NON_ASCII_MESSAGE, code="non_ascii")
    if len(local) > LOCAL_MAX_LENGTH:
        raise ValidationError(TOO_LONG_MESSAGE, code="max_length")
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(DOMAIN_MESSAGE, code="domain") from exc
    email = f"{local}@{domain}".lower()
    # The ASCII form of a unicode domain is longer than what was typed.
    if len(email) > MAX_LENGTH:
        raise ValidationError(TOO_LONG_MESSAGE, code="max_length")
    _check_domain(email.rpartition("@")[2])
    _validate_mailbox(email)
    return email


def mailbox_of(email: str) -> str:
    """The mailbox a normalised address reaches: without its ``+tag`` (delivered to the same
    inbox by Gmail, Outlook, Fastmail, iCloud and most servers), and for Gmail without dots
    and with googlemail.com as gmail.com. Dots elsewhere are kept: other providers treat
    ``d.ana`` and ``dana`` as different people."""
    local, _, domain = email.lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"
