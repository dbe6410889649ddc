"""Logging in: the Chinese login page, lockout by username and its cool-off, password rules, idle
timeout, the audit rows of logins. The second factor: tests/accounts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.utils import timezone

from accounts.policy import LAST_SEEN_KEY
from audit.models import Action, AuditEvent, Outcome
from orgs.models import User
from orgs.policy import current_policy
from orgs.services import set_policy
from tests.factories import UserFactory
from tests.sessions import set_session_expiry
from tests.totp import log_in_with_totp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PASSWORD = "Zhi@2026chan"


@pytest.fixture
def users(db):
    return UserFactory(username="li_wenjing"), UserFactory(username="wang_jianguo")


def _post_login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_is_in_chinese(client):
    response = client.get("/login/")
    content = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in content
    assert "用户名" in content
    assert "密码" in content
    assert "登录" in content


def test_login_with_the_right_password_redirects_home_through_the_second_factor(client, users):
    response = _post_login(client, "li_wenjing", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/account/2fa/enrol/?next=%2F"
    assert log_in_with_totp(Client(), "li_wenjing", PASSWORD)["Location"] == "/"


def test_login_with_a_wrong_password_shows_the_form_again_in_chinese(client, users):
    response = _post_login(client, "li_wenjing", "Wrong@2026x")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_login_follows_next_inside_the_site(client, users):
    response = client.post("/login/", {"username": "li_wenjing", "password": PASSWORD, "next": "/campaigns/"})

    assert response["Location"] == "/campaigns/"


def test_login_ignores_next_to_another_site(client, users):
    response = client.post(
        "/login/", {"username": "li_wenjing", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_five_failures_lock_the_username_even_against_the_right_password(client, users):
    for _ in range(current_policy().lockout_limit):
        _post_login(client, "li_wenjing", "Wrong@2026x")

    response = _post_login(client, "li_wenjing", PASSWORD)

    assert response.status_code == 403
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_page_says_when_to_try_again_in_minutes(client, users):
    for _ in range(current_policy().lockout_limit):
        _post_login(client, "li_wenjing", "Wrong@2026x")

    content = _post_login(client, "li_wenjing", PASSWORD).content.decode()

    assert "请于 30 分钟后再试" in content
    assert "PT30M" not in content


def test_login_page_states_the_policy_failure_limit(client, settings, demo):
    assert "连续 5 次密码错误" in client.get("/login/").content.decode()

    settings.LOGIN_FAILURE_LIMIT = 4  # the environment's default ...
    assert "连续 4 次密码错误" in client.get("/login/").content.decode()

    set_policy(actor=User.objects.get(username="secadmin"), lockout_limit=3)  # ... the security administrator's
    assert "连续 3 次密码错误" in client.get("/login/").content.decode()


def test_four_failures_do_not_lock(client, users):
    for _ in range(current_policy().lockout_limit - 1):
        _post_login(client, "li_wenjing", "Wrong@2026x")

    response = _post_login(client, "li_wenjing", PASSWORD)

    assert response.status_code == 302


def test_lockout_is_by_username_not_by_address(client, users):
    for _ in range(current_policy().lockout_limit):
        _post_login(client, "li_wenjing", "Wrong@2026x")

    colleague = Client(REMOTE_ADDR="127.0.0.1")
    response = _post_login(colleague, "wang_jianguo", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_lockout_settings_are_five_failures_by_username_from_the_policy(db):
    assert settings.LOGIN_FAILURE_LIMIT == 5 and current_policy().lockout_limit == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    # axes asks the security administrator's policy each time (orgs.policy)
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME) == ("orgs.policy.axes_failure_limit", "orgs.policy.axes_cooloff")


# --- password rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password1", "password_too_common"),
        ("Ab1@xyz", "password_too_short"),  # 7 characters
        ("abcdefgh1234", "password_too_simple"),  # lower case and digits only
        ("ABCDEFGH!!", "password_too_simple"),  # upper case and symbols only
        ("Zhi@2026chan" * 5 + "Abc@x", "password_too_long"),  # 65 characters
        ("12345678", "password_entirely_numeric"),
    ],
)
def test_password_validators_refuse_weak_passwords(password, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)

    assert code in {e.code for e in excinfo.value.error_list}


def test_password_validators_refuse_password1_for_being_too_simple_too():
    with pytest.raises(ValidationError) as excinfo:
        validate_password("password1")

    assert {e.code for e in excinfo.value.error_list} == {"password_too_common", "password_too_simple"}


def test_password_of_65_characters_is_refused_and_64_accepted():
    assert len("Zhi@2026chan" * 5 + "Abc@x") == 65
    assert validate_password("Zhi@2026chan" * 5 + "Abc@") is None


def test_password_validators_accept_a_strong_password():
    assert validate_password("Zhi@2026chan") is None


def test_password_too_simple_message_is_in_chinese():
    with pytest.raises(ValidationError, match="至少 3 类"):
        validate_password("abcdefgh1234")


def test_password_change_page_refuses_a_weak_new_password(login, users):
    client = login("li_wenjing")

    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "abcdefgh1234", "new_password2": "abcdefgh1234"},
    )

    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()


# --- idle timeout -----------------------------------------------------------------------------


def test_session_settings_expire_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 1800
    # Renewed by accounts.policy.mark_seen once a minute, not written on every request.
    from config.settings import base

    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert base.SESSION_SEEN_REFRESH_SECONDS == 60


def test_a_request_a_minute_after_the_last_renews_the_session_expiry(login, users, settings):
    settings.SESSION_SEEN_REFRESH_SECONDS = 60  # the settings' value (tests/conftest.py raises it)
    client = login("li_wenjing")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 61
    session.save()
    key = session.session_key
    set_session_expiry(key, timezone.now() + dt.timedelta(minutes=1))

    client.get("/")

    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + dt.timedelta(minutes=29)


def test_session_past_its_expiry_is_rejected(login, users):
    client = login("li_wenjing")
    assert client.get("/").status_code == 200
    set_session_expiry(client.session.session_key, timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_anonymous_campaign_list_redirects_to_login(client):
    response = client.get("/campaigns/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/campaigns/"


def test_logout_ends_the_session(login, users):
    client = login("li_wenjing")

    response = client.post("/logout/")

    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


# --- lockout cool-off and the audit trail -------------------------------------------------------


def _cool_off_passes(seconds: float) -> None:
    """Move the failures back in time, as if ``seconds`` had gone by."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(seconds=seconds))


def test_the_sixth_attempt_is_locked_and_works_again_after_the_cool_off(client, users):
    for _ in range(current_policy().lockout_limit):
        assert _post_login(client, "li_wenjing", "Wrong@2026x").status_code in (200, 403)
    assert _post_login(client, "li_wenjing", PASSWORD).status_code == 403  # the 6th

    _cool_off_passes(current_policy().cooloff.total_seconds() - 60)
    assert _post_login(client, "li_wenjing", PASSWORD).status_code == 403  # a minute short

    _cool_off_passes(61)
    response = _post_login(client, "li_wenjing", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_cool_off_is_configurable(client, users, settings):
    settings.LOGIN_COOLOFF = dt.timedelta(minutes=2)
    for _ in range(current_policy().lockout_limit):
        _post_login(client, "li_wenjing", "Wrong@2026x")
    assert _post_login(client, "li_wenjing", PASSWORD).status_code == 403

    _cool_off_passes(61)
    assert _post_login(client, "li_wenjing", PASSWORD).status_code == 403
    _cool_off_passes(60)

    assert _post_login(client, "li_wenjing", PASSWORD).status_code == 302


def test_the_cool_off_is_30_minutes_by_default(db):
    assert settings.LOGIN_COOLOFF == dt.timedelta(minutes=30)
    assert current_policy().cooloff == dt.timedelta(minutes=30)


def test_a_failed_login_is_recorded_with_the_username_and_never_the_password(client, users):
    _post_login(client, "li_wenjing", "Wrong@2026x")

    [event] = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert event.username == "li_wenjing"
    assert event.outcome == Outcome.FAILURE
    assert event.client_ip == "127.0.0.1"
    assert "Wrong@2026x" not in str(event.detail)


def test_an_unknown_username_is_recorded_as_typed(client, users):
    _post_login(client, "nobody_here", "Wrong@2026x")

    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).username == "nobody_here"


def test_the_lockout_is_recorded(client, users):
    for _ in range(current_policy().lockout_limit):
        _post_login(client, "li_wenjing", "Wrong@2026x")

    locked = AuditEvent.objects.filter(action=Action.SECURITY, detail__event="locked_out")
    assert locked.exists() and locked.first().username == "li_wenjing"


def test_a_completed_login_is_recorded_once(users):
    log_in_with_totp(Client(), "li_wenjing", PASSWORD)

    [event] = AuditEvent.objects.filter(action=Action.LOGIN)
    assert event.username == "li_wenjing" and event.detail == {"factors": "password+totp"}
