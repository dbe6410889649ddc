"""The session and the user of a request, read through the shared cache (accounts.session_store,
accounts.backends): no query on a repeat request, and no change of the rows missed."""

from __future__ import annotations

import datetime as dt
import pickle
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import session_store
from accounts.backends import CachedModelBackend
from core import localcache, versions
from orgs.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


@pytest.fixture
def user(db):
    return UserFactory(username="li_wenjing", full_name="李文静", phone="023-61234567")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    return client


def _row_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith("SELECT") and ('"django_session"' in q["sql"] or 'FROM "orgs_user"' in q["sql"])]


def test_a_repeat_request_reads_neither_the_session_row_nor_the_user_row(user):
    client = _logged_in(user)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    assert _row_reads(queries) == []


def test_a_deleted_session_row_is_not_served_from_the_copy(user):
    client = _logged_in(user)
    key = client.session.session_key
    assert session_store.SessionStore(key).load()[SESSION_KEY] == str(user.pk)

    Session.objects.filter(session_key=key).delete()  # a queryset delete (clearsessions) sends the signal too

    assert session_store.SessionStore(key).load() == {}
    assert client.get("/")["Location"] == "/login/?next=/"


def test_a_copy_read_before_a_change_of_the_row_is_never_served(user):
    """A request reads the row, a logout deletes it, the request then stores what it read: the copy
    carries the version read before the row, which the delete has moved on."""
    client = _logged_in(user)
    key = client.session.session_key
    name = session_store.version_name(key)
    before = versions.versions(name)[name]
    data = session_store.SessionStore(key).load()
    Session.objects.get(session_key=key).delete()

    cache.set(session_store._copy_key(key), (before, time.time() + 600, data), 600)  # the late writer

    assert session_store.SessionStore(key).load() == {}


def test_a_copy_past_the_rows_expiry_is_not_served(user, monkeypatch):
    client = _logged_in(user)
    key = client.session.session_key
    assert session_store.SessionStore(key).load()  # the copy is there
    expires = Session.objects.get(session_key=key).expire_date.timestamp()

    later = expires + 1
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime.fromtimestamp(later, tz=dt.UTC))

    with CaptureQueriesContext(connection) as queries:
        assert session_store.SessionStore(key).load() == {}
    assert _row_reads(queries)  # the copy was passed over for the row


def test_the_copy_of_the_user_holds_neither_password_hash_nor_phone(user):
    client = _logged_in(user)
    version = versions.versions(f"user:{user.pk}")[f"user:{user.pk}"]
    body = localcache.get(f"{settings.APP_CACHE_PREFIX}user:{user.pk}:{version}")
    assert body is not None
    values, session_hash = pickle.loads(body)

    assert "password" not in values and "phone" not in values
    assert user.password.encode() not in body and b"61234567" not in body
    assert session_hash == User.objects.get(pk=user.pk).get_session_auth_hash()
    # And the session still verifies against it, with no query for the user.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert _row_reads(queries) == []


def test_a_user_read_from_the_copy_loads_the_left_out_fields_when_asked(user):
    _logged_in(user)
    copy = CachedModelBackend().get_user(user.pk)

    assert copy.full_name == "李文静"
    assert copy.phone == "023-61234567"  # deferred: read from the row
    assert copy.password == User.objects.get(pk=user.pk).password


def test_a_saved_change_of_the_user_shows_on_the_next_request(user):
    client = _logged_in(user)
    assert "李文静" in client.get("/").content.decode()

    user.full_name = "李文清"
    user.save()

    assert "李文清" in client.get("/").content.decode()


def test_a_new_security_stamp_written_by_update_ends_the_session(user):
    from accounts.policy import end_all_sessions

    client = _logged_in(user)
    client.get("/")

    end_all_sessions(User.objects.get(pk=user.pk))  # queryset update(): no signal; it moves the version itself

    assert client.get("/")["Location"] == "/login/?next=/"


def test_a_made_up_session_key_leaves_nothing_in_the_cache(db):
    key = "x" * 32

    assert session_store.SessionStore(key).load() == {}
    assert cache.get(versions.key(session_store.version_name(key))) is None
    assert cache.get(session_store._copy_key(key)) is None
