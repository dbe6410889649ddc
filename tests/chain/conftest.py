import shutil
import tempfile

import pytest

from awards.models import Campaign
from core.demo import LIVE_SLUG
from orgs.models import Organisation, User


@pytest.fixture(autouse=True)
def media_root(settings):
    path = tempfile.mkdtemp(prefix="media-")
    settings.MEDIA_ROOT = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def demo(db):
    if not Campaign.objects.filter(slug=LIVE_SLUG).exists():
        from core.demo import load_demo

        load_demo()


@pytest.fixture
def campaign(demo):
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
