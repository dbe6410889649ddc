"""The TOTP second factor: enrolment, verification, single use, the shared failure limit, reset."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import TOTPDevice
from accounts.policy import VERIFIED_KEY
from audit.models import Action, AuditEvent, Outcome
from orgs.policy import current_policy
from tests.factories import UserFactory
from tests.totp import log_in_with_totp, secret_from_page, usable_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PASSWORD = "Zhi@2026chan"


@pytest.fixture
def user(db):
    return UserFactory(username="li_wenjing")


def _password_step(client: Client, username: str = "li_wenjing", next_url: str = ""):
    response = client.post("/login/", {"username": username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    return client.get(response["Location"], follow=True)


def _events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk"))


def test_without_a_device_the_password_leads_to_the_enrolment_page(client, user):
    page = _password_step(client)
    html = page.content.decode()

    assert page.redirect_chain[-1][0] == "/account/2fa/enrol/?next=%2F"
    assert "绑定身份验证器" in html
    assert re.search(r"<svg[^>]*>.*<path", html, re.S), "no inline SVG QR code"
    assert "data:image" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script on the enrolment page"
    secret = secret_from_page(html)
    assert TOTPDevice.objects.get(user=user, confirmed_at__isnull=True).secret == secret
    assert 'aria-label="主菜单"' not in html  # no menu before the second factor


def test_enrolment_page_shows_the_same_secret_until_it_is_confirmed(client, user):
    first = secret_from_page(_password_step(client).content.decode())
    again = secret_from_page(client.get("/account/2fa/enrol/").content.decode())

    assert first == again
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_with_the_current_code_completes_the_login(client, user):
    secret = secret_from_page(_password_step(client, next_url="/campaigns/").content.decode())

    response = client.post("/account/2fa/enrol/", {"code": pyotp.TOTP(secret).now(), "next": "/campaigns/"})

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert client.get("/campaigns/").status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed_at is not None and device.revoked_at is None
    [enrolled] = _events(Action.SECURITY, detail__event="totp_enrolled")
    assert enrolled.username == "li_wenjing"
    [login] = _events(Action.LOGIN)
    assert login.username == "li_wenjing" and login.outcome == Outcome.SUCCESS


def test_a_wrong_code_is_refused_in_chinese_and_recorded(client, user):
    secret = secret_from_page(_password_step(client).content.decode())
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"

    response = client.post("/account/2fa/enrol/", {"code": wrong, "next": "/"})

    assert response.status_code == 200
    assert "验证码不正确或已使用" in response.content.decode()
    assert VERIFIED_KEY not in client.session
    assert client.get("/")["Location"].startswith("/account/2fa/enrol/")
    [failure] = _events(Action.SECURITY, detail__event="totp_failed")
    assert failure.outcome == Outcome.FAILURE and failure.username == "li_wenjing"
    assert wrong not in str(failure.detail)


def test_an_enrolled_user_is_asked_for_a_code_and_gets_in_with_it(user):
    log_in_with_totp(Client(), "li_wenjing", PASSWORD)
    client = Client()

    page = _password_step(client)

    assert page.redirect_chain[-1][0] == "/account/2fa/verify/?next=%2F"
    assert "totp-secret" not in page.content.decode()  # the secret is shown only while enrolling
    secret = TOTPDevice.objects.get(user=user).secret
    response = client.post("/account/2fa/verify/", {"code": usable_code(secret, "li_wenjing"), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_secret_is_encrypted_at_rest_and_still_verifies(user):
    from django.db import connection

    log_in_with_totp(Client(), "li_wenjing", PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]

    assert stored.startswith("enc:") and device.secret not in stored
    assert len(device.secret) >= 16  # the model still hands out the base32 secret
    client = Client()
    page = _password_step(client)
    assert page.redirect_chain[-1][0].startswith("/account/2fa/verify/")
    response = client.post("/account/2fa/verify/", {"code": usable_code(device.secret, "li_wenjing"), "next": "/"})
    assert response["Location"] == "/"


def test_a_code_is_good_once_replay_is_refused(user):
    first = Client()
    secret = secret_from_page(_password_step(first).content.decode())
    code = pyotp.TOTP(secret).now()
    assert first.post("/account/2fa/enrol/", {"code": code, "next": "/"}).status_code == 302
    step = TOTPDevice.objects.get(user=user).last_used_step
    if int(time.time() // 30) > step + 1:
        pytest.skip("the code left the drift window while the test ran")
    second = Client()
    _password_step(second)

    response = second.post("/account/2fa/verify/", {"code": code, "next": "/"})

    assert response.status_code == 200
    assert "验证码不正确或已使用" in response.content.decode()
    assert second.get("/")["Location"].startswith("/account/2fa/verify/")


def test_codes_from_outside_the_drift_window_are_refused(client, user):
    secret = secret_from_page(_password_step(client).content.decode())
    stale = pyotp.TOTP(secret).at(time.time() - 95)

    response = client.post("/account/2fa/enrol/", {"code": stale, "next": "/"})

    assert "验证码不正确或已使用" in response.content.decode()


def test_wrong_codes_count_toward_the_username_lockout(client, user):
    _password_step(client)
    for _ in range(current_policy().lockout_limit - 1):
        assert client.post("/account/2fa/enrol/", {"code": "000000", "next": "/"}).status_code == 200

    response = client.post("/account/2fa/enrol/", {"code": "000000", "next": "/"})

    assert response.status_code == 403
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session  # the half-done login is over
    again = Client().post("/login/", {"username": "li_wenjing", "password": PASSWORD})
    assert again.status_code == 403


def test_password_failures_and_code_failures_share_one_count(client, user):
    for _ in range(current_policy().lockout_limit - 1):
        Client().post("/login/", {"username": "li_wenjing", "password": "Wrong@2026x"})
    _password_step(client)  # the password is right, but the count stands until both factors pass

    response = client.post("/account/2fa/enrol/", {"code": "000000", "next": "/"})

    assert response.status_code == 403


def test_both_factors_reset_the_failure_count(user):
    for _ in range(current_policy().lockout_limit - 1):
        Client().post("/login/", {"username": "li_wenjing", "password": "Wrong@2026x"})
    log_in_with_totp(Client(), "li_wenjing", PASSWORD)

    for _ in range(current_policy().lockout_limit - 1):
        Client().post("/login/", {"username": "li_wenjing", "password": "Wrong@2026x"})

    assert Client().post("/login/", {"username": "li_wenjing", "password": PASSWORD}).status_code == 302


def test_the_verified_session_gets_a_new_key(client, user):
    secret = secret_from_page(_password_step(client).content.decode())
    before = client.session.session_key

    client.post("/account/2fa/enrol/", {"code": pyotp.TOTP(secret).now(), "next": "/"})

    assert client.session.session_key != before


def test_reset_totp_command_revokes_the_device_ends_sessions_and_is_audited(user):
    client = Client()
    log_in_with_totp(client, "li_wenjing", PASSWORD)
    old = TOTPDevice.objects.get(user=user)
    assert client.get("/").status_code == 200

    call_command("reset_totp", "li_wenjing", reason="手机丢失，本人电话申请", stdout=open("/dev/null", "w"))

    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoke_reason == "手机丢失，本人电话申请"  # kept, not deleted
    assert client.get("/")["Location"] == "/login/?next=/"
    [reset] = _events(Action.SECURITY, detail__event="totp_reset")
    assert reset.object_id == str(user.pk) and reset.detail["reason"] == "手机丢失，本人电话申请"
    page = _password_step(Client())
    assert page.redirect_chain[-1][0].startswith("/account/2fa/enrol/")
    assert secret_from_page(page.content.decode()) != old.secret


def test_reset_totp_command_refuses_an_unknown_user(user):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有用户名为 nobody 的用户"):
        call_command("reset_totp", "nobody", reason="测试")


def test_admin_action_resets_the_device(login, user):
    log_in_with_totp(Client(), "li_wenjing", PASSWORD)
    admin = login("admin")

    response = admin.post(
        "/admin/orgs/user/", {"action": "reset_totp", "_selected_action": [user.pk]}, follow=True
    )

    assert response.status_code == 200
    assert not TOTPDevice.objects.current().filter(user=user).exists()
    [reset] = _events(Action.SECURITY, detail__event="totp_reset")
    assert reset.username == "admin"
