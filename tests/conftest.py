"""Shared test set-up.

The demo data (reference tree, presets, live campaign, demo logins) is loaded once into the test
database when it is created; each test runs inside a transaction that is rolled back, so it sees
the same data. Transactional tests (browser, worker) flush the database at their end; the ``demo``
fixture loads it again when it is gone.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from core.demo import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db):
    from awards.models import Campaign
    from core.demo import LIVE_SLUG, load_demo

    if not Campaign.objects.filter(slug=LIVE_SLUG).exists():
        load_demo()
