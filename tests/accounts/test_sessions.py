"""Session limits (idle and absolute), and the events that end every session of a user."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.policy import LAST_SEEN_KEY, STARTED_KEY
from audit.models import Action, AuditEvent
from tests.factories import UserFactory
from tests.sessions import set_session_expiry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PASSWORD = "Zhi@2026chan"


@pytest.fixture(autouse=True)
def _renewal_once_a_minute(settings):
    """The settings' value (tests/conftest.py raises it for the other tests)."""
    settings.SESSION_SEEN_REFRESH_SECONDS = 60


@pytest.fixture
def user(db):
    return UserFactory(username="li_wenjing")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    return client


def _started(client: Client, seconds_ago: float) -> None:
    session = client.session
    session[STARTED_KEY] = int(time.time() - seconds_ago)
    session.save()


def test_defaults_are_30_idle_minutes_and_8_hours_in_all():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 8 * 3600


def test_limits_and_cooloff_come_from_the_environment():
    env = {**os.environ, "SESSION_IDLE_SECONDS": "600", "SESSION_ABSOLUTE_SECONDS": "7200",
           "LOGIN_COOLOFF_MINUTES": "15", "PASSWORD_MAX_AGE_DAYS": "60"}  # fmt: skip
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_AGE, s.SESSION_ABSOLUTE_SECONDS, s.LOGIN_COOLOFF, s.PASSWORD_MAX_AGE_DAYS)"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout

    assert out.split() == ["600", "7200", "0:15:00", "60"]


def test_an_idle_session_ends_after_the_idle_timeout(user):
    client = _logged_in(user)
    set_session_expiry(client.session.session_key, timezone.now() - dt.timedelta(seconds=1))

    assert client.get("/")["Location"] == "/login/?next=/"


def _seen(client: Client, seconds_ago: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time() - seconds_ago)
    session.save()


def test_a_request_within_a_minute_of_the_last_mark_writes_no_session(user):
    client = _logged_in(user)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    writes = [q["sql"] for q in queries.captured_queries
              if "django_session" in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT"))]
    assert writes == []


def test_activity_after_a_minute_extends_the_session(user):
    client = _logged_in(user)
    key = client.session.session_key
    _seen(client, settings.SESSION_COOKIE_AGE - 60)  # 29 minutes idle: still alive
    set_session_expiry(key, timezone.now() + dt.timedelta(seconds=60))

    assert client.get("/").status_code == 200

    assert time.time() - client.session[LAST_SEEN_KEY] < 5
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(minutes=29)
    # And 29 minutes after that request the session is still there.
    _seen(client, settings.SESSION_COOKIE_AGE - 60)
    assert client.get("/").status_code == 200


def test_the_idle_limit_counts_from_the_last_mark(user):
    client = _logged_in(user)
    _seen(client, 30)  # a request half a minute ago: this one moves nothing
    assert client.get("/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] >= 29
    _seen(client, settings.SESSION_COOKIE_AGE)  # 30 minutes since the last mark

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_at_the_absolute_maximum(user):
    client = _logged_in(user)
    _started(client, settings.SESSION_ABSOLUTE_SECONDS - 60)
    assert client.get("/").status_code == 200  # activity renews the idle timer ...

    _started(client, settings.SESSION_ABSOLUTE_SECONDS + 1)
    response = client.get("/campaigns/")  # ... but not the absolute one

    assert response["Location"] == "/login/?next=%2Fcampaigns%2F"
    assert "_auth_user_id" not in client.session
    assert "登录已超过 8 小时" in client.get("/login/").content.decode()


def test_the_absolute_maximum_ends_only_that_session(user):
    old, fresh = _logged_in(user), _logged_in(user)
    _started(old, settings.SESSION_ABSOLUTE_SECONDS + 1)

    assert old.get("/").status_code == 302
    assert fresh.get("/").status_code == 200


def test_an_expired_session_on_a_public_page_just_becomes_anonymous(user):
    client = _logged_in(user)
    _started(client, settings.SESSION_ABSOLUTE_SECONDS + 1)

    assert client.get("/gs/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_ends_every_session_of_the_user_and_is_recorded(user):
    here, there = _logged_in(user), _logged_in(user)
    colleague = _logged_in(UserFactory(username="wang_jianguo"))

    assert here.post("/logout/")["Location"] == "/login/"

    assert here.get("/").status_code == 302
    assert there.get("/")["Location"] == "/login/?next=/"
    assert colleague.get("/").status_code == 200
    [event] = AuditEvent.objects.filter(action=Action.LOGOUT)
    assert event.username == "li_wenjing"


def test_disabling_an_account_ends_its_sessions(user):
    client = _logged_in(user)

    user.is_active = False
    user.save()

    assert client.get("/")["Location"] == "/login/?next=/"
    assert client.get("/campaigns/").status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(user):
    here, there = _logged_in(user), _logged_in(user)

    response = here.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "Xin#2026mima", "new_password2": "Xin#2026mima"}
    )

    assert response["Location"] == "/password/done/"
    assert here.get("/").status_code == 200
    assert there.get("/").status_code == 302
