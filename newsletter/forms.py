import unicodedata

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from .addresses import INVALID_MESSAGE, MAX_LENGTH, normalise_email

CONSENT_TEXT = (
    "We will email you the latest news. Every email has a link to unsubscribe at once; "
    "we never share your address."
)
SOURCE_MAX_LENGTH = 500


def site_path(value: str) -> str:
    """``value`` if it is a path on this site, else empty: never an absolute or
    protocol-relative URL (``//host``, or ``/\\host``, which browsers read the same way)."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        return ""
    if not value.startswith("/") or not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    return value[:SOURCE_MAX_LENGTH]


class SignupForm(forms.Form):
    email = forms.CharField(
        label="Email address",
        max_length=MAX_LENGTH,
        # Not trimmed here: normalise_email() must see a newline at the ends to refuse it.
        strip=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
        error_messages={
            "required": "Enter your email address.",
            "max_length": "That email address is too long.",
            "null_characters_not_allowed": INVALID_MESSAGE,
        },
    )
    # The page the box was on, filled in by the page itself; never a reason to refuse a signup.
    source = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    # A honeypot: hidden from people by the stylesheet, filled in by form-stuffing bots. No
    # max_length: a bot's overlong value must get the thanks page too, not a telling error.
    website = forms.CharField(required=False)

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean_email(self):
        raw = self.cleaned_data["email"]
        if not raw.strip():
            raise forms.ValidationError(self.fields["email"].error_messages["required"], "required")
        return normalise_email(raw)

    def clean_source(self):
        return site_path(self.cleaned_data["source"])
