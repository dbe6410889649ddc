"""Fixtures for the personal-data tests (PIPL; 等保2.0 三级): the demo users and a unit in 渝北区."""

import datetime as dt
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
def campaign(demo):
    return Campaign.objects.get(slug=LIVE_SLUG)


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def yubei(demo):
    return Organisation.objects.get(name="渝北区知识产权保护中心")


@pytest.fixture
def today():
    return dt.date.today()
