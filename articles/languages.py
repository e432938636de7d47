"""A story's language, when it is not the site's: a BCP 47 tag (``he``, ``ar``, ``pt-BR``) on
its page's ``lang``, and right to left (``dir="rtl"``) for the scripts written that way."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def normalise(value: str) -> str:
    """A tag as WordPress or a plugin writes it (``he_IL``, ``he-il``, ``HE``) as BCP 47
    writes it (``he-IL``); empty for anything that is no tag."""
    value = (value or "").strip().replace("_", "-")
    if not _TAG.match(value):
        return ""
    primary, *rest = value.split("-")
    parts = [primary.lower()]
    for part in rest:
        parts.append(part.upper() if len(part) == 2 else part.lower())
    return "-".join(parts)


def primary(tag: str) -> str:
    return tag.split("-")[0].lower() if tag else ""


def is_site_language(tag: str) -> bool:
    """The site's own language (a story in it needs no tag of its own)."""
    return not tag or primary(tag) == primary(settings.LANGUAGE_CODE)


def language_direction(tag: str) -> str:
    """ "rtl" for Hebrew, Arabic, Persian, Urdu ... (Django's table of languages), else "ltr"."""
    if not tag:
        return "ltr"
    for code in (tag.lower(), primary(tag)):
        try:
            return "rtl" if get_language_info(code)["bidi"] else "ltr"
        except KeyError:
            continue
    return "ltr"


def validate_language_tag(value: str) -> None:
    if value and normalise(value) != value:
        raise ValidationError(
            f"{value!r} is not a language tag: write it like he, ar or pt-BR"
            + (f" ({normalise(value)})." if normalise(value) else ".")
        )
