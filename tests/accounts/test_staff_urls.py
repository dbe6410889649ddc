"""Every staff URL pattern refuses a session that has passed the password but not the second factor."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

from accounts.middleware import is_public
from accounts.policy import VERIFIED_KEY
from orgs.models import User

pytestmark = pytest.mark.django_db

CANDIDATES = ["1", "x", str(uuid.uuid4()), "pdf"]
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


def _sample(converter) -> str:
    """A value the converter accepts (custom converters included)."""
    for value in CANDIDATES:
        if re.fullmatch(converter.regex, value):
            return value
    raise AssertionError(f"no sample value for {converter!r}")


def _route_paths(patterns=None, prefix: str = ""):
    """An example path for each route pattern (regex patterns, the admin's app index, are skipped)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        converters = entry.pattern.converters
        route = PARAMETER.sub(lambda m, c=converters: _sample(c[m["name"]]), entry.pattern._route)
        if isinstance(entry, URLResolver):
            yield from _route_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


STAFF_PATHS = sorted({p for p in _route_paths() if not is_public(p) and not p.startswith("/account/2fa/")})


def test_the_walk_finds_the_staff_pages():
    assert len(STAFF_PATHS) > 60
    assert {"/", "/campaigns/", "/password/", "/admin/", "/status/"} <= set(STAFF_PATHS)
    for path in STAFF_PATHS:
        resolve(path)  # each example really is one of the site's URLs


@pytest.fixture
def unverified(db) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="office"))
    session = client.session
    del session[VERIFIED_KEY]
    session.save()
    return client


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_staff_url_sends_an_unverified_session_to_the_second_factor(unverified, method):
    refused = {}
    for path in STAFF_PATHS:
        response = getattr(unverified, method)(path)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith("/account/2fa/enrol/?next="):
            refused[path] = (response.status_code, location)

    assert refused == {}


def test_public_pages_stay_open_to_an_unverified_session(unverified):
    assert unverified.get("/gs/").status_code == 200
    assert unverified.get("/healthz").status_code == 200
    assert unverified.get("/account/2fa/enrol/").status_code == 200
    assert unverified.post("/logout/").status_code == 302
