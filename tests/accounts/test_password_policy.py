"""Passwords expire after 90 days; the change page explains why; the new one must differ."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit.models import Action, AuditEvent
from orgs.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PASSWORD = "Zhi@2026chan"


@pytest.fixture
def user(db):
    return UserFactory(username="li_wenjing")


def _aged(user, days: float) -> Client:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=days))
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_the_rule_is_90_days():
    assert settings.PASSWORD_MAX_AGE_DAYS == 90


def test_a_new_password_starts_the_clock(user):
    assert timezone.now() - user.password_changed_at < dt.timedelta(minutes=1)


def test_a_password_younger_than_90_days_is_fine(user):
    assert _aged(user, 89.9).get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/campaigns/", "/nominations/", "/admin/"])
def test_after_90_days_every_staff_url_leads_to_the_password_change(user, path):
    client = _aged(user, 90)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/password/?next=")


def test_the_change_page_explains_in_chinese(user):
    content = _aged(user, 91).get("/password/").content.decode()

    assert "您的密码已使用超过 90 天" in content
    assert "不能与当前密码相同" in content


def test_the_public_pages_and_logout_stay_reachable(user):
    client = _aged(user, 91)

    assert client.get("/gs/").status_code == 200
    assert client.post("/logout/")["Location"] == "/login/"


def test_changing_the_password_resets_the_clock_and_is_recorded(user):
    client = _aged(user, 91)

    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "Xin#2026mima", "new_password2": "Xin#2026mima"}
    )

    assert response["Location"] == "/password/done/"
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert timezone.now() - user.password_changed_at < dt.timedelta(minutes=1)
    [event] = AuditEvent.objects.filter(action=Action.SECURITY, detail__event="password_changed")
    assert event.username == "li_wenjing" and "Xin#2026mima" not in str(event.detail)


def test_the_new_password_must_differ_from_the_current_one(user):
    client = _aged(user, 91)

    response = client.post("/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in response.content.decode()
    assert client.get("/").status_code == 302  # still expired


def test_the_common_passwords_are_refused_on_the_change_page(login, user):
    client = login("li_wenjing")

    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "P@ssw0rd", "new_password2": "P@ssw0rd"}
    )

    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode()


def test_loading_the_demo_gives_its_users_a_fresh_date(demo):
    from core.demo import load_demo

    User.objects.filter(username="office").update(password_changed_at=timezone.now() - dt.timedelta(days=400))

    load_demo()

    assert timezone.now() - User.objects.get(username="office").password_changed_at < dt.timedelta(minutes=1)


def test_a_hash_upgrade_on_login_is_not_a_password_change(user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=30))
    stamp = User.objects.get(pk=user.pk).security_stamp

    client = Client()
    client.post("/login/", {"username": "li_wenjing", "password": PASSWORD})

    assert client.get("/")["Location"].startswith("/account/2fa/")  # the session survived the re-hash
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")  # re-hashed ...
    assert timezone.now() - user.password_changed_at > dt.timedelta(days=29)  # ... but not changed
    assert user.security_stamp == stamp
