"""Readable differences between two saved versions of a story (headline, dek, body)."""

import re
from difflib import SequenceMatcher

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

FIELDS = [("headline", "Headline"), ("dek", "Sub-headline"), ("body", "Body")]
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain_text(html: str) -> str:
    """The words of a body, one paragraph (or heading, or list item) a line."""
    text = strip_tags(_BLOCK_END.sub("\n", html or ""))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def word_diff(old: str, new: str) -> SafeString:
    """``new`` with the words it removed from ``old`` in <del> and those it added in <ins>;
    paragraph breaks kept as line breaks."""
    old_words = re.findall(r"\n|[^\s]+", old)
    new_words = re.findall(r"\n|[^\s]+", new)
    parts = []

    def words(items):
        return " ".join(escape(w) for w in items).replace(" \n ", "<br>").replace("\n", "<br>")

    matcher = SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(words(old_words[i1:i2]))
        if op in ("delete", "replace"):
            parts.append(f"<del>{words(old_words[i1:i2])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{words(new_words[j1:j2])}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 - every word escaped above


def between(older, newer) -> list[dict]:
    """What ``newer`` (a reversion Version) changed from ``older`` (or from nothing)."""
    before = older.field_dict if older is not None else {}
    after = newer.field_dict
    changes = []
    for name, label in FIELDS:
        old, new = before.get(name) or "", after.get(name) or ""
        if name == "body":
            old, new = plain_text(old), plain_text(new)
        if old != new:
            changes.append({"label": label, "html": word_diff(old, new)})
    return changes
