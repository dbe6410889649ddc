import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from awards.models import Campaign
from core.demo import LIVE_SLUG
from orgs.models import Organisation, User

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(autouse=True)
def media_root(settings):
    path = tempfile.mkdtemp(prefix="media-")
    settings.MEDIA_ROOT = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def calendar(db):
    """The official calendar is seeded by a migration; a transactional test's flush removes it."""
    from workdays.models import HolidayArrangement
    from workdays.services import seed_from_package

    if not HolidayArrangement.objects.exists():
        seed_from_package()


@pytest.fixture
def campaign(demo, calendar):
    return Campaign.objects.get(slug=LIVE_SLUG)


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def org(demo):
    return lambda name: Organisation.objects.get(name=name)


@pytest.fixture
def screenshots() -> Path:
    path = Path(settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (REQUIRE_BROWSER=1)")
        pytest.skip(f"{CHROMIUM} not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
