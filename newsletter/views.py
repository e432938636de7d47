from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from newsroom.client_ip import client_ip

from . import services, tasks, tokens
from .forms import CONSENT_TEXT, SignupForm
from .models import Subscriber


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
    email = form.cleaned_data["email"]
    # Bots and floods get the very page a reader gets, and nothing is stored or sent.
    limited = services.over_signup_limit(client_ip(request))
    if not form.is_bot and not limited:
        # Queued, never done here: a new, pending and confirmed address all cost one insert
        # into the task queue, so the answer's time tells nobody who is subscribed.
        tasks.process_signup.enqueue(
            email=email, source=form.cleaned_data["source"], consent_text=CONSENT_TEXT
        )
    return render(request, "newsletter/thanks.html", {"email": email})


# The links in email are their own authority (signed for one address), so the buttons they
# lead to need no CSRF token. Following a link only shows a page: mail scanners that fetch
# every link must not confirm or unsubscribe anyone; the button's POST does.


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = tokens.subscriber_for_confirm_token(token)
    except tokens.LinkError as exc:
        context = {"expired": exc.expired, "form": SignupForm(), "consent": CONSENT_TEXT}
        return render(request, "newsletter/link_error.html", context, status=400)
    if request.method == "POST":
        subscriber.confirm()
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return render(request, "newsletter/welcome.html", {"subscriber": subscriber})
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        context = {"expired": False, "form": SignupForm(), "consent": CONSENT_TEXT}
        return render(request, "newsletter/link_error.html", context, status=400)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = tokens.subscriber_for_unsubscribe_token(token)
    except tokens.LinkError:
        context = {"expired": False, "form": SignupForm(), "consent": CONSENT_TEXT}
        return render(request, "newsletter/link_error.html", context, status=400)
    if request.method == "POST":
        # RFC 8058: a mail client's one-click POST carries List-Unsubscribe=One-Click.
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        left_by = Subscriber.LeftBy.ONE_CLICK if one_click else Subscriber.LeftBy.LINK
        subscriber.unsubscribe(left_by)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
