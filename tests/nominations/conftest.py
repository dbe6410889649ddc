"""Fixtures for the nomination pages.

The demo data (reference tree, presets, demo logins) takes seconds to load, so it is loaded once
per module inside a transaction that is rolled back when the module ends; each test runs in a
savepoint inside it (pytest-django's ``db``), so tests still see a clean copy every time.
"""

import datetime as dt
import shutil
import tempfile

import pytest
from django.db import transaction

from awards.models import Campaign
from core.demo import LIVE_SLUG, load_demo
from orgs.models import Organisation, User


@pytest.fixture(autouse=True)
def media_root(settings):
    path = tempfile.mkdtemp(prefix="media-")
    settings.MEDIA_ROOT = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_data, db):
    return None


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
