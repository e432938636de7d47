from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import services
from .forms import CONSENT_TEXT, SignupForm


@require_safe
def signup_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "newsletter/signup.html", {"form": SignupForm(), "consent": CONSENT_TEXT}
    )


# The signup box sits on pages that every anonymous reader shares and a CDN caches, so it
# carries no CSRF token. A forged post can do no more than anyone can do with the form
# itself: put an address on the pending list, which only a click in the inbox confirms.
@csrf_exempt
@require_POST
@never_cache
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST)
    if not form.is_valid():
        # The form again, still crediting the page the reader came from (a path, or nothing).
        context = {
            "form": form,
            "consent": CONSENT_TEXT,
            "signup_source": form.cleaned_data.get("source", ""),
        }
        return render(request, "newsletter/signup.html", context, status=400)
    services.subscribe(email=form.cleaned_data["email"], source=form.cleaned_data["source"])
    return render(request, "newsletter/thanks.html", {"email": form.cleaned_data["email"]})
