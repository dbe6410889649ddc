"""The permission matrix, generated from the URL configuration.

Every demo login × every staff URL that names an object × an object of another unit/district
(tests/security/worlds.py) → 403 or 404, on GET and on POST, and a POST changes nothing. Every
staff page without an object never shows the other unit's nominee. A URL pattern the walk cannot
fill must be listed in ``NOT_IN_MATRIX`` with its reason; a new pattern that is neither fails the
test, so the matrix cannot go stale. ``test_owners_reach_every_object`` is the control: the same
URLs open for the object's own unit, district or office, so a refusal here is a refusal.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from orgs.models import User

from .urlwalk import Route, walk
from .worlds import World, build

pytestmark = pytest.mark.django_db

# Which world object a ``pk`` stands for, by URL name.
PK_OBJECT = {
    "orgs:organisation_detail": "unit",
    "nominations_io:job": "job",
    "nominations_io:job_progress": "job",
    "nominations:detail": "nomination",
    "nominations:edit": "nomination",
    "nominations:justify": "nomination",
    "nominations:resubmit": "nomination",
    "nominations:reveal": "nomination",
    "nominations:photo": "nomination",
    "nominations:procedure_minutes": "procedure",
    "nominations:consultations": "nomination",
    "nominations:consultation_form_file": "nomination",
    "publicity:notice_detail": "notice",
    "publicity:notice_correct": "notice",
    "publicity:objection_detail": "objection",
    "publicity:objection_attachment": "objection",
    "documents:nomination": "nomination",
    "documents:nomination_file": "nomination",
    "documents:batch": "batch",
    "documents:batch_progress": "batch",
    "documents:batch_download": "batch",
    "documents:notice_pdf": "notice",
    "reviews:police_form": "review",
    "reviews:meeting_minutes": "meeting",
    "reviews:materials": "review",
    "reviews:material_file": "material",
}
# Other keyword arguments that carry an object of the world.
OBJECT_KWARGS = {"slug": "campaign", "unit_pk": "unit", "quota_id": "quota", "quota_pk": "quota", "org_pk": "quota_org"}
# Keyword arguments that name no object: one valid value each.
LITERAL_KWARGS = {"category": "individual", "department": "personnel", "form": "approval", "ext": "pdf",
                  "scope": "district", "key": "initial_review", "action": "start", "field": "id_number"}

# Open to everyone by design: the public personal-data scan covers them (not this matrix).
PUBLIC = {"login", "logout", "healthz", "documents:public_notice_pdf"}
PUBLIC_NAMESPACES = {"public"}
NOT_IN_MATRIX = {
    "publicity:failure_resolve": "a failed background task belongs to no unit; the can_see_failures gate has its own tests",
    "security:revoke": "a role grant, revoked only by a security administrator inside its scope; tests/security/test_duties.py",
    "admin:*": "Django admin: only is_staff accounts (the superuser) pass its own gate; tests/core/test_admin.py",
}
# Whose scope covers the whole country: no object is of another unit for them.
NATIONWIDE = {"nat_office": "全国领导小组办公室: scope 全国", "admin": "系统管理员: scope 全国"}
# 三员分立: refused every business URL whatever the object (tests/security/test_duties.py matrix).
ADMINISTRATORS = {"secadmin": "安全管理员: no business page at all"}
ROLES = {
    # Below the city level: 九龙坡区 is another district for each of them.
    "jlp": ["unit_yubei", "unit_police", "district_yubei", "district_spb", "dept_market", "consult_police"],
    # Tianjin is outside every Chongqing login, the office's too.
    "tj": ["unit_yubei", "unit_police", "district_yubei", "district_spb", "dept_market", "consult_police",
           "office", "member_liu", "auditor"],
}
# A POST with the fields the state-changing forms ask for, so a missing check would act.
POST_DATA = {"reason": "矩阵测试", "text": "矩阵测试：核查情况属实。", "comment": "矩阵测试", "confirm": "1", "answer": "no_objection",
             "answered_on": "2026-01-05", "upheld": "", "conclusion": "矩阵测试", "public_reply": "矩阵测试", "outcome": "pass"}


def _staff_routes() -> list[Route]:
    return [r for r in walk() if r.name not in PUBLIC and r.namespace not in PUBLIC_NAMESPACES
            and r.name not in NOT_IN_MATRIX and f"{r.namespace}:*" not in NOT_IN_MATRIX]


def _fill(route: Route, world: World) -> str | None:
    """The URL of ``route`` on the world's objects; None when it names no object of the world."""
    values, objects = {}, set()
    for name in route.kwargs:
        if name == "pk":
            objects.add(PK_OBJECT[route.name])
            values[name] = getattr(world, PK_OBJECT[route.name]).pk
        elif name in OBJECT_KWARGS:
            kind = OBJECT_KWARGS[name]
            objects.add(kind)
            values[name] = world.campaign.slug if kind == "campaign" else (
                world.quota.organisation_id if kind == "quota_org" else getattr(world, kind).pk)
        else:
            values[name] = LITERAL_KWARGS[name]
    if world.campaign_is_shared and objects <= {"campaign"}:
        return None  # the campaign alone is not another unit's
    return reverse(route.name, kwargs=values)


def test_every_url_pattern_is_in_the_matrix_or_listed_with_a_reason():
    unknown = []
    for route in _staff_routes():
        for name in route.kwargs:
            if name == "pk" and route.name not in PK_OBJECT:
                unknown.append(f"{route.name} ({route.route}): which object is pk?")
            elif name != "pk" and name not in OBJECT_KWARGS and name not in LITERAL_KWARGS:
                unknown.append(f"{route.name} ({route.route}): unknown argument {name}")
    assert not unknown, "add these to the permission matrix or to NOT_IN_MATRIX with a reason:\n" + "\n".join(unknown)
    names = {r.name for r in walk()}
    stale = [n for n in [*PK_OBJECT, *NOT_IN_MATRIX, *PUBLIC] if n not in names and not n.endswith(":*")]
    assert not stale, f"listed but gone from the URL configuration: {stale}"


@pytest.fixture(params=["jlp", "tj"])
def world(request, demo, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build(request.param)


def _snapshot(world: World) -> dict:
    """Every world object's row, and the row count of every table a state change would write."""
    rows = {f"{type(o).__name__}:{o.pk}": type(o).objects.filter(pk=o.pk).values().get() for o in world.objects()}
    counted = ("orgs", "awards", "nominations", "publicity", "reviews", "documents", "core")
    counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in counted}
    return {"rows": rows, "counts": counts}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("username", sorted(set(ROLES["jlp"]) | set(ROLES["tj"])))
def test_no_role_reaches_an_object_of_another_unit(world, username):
    if username not in ROLES[world.key]:
        pytest.skip(f"{world.key}'s objects are inside {username}'s scope")
    client = _client(username)
    before = _snapshot(world)
    leaks, checked = [], 0
    for route in _staff_routes():
        if not route.kwargs:
            continue
        url = _fill(route, world)
        if url is None:
            continue
        checked += 1
        got = client.get(url)
        if got.status_code not in (403, 404, 405):  # 405: a POST-only view; its POST is checked next
            leaks.append(f"GET {url} ({route.name}) → {got.status_code}")
        posted = client.post(url, POST_DATA)
        if posted.status_code not in (403, 404, 405):
            leaks.append(f"POST {url} ({route.name}) → {posted.status_code}")
    after = _snapshot(world)
    assert checked >= (20 if world.campaign_is_shared else 50), checked
    assert not leaks, f"{username} reached {world.key}'s objects:\n" + "\n".join(leaks)
    changed = {k: (v, after["rows"].get(k)) for k, v in before["rows"].items() if after["rows"].get(k) != v}
    assert not changed, f"{username}'s POSTs changed {world.key}'s objects: {changed}"
    grew = {k: (v, after["counts"][k]) for k, v in before["counts"].items() if after["counts"][k] != v}
    assert not grew, f"{username}'s POSTs wrote rows: {grew}"


@pytest.mark.parametrize("username", sorted(set(ROLES["jlp"]) | set(ROLES["tj"])))
def test_no_page_without_an_object_shows_another_units_nominee(world, username):
    if username not in ROLES[world.key]:
        pytest.skip(f"{world.key}'s objects are inside {username}'s scope")
    client = _client(username)
    shown = []
    for route in _staff_routes():
        if route.kwargs or route.name == "logout":
            continue
        response = client.get(reverse(route.name))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if world.marker.encode() in body or world.objection.objector_name.encode() in body:
            shown.append(f"{route.name} → {response.status_code}")
    assert not shown, f"{username} sees {world.key}'s nominee on: {shown}"


def test_owners_reach_every_object(world):
    """The control: each URL of the matrix opens (not 403/404) for the world's own unit, district or office."""
    clients = {role: _client(user.username) for role, user in world.home.items()}
    unreachable = []
    for route in _staff_routes():
        if not route.kwargs:
            continue
        url = _fill(route, world)
        if url is None:
            continue
        codes = {role: c.get(url).status_code for role, c in clients.items()}
        if not any(code not in (403, 404) for code in codes.values()):
            unreachable.append(f"{route.name} {url} {codes}")
    assert not unreachable, "objects the matrix refuses that even their owners cannot open:\n" + "\n".join(unreachable)



def test_every_demo_login_is_in_the_matrix_or_nationwide(demo):
    """A new demo login must be placed: in ROLES (with the worlds outside its scope) or in NATIONWIDE."""
    placed = set(ROLES["jlp"]) | set(ROLES["tj"]) | set(NATIONWIDE) | set(ADMINISTRATORS)
    assert set(demo) == placed
