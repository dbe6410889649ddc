"""Login, logout and lockout events: the session clock, ending sessions, the audit trail."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from audit.log import Action, Outcome, record
from orgs.models import User

from .backends import user_changed
from .policy import end_all_sessions, mark_started
from .sessions import forget_user


@receiver(post_save, sender=User, dispatch_uid="accounts.user_saved")
@receiver(post_delete, sender=User, dispatch_uid="accounts.user_deleted")
def user_row_changed(sender, instance, **kwargs):
    user_changed(instance.pk)  # the copy a request is served from (accounts.backends)


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def session_started(sender, request, user, **kwargs):
    # The password step only: LOGIN is recorded when the second factor completes (accounts.views).
    if request is not None and hasattr(request, "session"):
        mark_started(request.session)


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    record(Action.LOGOUT, request=request, user=user)
    end_all_sessions(user)  # 退出即结束该用户的全部会话
    forget_user(user)


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the username is kept.
    record(
        Action.LOGIN_FAILED, request=request, username=str(credentials.get("username") or ""),
        outcome=Outcome.FAILURE, detail={"locked": bool(getattr(request, "axes_locked_out", False))},
    )  # fmt: skip


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    record(Action.SECURITY, request=request, username=username or "", outcome=Outcome.DENIED, detail={"event": "locked_out"})
