"""The back office (Django admin): every registered model opens, and grants go through the service."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_perms

from awards.models import Campaign
from orgs.models import Organisation, Role, RoleAssignment, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

OUR_APPS = {"auth", "orgs", "awards", "workdays", "core", "nominations", "reviews", "publicity", "documents"}
MODELS = sorted(
    f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry if m._meta.app_label in OUR_APPS
)


@pytest.fixture
def breakglass(client, django_user_model):
    """The break-glass superuser (createsuperuser): the only account that opens every admin page."""
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "Zhi@2026chan"))
    return client


def _url(label: str, suffix: str = "") -> str:
    app, model = label.split(".")
    return f"/admin/{app}/{model}/{suffix}"


def test_every_registered_model_is_covered():
    assert MODELS == [
        "auth.group",
        "awards.campaign",
        "awards.quota",
        "core.taskfailure",
        "core.taskrun",
        "core.workerheartbeat",
        "documents.documentbatch",
        "nominations.consultation",
        "nominations.importjob",
        "nominations.justification",
        "nominations.nomination",
        "nominations.partygroupdecision",
        "nominations.unitprocedure",
        "orgs.organisation",
        "orgs.roleassignment",
        "orgs.user",
        "publicity.notice",
        "publicity.objection",
        "reviews.capdecision",
        "reviews.formalmaterial",
        "reviews.meeting",
        "reviews.review",
        "reviews.vote",
        "workdays.holidayarrangement",
        "workdays.specialday",
    ]


def _model(label):
    return next(m for m in admin.site._registry if f"{m._meta.app_label}.{m._meta.model_name}" == label)


@pytest.mark.parametrize("label", MODELS)
def test_admin_changelist_and_add_pages_open(demo, breakglass, label):
    client = breakglass
    model_admin = admin.site._registry[_model(label)]

    assert client.get(_url(label)).status_code == 200
    # Records that change only through the services have no add page (403), the others open.
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="root")
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert client.get(_url(label, "add/")).status_code == expected


# Models the demo data fills; the others are covered by their changelist above.
WITH_DEMO_ROWS = [
    m for m in MODELS
    if m.split(".")[0] in {"awards", "orgs", "workdays"} or m in {"core.workerheartbeat"}
]


@pytest.mark.parametrize("label", [m for m in WITH_DEMO_ROWS if m != "core.workerheartbeat"])
def test_admin_change_and_history_pages_open(demo, breakglass, label):
    obj = _model(label).objects.order_by("pk").last()
    client = breakglass

    assert client.get(_url(label, f"{obj.pk}/change/")).status_code == 200
    assert client.get(_url(label, f"{obj.pk}/history/")).status_code == 200


def test_admin_campaign_page_shows_the_computed_cap_limits(demo, login):
    campaign = Campaign.objects.get(slug="cq-demo")

    content = login("admin").get(f"/admin/awards/campaign/{campaign.pk}/change/").content.decode()

    assert "上限（向下取整）" in content
    assert all(f"<p>{n}</p>" in content for n in (10, 15, 5)), "computed limits 10, 15, 5"


def test_admin_is_closed_to_staff_without_the_admin_flag(demo, login):
    response = login("office").get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_grant_goes_through_the_service_and_grants_the_permission(demo, breakglass):
    user = UserFactory()
    yubei = Organisation.objects.get(name="渝北区")

    response = breakglass.post(
        "/admin/orgs/roleassignment/add/", {"user": user.pk, "role": Role.SCREENER, "scope": yubei.pk}
    )

    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.scope, assignment.granted_by.username) == (
        Role.SCREENER,
        yubei,
        "root",
    )
    assert get_perms(user, yubei) == ["act_for_organisation"]


def test_admin_revoke_action_revokes_with_a_reason_and_removes_the_permission(demo, breakglass):
    assignment = RoleAssignment.objects.active().get(user__username="district_yubei")

    response = breakglass.post(
        "/admin/orgs/roleassignment/",
        {"action": "revoke", "_selected_action": [assignment.pk]},
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert assignment.revoke_reason == "由root在后台撤销"
    assert get_perms(User.objects.get(username="district_yubei"), assignment.scope) == []


def _changelist_queries(client, label: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_url(label)).status_code == 200
    return len(ctx)


# session, user, user's organisation, 2 counts, the page of rows (foreign keys joined) and at most
# 2 more for filters (the policy, scope roots and roles come from the cache, the session is not
# written within a minute of the last request): never a query per row.
ADMIN_CHANGELIST_MAX_QUERIES = 14


@pytest.mark.parametrize("label", [m for m in MODELS if m != "auth.group"])
def test_admin_changelist_query_count_is_small_and_does_not_grow_with_rows(demo, breakglass, tree, label):
    from awards.presets import apply_preset

    client = breakglass
    client.get(_url(label))
    small = _changelist_queries(client, label)

    # More rows of every kind: campaigns (with their quotas), organisations, users and grants.
    for i in range(3):
        apply_preset("tianjin-2022", tree=tree, slug=f"tj-extra-{i}")
        Organisation.objects.create(name=f"新单位{i}", parent=tree.cq_districts["渝北区"], level="unit")
        user = UserFactory(organisation=tree.cq_host)
        RoleAssignment.objects.create(user=user, role=Role.SCREENER, scope=tree.cq_districts["万州区"])
    client.get(_url(label))  # the grants changed: the policy and the viewer's roles are read again once
    large = _changelist_queries(client, label)

    assert large == small
    assert small <= ADMIN_CHANGELIST_MAX_QUERIES
