"""Headless Chromium through Playwright against pytest-django's live server.

Chromium is the Debian package at /usr/bin/chromium (``playwright install`` cannot download
browsers here). Without it the browser tests skip, unless ``REQUIRE_BROWSER=1`` (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module; Playwright stops (and its event loop with it) when the module ends."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is absent")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("playwright is not installed")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
        # refuse the fixtures' queries as "called from an async context". Set only while it runs:
        # in the environment it would leak into subprocesses (``check --deploy`` flags it).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
        finally:
            playwright.stop()


@pytest.fixture
def live_demo(transactional_db, live_server, demo_logins):
    """The demo data, committed so the live server's thread sees it; returns the logins."""
    return demo_logins


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(width=1280, height=900)`` → a page in a fresh context (no cookies, no storage)."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in(live_server):
    """Log in through the form, as a user would: type, click 登录, enter the authenticator code
    (enrolling on the first login, tests/totp.py), wait for the home page."""
    from core.demo import DEMO_PASSWORD
    from tests.totp import pass_two_factor

    def run(page, username: str, password: str = DEMO_PASSWORD):
        page.goto("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        pass_two_factor(page, username)
        page.wait_for_url(f"{live_server.url}/")
        return page

    return run
