"""Fixtures for the nomination pages (the demo data is loaded once per session: tests/conftest.py)."""

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
def org(demo):
    def get(name, parent=None):
        qs = Organisation.objects.filter(name=name)
        if parent:
            qs = qs.filter(parent__name=parent)
        return qs.get()

    return get


@pytest.fixture
def yubei(org):
    return org("渝北区知识产权保护中心")


@pytest.fixture
def login(client, users):
    def as_(username):
        client.force_login(users[username])
        return users[username]

    return as_


@pytest.fixture
def today():
    return dt.date.today()


@pytest.fixture
def yubei_quota(campaign):
    return campaign.quotas.get(organisation__name="渝北区", parent__isnull=True)


@pytest.fixture
def spb_quota(campaign):
    return campaign.quotas.get(organisation__name="沙坪坝区", parent__isnull=True)
