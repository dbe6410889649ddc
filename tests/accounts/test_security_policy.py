"""The security administrator's policy (/security/policy/) takes effect: each value set on the page
changes what the login, the lockout, the password clock and the sessions do (orgs.policy)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import LiveSession, TOTPDevice
from accounts.policy import LAST_SEEN_KEY
from audit.models import Action, AuditEvent
from orgs.models import User
from orgs.policy import current_policy
from tests.factories import UserFactory
from tests.totp import log_in_with_totp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PASSWORD = "Zhi@2026chan"
WRONG = "Wrong@2026x"


@pytest.fixture(autouse=True)
def _renewal_once_a_minute(settings):
    """The settings' value (tests/conftest.py raises it for the other tests)."""
    settings.SESSION_SEEN_REFRESH_SECONDS = 60



@pytest.fixture
def user(db):
    return UserFactory(username="li_wenjing")


@pytest.fixture
def set_on_page(demo, login):
    """Post values to the security administrator's policy page, as the security administrator."""
    secadmin = login("secadmin")

    def post(**values):
        response = secadmin.post("/security/policy/", values)
        assert response.status_code == 302, response.content.decode()[:3000]
        return current_policy()

    return post


def _login(client: Client, password: str = PASSWORD):
    return client.post("/login/", {"username": "li_wenjing", "password": password})


def _cool_off_passes(seconds: float) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(seconds=seconds))


# --- lockout_limit ------------------------------------------------------------------------------


def test_the_lockout_comes_after_the_policy_number_of_failures(user, set_on_page):
    assert current_policy().lockout_limit == 5
    set_on_page(lockout_limit=2)
    client = Client()

    assert "连续 2 次密码错误" in client.get("/login/").content.decode()
    _login(client, WRONG)
    assert _login(Client()).status_code == 302  # one failure: not locked yet
    _login(client, WRONG)  # the second

    response = _login(client)
    assert response.status_code == 403 and "锁定" in response.content.decode()


def test_a_higher_policy_limit_allows_more_failures_than_the_settings(user, set_on_page):
    set_on_page(lockout_limit=7)
    for _ in range(6):  # past the settings' 5
        _login(Client(), WRONG)

    assert _login(Client()).status_code == 302


# --- cooloff_minutes ----------------------------------------------------------------------------


def test_the_cool_off_lasts_the_policy_minutes_and_the_page_says_so(user, set_on_page):
    set_on_page(lockout_limit=2, cooloff_minutes=5)
    client = Client()
    for _ in range(2):
        _login(client, WRONG)
    assert "请于 5 分钟后再试" in _login(client).content.decode()

    _cool_off_passes(4 * 60)
    assert _login(client).status_code == 403  # a minute short

    _cool_off_passes(61)
    assert _login(client).status_code == 302


def test_the_policy_form_refuses_a_zero_cool_off_in_chinese(demo, login):
    response = login("secadmin").post("/security/policy/", {"cooloff_minutes": 0})

    assert response.status_code == 400
    assert "锁定时长至少 1 分钟" in response.content.decode()


# --- password_max_age_days ----------------------------------------------------------------------


def _aged(user, days: float) -> Client:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=days))
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_passwords_expire_after_the_policy_days(user, set_on_page):
    set_on_page(password_max_age_days=10)

    assert _aged(user, 9.9).get("/").status_code == 200
    client = _aged(user, 10.1)  # far short of the settings' 90
    assert client.get("/")["Location"].startswith("/password/?next=")
    content = client.get("/password/").content.decode()
    assert "您的密码已使用超过 10 天" in content and "每 10 天须更换一次" in content


def test_zero_days_means_passwords_never_expire(user, set_on_page):
    set_on_page(password_max_age_days=0)

    client = _aged(user, 400)
    assert client.get("/").status_code == 200
    assert "须更换一次" not in client.get("/password/").content.decode()


# --- session_idle_minutes -----------------------------------------------------------------------


def _idle(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time() - seconds)
    session.save()


def test_a_session_idle_longer_than_the_policy_minutes_ends(user, set_on_page):
    set_on_page(session_idle_minutes=5)
    client = _aged(user, 0)
    _idle(client, 4 * 60)
    assert client.get("/").status_code == 200  # ... and the request renews the clock
    assert time.time() - client.session[LAST_SEEN_KEY] < 5

    _idle(client, 5 * 60 + 1)
    response = client.get("/campaigns/")

    assert response["Location"] == "/login/?next=%2Fcampaigns%2F"
    assert "_auth_user_id" not in client.session
    assert "已超过 5 分钟未操作" in client.get("/login/").content.decode()


def test_without_a_policy_the_idle_time_is_the_session_cookie_age(user, settings):
    client = _aged(user, 0)
    _idle(client, settings.SESSION_COOKIE_AGE - 60)
    assert client.get("/").status_code == 200

    _idle(client, settings.SESSION_COOKIE_AGE + 1)
    assert client.get("/").status_code == 302


def test_the_policy_form_refuses_an_idle_time_beyond_the_session_cookie_age(demo, login, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60

    response = login("secadmin").post("/security/policy/", {"session_idle_minutes": 31})

    assert response.status_code == 400
    assert "会话空闲超时不能超过系统配置的上限 30 分钟" in response.content.decode()
    assert current_policy().session_idle_minutes == 30


# --- max_sessions_per_user ----------------------------------------------------------------------


def _full_login(user) -> Client:
    """Password and code. Each login may reuse the current time step (tests only): the replay guard
    would otherwise make the third login in a row wait for the next 30-second step."""
    TOTPDevice.objects.filter(user=user).update(last_used_step=0)
    client = Client()
    assert log_in_with_totp(client, "li_wenjing", PASSWORD)["Location"] == "/"
    return client


def test_the_login_beyond_the_policy_number_ends_the_oldest_session(user, set_on_page):
    set_on_page(max_sessions_per_user=2)
    first, second = _full_login(user), _full_login(user)
    assert first.get("/").status_code == 200 and second.get("/").status_code == 200

    third = _full_login(user)

    assert first.get("/")["Location"] == "/login/?next=/"  # the oldest ended
    assert second.get("/").status_code == 200 and third.get("/").status_code == 200
    [event] = AuditEvent.objects.filter(action=Action.SECURITY, detail__event="session_ended")
    assert event.username == "li_wenjing" and event.detail["limit"] == 2
    assert LiveSession.objects.filter(user=user).count() == 2


def test_sessions_that_ended_otherwise_do_not_count_and_are_tidied(user, set_on_page):
    set_on_page(max_sessions_per_user=2)
    gone = _full_login(user)
    Session.objects.filter(session_key=gone.session.session_key).delete()  # expired and cleared
    second = _full_login(user)

    third = _full_login(user)

    assert second.get("/").status_code == 200 and third.get("/").status_code == 200
    assert not AuditEvent.objects.filter(detail__event="session_ended").exists()
    assert LiveSession.objects.filter(user=user).count() == 2


def test_without_a_limit_every_session_stays(user):
    assert current_policy().max_sessions_per_user == 0
    clients = [_full_login(user) for _ in range(3)]

    assert [c.get("/").status_code for c in clients] == [200, 200, 200]


def test_logout_forgets_the_user_sessions(user):
    client = _full_login(user)
    assert LiveSession.objects.filter(user=user).exists()

    client.post("/logout/")

    assert not LiveSession.objects.filter(user=user).exists()


# --- one policy read per request ------------------------------------------------------------------


def test_a_staff_page_reads_the_policy_once(user, set_on_page):
    set_on_page(password_max_age_days=10, session_idle_minutes=5)
    client = _aged(user, 1)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/password/").status_code == 200  # middleware and page both use the policy
    with CaptureQueriesContext(connection) as again:
        assert client.get("/password/").status_code == 200

    assert sum("securitypolicy" in q["sql"].lower() for q in queries.captured_queries) <= 1
    # Then from the shared cache (orgs.policy), until the policy changes.
    assert sum("securitypolicy" in q["sql"].lower() for q in again.captured_queries) == 0
