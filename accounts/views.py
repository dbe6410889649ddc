"""The second factor after the password (enrol the first time, verify afterwards) and the password change."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from audit.log import Action, Outcome, record
from orgs.policy import current_policy

from . import totp
from .forms import CodeForm, PasswordChangeForm
from .models import TOTPDevice
from .policy import is_verified, mark_verified, password_expired
from .sessions import register_login


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _current_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.current().filter(user=user).first()


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def _locked_out(request):
    """Wrong codes count toward the same per-username limit as wrong passwords (axes)."""
    credentials = _credentials(request.user)
    request.session.flush()
    request.user = AnonymousUser()
    return get_lockout_response(request, credentials=credentials)


def _wrong_code(request, stage: str):
    record(Action.SECURITY, request=request, outcome=Outcome.FAILURE, detail={"event": "totp_failed", "stage": stage})
    AxesProxyHandler.user_login_failed(sender=__name__, credentials=_credentials(request.user), request=request)
    return request.axes_locked_out


def _complete(request, device: TOTPDevice, *, enrolled: bool):
    request.session.cycle_key()  # a new session key at the privilege change
    mark_verified(request.session)
    AxesProxyHandler.reset_attempts(username=request.user.get_username())
    register_login(request)  # the policy's limit on simultaneous logins: the oldest ones end
    if enrolled:
        record(Action.SECURITY, request=request, obj=device, detail={"event": "totp_enrolled"})
    record(Action.LOGIN, request=request, detail={"factors": "password+totp"})
    return redirect(_next_url(request))


@login_required
def two_factor(request):
    """Whichever step applies: enrol without a confirmed device, verify with one."""
    device = _current_device(request.user)
    name = "accounts:verify" if device and device.confirmed_at else "accounts:enrol"
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    return redirect(reverse(name) + query)


@login_required
def enrol(request):
    if is_verified(request.session):
        return redirect(_next_url(request))
    if AxesProxyHandler.is_locked(request, _credentials(request.user)):
        return _locked_out(request)
    device = _current_device(request.user)
    if device is None:
        try:
            with transaction.atomic():
                device = TOTPDevice.objects.create(user=request.user, secret=totp.new_secret())
        except IntegrityError:  # the same user's other tab created it a moment ago
            device = _current_device(request.user)
    if device.confirmed_at:
        return redirect(f"{reverse('accounts:verify')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.accept(device, form.cleaned_data["code"]):
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
            return _complete(request, device, enrolled=True)
        if _wrong_code(request, "enrol"):
            return _locked_out(request)
        form.add_error("code", "验证码不正确或已使用，请输入身份验证器上当前显示的 6 位数字。")
    context = {
        "form": form, "next": _next_url(request), "two_factor_pending": True,
        "secret": totp.grouped(device.secret), "qr_svg": totp.qr_svg(totp.provisioning_uri(device)),
        "issuer": settings.TOTP_ISSUER,
    }  # fmt: skip
    return render(request, "accounts/enrol.html", context)


@login_required
def verify(request):
    if is_verified(request.session):
        return redirect(_next_url(request))
    if AxesProxyHandler.is_locked(request, _credentials(request.user)):
        return _locked_out(request)
    device = _current_device(request.user)
    if device is None or not device.confirmed_at:
        return redirect(f"{reverse('accounts:enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.accept(device, form.cleaned_data["code"]):
            return _complete(request, device, enrolled=False)
        if _wrong_code(request, "verify"):
            return _locked_out(request)
        form.add_error("code", "验证码不正确或已使用，请输入身份验证器上当前显示的 6 位数字。")
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request), "two_factor_pending": True, "issuer": settings.TOTP_ISSUER})


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page states the limit axes applies: the security administrator's policy.
        context["failure_limit"] = current_policy(self.request).lockout_limit
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_expired"] = password_expired(self.request.user, request=self.request)
        context["max_age_days"] = current_policy(self.request).password_max_age_days
        return context

    def form_valid(self, form):
        response = super().form_valid(form)  # saves; this session is re-hashed, the others end
        record(Action.SECURITY, request=self.request, obj=form.user, detail={"event": "password_changed"})
        return response
