from django import forms
from django.core.validators import validate_email

from .services import normalise_email

CONSENT_TEXT = (
    "We will email you the latest news. Every email has a link to unsubscribe at once; "
    "we never share your address."
)


class SignupForm(forms.Form):
    email = forms.CharField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
        error_messages={
            "required": "Enter your email address.",
            "max_length": "That email address is too long.",
        },
    )
    source = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        validate_email(email)
        return email

    def clean_source(self):
        source = self.cleaned_data["source"]
        # Only a path on this site: never an absolute or protocol-relative URL.
        return source if source.startswith("/") and not source.startswith("//") else ""
