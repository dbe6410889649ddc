"""Security headers: the CSP and friends everywhere; HSTS and secure cookies under the production settings."""

from __future__ import annotations

import base64
import importlib
import sys

import pytest
from django.test import Client

from accounts.policy import LAST_SEEN_KEY
from core.middleware import CONTENT_SECURITY_POLICY
from orgs.models import User

pytestmark = pytest.mark.django_db

EXPECTED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def test_the_policy_allows_no_inline_script_or_style():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/login/", "/gs/", "/healthz", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_a_logged_in_page_carries_the_policy_too(demo, login):
    response = login("office").get("/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == EXPECTED_CSP


@pytest.fixture
def production(settings, monkeypatch):
    """The security settings of config.settings.production, applied to this test's settings."""
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "awards.example.gov.cn")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "k1:" + base64.b64encode(b"k" * 32).decode())
    sys.modules.pop("config.settings.production", None)
    module = importlib.import_module("config.settings.production")
    try:
        for name in dir(module):
            if name.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "X_FRAME", "CSRF_TRUSTED")) or name == "ALLOWED_HOSTS":
                setattr(settings, name, getattr(module, name))
        yield module
    finally:
        sys.modules.pop("config.settings.production", None)


def test_production_sends_hsts_over_https(production):
    response = Client().get("/login/", secure=True, HTTP_HOST="awards.example.gov.cn")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


def test_production_redirects_plain_http_to_https(production):
    response = Client().get("/login/", HTTP_HOST="awards.example.gov.cn")
    assert response.status_code == 301
    assert response["Location"] == "https://awards.example.gov.cn/login/"


def test_production_behind_the_proxy_takes_https_from_the_forwarded_header(production):
    response = Client().get("/login/", HTTP_HOST="awards.example.gov.cn", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_production_session_cookie_is_secure_httponly_and_same_site(production, demo, settings):
    settings.SESSION_SEEN_REFRESH_SECONDS = 60
    browser = Client()
    browser.force_login(User.objects.get(username="office"))
    session = browser.session
    session[LAST_SEEN_KEY] -= 120  # a request that renews the session, so the response sets its cookie
    session.save()
    response = browser.get("/", secure=True, HTTP_HOST="awards.example.gov.cn")
    assert response.status_code == 200
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
