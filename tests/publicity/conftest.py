import shutil
import tempfile

import pytest
from django.core.cache import cache

from awards.models import Campaign
from core.demo import LIVE_SLUG
from orgs.models import Organisation, User


@pytest.fixture(autouse=True)
def media_root(settings):
    path = tempfile.mkdtemp(prefix="media-")
    settings.MEDIA_ROOT = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate counters, the public version and cached pages must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def quick_fill(settings):
    # The minimum fill time has its own test; elsewhere forms are posted at once.
    settings.OBJECTION_MIN_FILL_SECONDS = 0


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
    def get(name, parent=None):
        qs = Organisation.objects.filter(name=name)
        if parent:
            qs = qs.filter(parent__name=parent)
        return qs.get()

    return get
