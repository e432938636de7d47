"""The second factor's pages in the admin: the code after the password, and the setup page
where a staff member turns the authenticator app on or off."""

import math

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import second_factor
from .forms import CodeForm


def next_url(request: HttpRequest, default: str = "admin:index") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(default)


def wait_seconds(device) -> int:
    """Seconds before the device takes another code (django-otp doubles it per wrong code)."""
    allowed, why = device.verify_is_allowed()
    if allowed:
        return 0
    until = (why or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def check_code(device, form: CodeForm) -> tuple[bool, int]:
    """Whether the form's code is the device's, and, when it is not, the status to answer:
    429 (with the wait added to the form) while the device refuses codes."""
    wait = wait_seconds(device)
    if wait:
        form.is_valid()
        form.add_error(None, f"Too many wrong codes. Try again in {wait} seconds.")
        return False, 429
    if not form.is_valid():
        return False, 200
    if device.verify_token(form.cleaned_data["code"]):
        return True, 200
    form.add_error("code", "That code is not right. Codes change every 30 seconds.")
    return False, 200


def page(request, template: str, context: dict, status: int = 200) -> TemplateResponse:
    response = TemplateResponse(
        request, template, {**admin.site.each_context(request), **context}, status=status
    )
    if status == 429:
        response["Retry-After"] = str(max(1, wait_seconds(context["device"])))
    return response


@never_cache
@staff_member_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the code from the app."""
    device = second_factor.confirmed_device(request.user)
    if device is None or request.user.is_verified():
        return HttpResponseRedirect(next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ok, status = check_code(device, form)
        if ok:
            otp_login(request, device)
            return HttpResponseRedirect(next_url(request))
    context = {"title": "Enter your code", "form": form, "device": device}
    context["next"] = next_url(request)
    return page(request, "accounts/verify.html", context, status)


@never_cache
@staff_member_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """Turn the authenticator app on (scan, then confirm with a code) or off (with a code)."""
    user = request.user
    device = second_factor.confirmed_device(user)
    if device is not None and not user.is_verified():
        return HttpResponseRedirect(reverse("accounts:verify"))
    required = second_factor.required_for(user)
    form = CodeForm(request.POST or None)
    status = 200
    if device is None:
        device = second_factor.pending_device(user)
        if request.method == "POST":
            ok, status = check_code(device, form)
            if ok:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                messages.success(request, "Your second factor is on: logins now ask for a code.")
                return HttpResponseRedirect(next_url(request, "accounts:second-factor"))
        context = {
            "title": "Turn on a second factor",
            "device": device,
            "qr_code": second_factor.qr_code(device),
            "key": second_factor.key_text(device),
            "required": required,
        }
    else:
        if request.method == "POST":
            if required:
                form.add_error(None, "The security policy requires you to keep a second factor.")
                status = 400
            else:
                ok, status = check_code(device, form)
                if ok:
                    type(device).objects.filter(user=user).delete()
                    messages.success(request, "Your second factor is off.")
                    return HttpResponseRedirect(reverse("accounts:second-factor"))
        context = {"title": "Second factor", "device": device, "required": required}
    context |= {
        "form": form,
        "next": next_url(request, "accounts:second-factor"),
        "active": device.confirmed,
    }
    return page(request, "accounts/second_factor.html", context, status)
