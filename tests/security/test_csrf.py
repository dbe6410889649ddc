"""CSRF on every state change: a POST without the token is refused on every URL of the site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .test_permission_matrix import LITERAL_KWARGS, PK_OBJECT
from .urlwalk import walk
from .worlds import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build("jlp")


def _url(route, world) -> str:
    """The route on the world's own objects (its owners may act on them)."""
    values = {}
    for name in route.kwargs:
        if name == "pk":
            values[name] = getattr(world, PK_OBJECT[route.name]).pk if route.name in PK_OBJECT else 1
        elif name == "slug":
            values[name] = world.campaign.slug
        elif name in ("unit_pk",):
            values[name] = world.unit.pk
        elif name in ("quota_id", "quota_pk"):
            values[name] = world.quota.pk
        elif name == "org_pk":
            values[name] = world.quota.organisation_id
        elif name == "code":
            values[name] = "ABCDEFGH"
        elif name in LITERAL_KWARGS:
            values[name] = LITERAL_KWARGS[name]
        else:
            values[name] = "1"
    return reverse(route.name, kwargs=values)


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


@pytest.mark.parametrize("role", ["unit", "screener", "office", "member"])
def test_every_post_without_a_token_is_refused(world, role):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.home[role])
    browser.get(reverse("home"))  # a page with a form: the browser holds the CSRF cookie, not the token
    accepted = []
    # The security pages belong to the security administrator (三员分立): they refuse business roles
    # before the CSRF check; test_the_security_pages_refuse_a_post_without_a_token covers them.
    routes = [r for r in walk() if not r.name.startswith(("admin:", "security:"))]
    for route in routes:
        url = _url(route, world)
        response = browser.post(url, {"reason": "测试", "text": "测试"})
        if not _is_csrf_refusal(response):
            accepted.append(f"{route.name} {url} → {response.status_code}")
    assert len(routes) > 80
    assert not accepted, "POST without a CSRF token not refused:\n" + "\n".join(accepted)


def test_the_security_pages_refuse_a_post_without_a_token(world):
    from orgs.models import User

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.get(username="secadmin"))
    browser.get(reverse("home"))
    routes = [r for r in walk() if r.name.startswith("security:")]
    accepted = []
    for route in routes:
        url = _url(route, world)
        response = browser.post(url, {"reason": "测试", "text": "测试"})
        if not _is_csrf_refusal(response):
            accepted.append(f"{route.name} {url} → {response.status_code}")
    assert len(routes) >= 3
    assert not accepted, "POST without a CSRF token not refused:\n" + "\n".join(accepted)


def test_a_post_with_the_token_passes_the_check(world):
    """The control: the refusals above are the CSRF check, not the view."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.home["office"])
    browser.get(reverse("home"))
    token = browser.cookies["csrftoken"].value
    response = browser.post(reverse("publicity:notifications"), {"csrfmiddlewaretoken": token})
    assert not _is_csrf_refusal(response)


def test_public_objection_without_a_token_is_refused(world):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("public:objection", args=[world.notice.pk]),
                            {"entry": world.notice.entries.get().pk, "name": "王某", "contact": "023-61234567",
                             "facts": "该同志事迹材料与实际情况不符，请予核实。"})
    assert _is_csrf_refusal(response)
    assert world.notice.objections.count() == 1  # the world's own


def test_login_without_a_token_is_refused(demo):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "office", "password": "Demo@2026"})
    assert _is_csrf_refusal(response)
    assert "_auth_user_id" not in browser.session


def test_admin_login_without_a_token_is_refused(demo):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("admin:login"), {"username": "admin", "password": "Demo@2026"})
    assert _is_csrf_refusal(response)
