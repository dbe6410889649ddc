"""Shared test set-up.

The demo data (calendar, reference tree, presets, live campaign, demo logins) is loaded once into
the test database when it is created; each test runs inside a transaction that is rolled back,
so it sees the same data. A transactional test (browser, worker, concurrency) flushes the
database at its end, which also removes the calendar the migrations seeded; the next database
test loads everything again (``_data_after_flush``).
"""

import pytest


def _ensure_demo() -> None:
    from awards.models import Campaign
    from core.demo import LIVE_SLUG, load_demo

    if not Campaign.objects.filter(slug=LIVE_SLUG).exists():
        load_demo()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_demo()


@pytest.fixture(autouse=True)
def _data_after_flush(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in names or "live_server" in names or bool(marker and marker.kwargs.get("transaction"))
    if transactional:
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    _ensure_demo()


@pytest.fixture
def demo(db):
    _ensure_demo()
