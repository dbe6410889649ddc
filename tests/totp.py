"""The second login step for tests that log in through the form (Django test client or Chromium).

A test plays the user's authenticator app: it reads the secret from the enrolment page (as the app
scans it) or, once enrolled, from the database, and computes the current code with pyotp. A code
is accepted once per 30-second step, so a second login within the same step uses the next step's
code (inside the one-step drift window) or waits for it.
"""

from __future__ import annotations

import re
import time

import pyotp

from accounts.models import TOTPDevice
from accounts.totp import DRIFT_STEPS

SUBMIT = re.compile(r"^(绑定并登录|验证并登录)$")


def secret_from_page(html: str) -> str:
    match = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")


def usable_code(secret: str, username: str | None = None) -> str:
    """A code the server will take now: not a step it has already accepted for this user."""
    totp = pyotp.TOTP(secret)
    last = 0
    if username is not None:
        device = TOTPDevice.objects.current().filter(user__username=username).first()
        last = device.last_used_step if device else 0
    while True:
        now_step = int(time.time() // totp.interval)
        step = max(now_step, last + 1)
        if step <= now_step + DRIFT_STEPS:
            return totp.generate_otp(step)
        time.sleep(1)


def secret_of(username: str) -> str:
    return TOTPDevice.objects.current().get(user__username=username).secret


def log_in_with_totp(client, username: str, password: str, next_url: str = ""):
    """Password, then the code: the client ends up with a verified session. Returns the last response."""
    response = client.post("/login/", {"username": username, "password": password, "next": next_url})
    assert response.status_code == 302, f"{username}: password step failed"
    page = client.get(response["Location"], follow=True)
    url = page.redirect_chain[-1][0].split("?")[0] if page.redirect_chain else ""
    assert url.startswith("/account/2fa/"), f"{username}: no second-factor step ({url})"
    secret = secret_from_page(page.content.decode()) if url.endswith("/enrol/") else secret_of(username)
    return client.post(url, {"code": usable_code(secret, username), "next": page.context["next"]})


def pass_two_factor(page, username: str) -> None:
    """Playwright page on the 2FA step after the password: type the code as the user would."""
    page.wait_for_url(re.compile(r"/account/2fa/(enrol|verify)/"))
    if "/enrol/" in page.url:
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    else:
        secret = secret_of(username)
    page.get_by_label("验证码").fill(usable_code(secret, username))
    with page.expect_navigation():
        page.get_by_role("button", name=SUBMIT).click()
