"""三员分立 (等保2.0 第三级): the three administrators' limits, the database rule, the own-unit conflict."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import get_perms

from audit.models import Action, AuditEvent
from awards.models import Campaign, Quota
from nominations import services as nomination_services
from nominations.models import Nomination
from orgs.models import Organisation, Role, RoleAssignment, SecurityPolicy, User
from orgs.policy import current_policy, settings_policy
from orgs.services import (
    OrgError,
    create_account,
    grant_role,
    reset_password,
    revoke_role,
    set_account_active,
    set_policy,
)
from reviews import services as review_services
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

ADMINS = ("admin", "secadmin", "auditor")


def _org(name: str) -> Organisation:
    return Organisation.objects.filter(name=name).get()


def _urls():
    unit = _org("渝北区知识产权保护中心")
    quota = Quota.objects.get(campaign__slug="cq-demo", organisation__name="渝北区", parent__isnull=True)
    return unit, quota


# --- the matrix: each administrator × business pages and actions, admin pages, security pages -------

# (method, url template, {username: expected status or "ok" for "not refused"})
REFUSED, OK = 403, "ok"
MATRIX = [
    # Business pages (read): the system and security administrators do no business work; the auditor reads.
    ("get", "/nominations/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/nominations/c/cq-demo/u/{unit}/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/nominations/screening/{quota}/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/nominations/io/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/reviews/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/reviews/cq-demo/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/publicity/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/documents/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/campaigns/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/campaigns/cq-demo/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    ("get", "/orgs/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": OK}),
    # Business actions (write): refused to all three.
    ("post", "/nominations/c/cq-demo/u/{unit}/new/collective/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("post", "/nominations/c/cq-demo/u/{unit}/ranking/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("post", "/nominations/screening/{quota}/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("post", "/reviews/cq-demo/stages/initial_review/start/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("post", "/reviews/cq-demo/vote/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("post", "/publicity/failures/1/resolve/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("post", "/nominations/io/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    # The back office: accounts and configuration are the system administrator's, nothing else.
    ("get", "/admin/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/orgs/user/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/orgs/user/add/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/awards/campaign/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/workdays/holidayarrangement/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/core/taskfailure/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/orgs/roleassignment/", {"admin": 200, "secadmin": REFUSED, "auditor": REFUSED}),  # read only
    ("get", "/admin/orgs/roleassignment/add/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/auth/group/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/nominations/nomination/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/reviews/review/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/reviews/vote/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/publicity/notice/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/admin/documents/documentbatch/", {"admin": REFUSED, "secadmin": REFUSED, "auditor": REFUSED}),
    ("get", "/status/", {"admin": 200, "secadmin": 404, "auditor": 404}),
    # Grants and the security policy are the security administrator's.
    ("get", "/security/", {"admin": REFUSED, "secadmin": 200, "auditor": REFUSED}),
    ("get", "/security/policy/", {"admin": REFUSED, "secadmin": 200, "auditor": REFUSED}),
    ("post", "/security/grant/", {"admin": REFUSED, "secadmin": 400, "auditor": REFUSED}),
    # The audit trail is the auditor's alone (its pages are another change; the refusal is here).
    ("get", "/audit/", {"admin": REFUSED, "secadmin": REFUSED}),
]


def _cases():
    for method, url, expected in MATRIX:
        for username, status in expected.items():
            yield pytest.param(method, url, username, status, id=f"{username}-{method}-{url}")


@pytest.mark.parametrize(("method", "url", "username", "expected"), list(_cases()))
def test_three_administrators_limits(demo, login, method, url, username, expected):
    unit, quota = _urls()
    response = getattr(login(username), method)(url.format(unit=unit.pk, quota=quota.pk))

    if expected == OK:
        assert response.status_code != 403, response.content.decode()[:300]
    else:
        assert response.status_code == expected
    if expected == REFUSED and not (username == "admin" and url.startswith("/admin/")):
        # Refused by orgs/duties.py with its reason (the admin site's own refusals carry none).
        assert "三员分立" in response.content.decode()


@pytest.mark.parametrize("username", ["office", "unit_yubei", "district_yubei", "member_liu"])
def test_business_users_cannot_reach_the_security_pages(demo, login, username):
    client = login(username)
    for url in ("/security/", "/security/policy/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "只有安全管理员" in response.content.decode()


@pytest.mark.parametrize("username", ADMINS)
def test_administrators_menu_shows_no_business_entries(demo, login, username):
    content = login(username).get("/").content.decode()
    shown = "评选表彰活动" in content and "公示与异议" in content
    assert shown is (username == "auditor")
    assert ("授权与安全策略" in content) is (username == "secadmin")


def test_demo_administrators_are_not_superusers(demo):
    users = {u.username: u for u in User.objects.filter(username__in=ADMINS)}
    assert [users[n].is_superuser for n in ADMINS] == [False, False, False]
    assert (users["admin"].is_staff, users["secadmin"].is_staff, users["auditor"].is_staff) == (True, False, False)
    assert demo["secadmin"].role == Role.SECURITY_ADMIN


def test_system_and_security_administrators_have_no_scope_over_business_data(demo):
    nation = Organisation.objects.get(parent__isnull=True, name="全国知识产权系统")
    for name in ("admin", "secadmin"):
        assert get_perms(User.objects.get(username=name), nation) == []


# --- services: the same limits without the pages ----------------------------------------------------


@pytest.mark.parametrize("username", ADMINS)
def test_business_services_refuse_the_administrators(demo, username):
    actor = User.objects.get(username=username)
    campaign = Campaign.objects.get(slug="cq-demo")
    unit = _org("渝北区知识产权保护中心")

    with pytest.raises(PermissionDenied, match="三员分立"):
        nomination_services.create_nomination(campaign=campaign, unit=unit, category="collective", actor=actor, name="某单位")
    with pytest.raises(PermissionDenied, match="三员分立"):
        review_services.start_stage(campaign, "initial_review", actor=actor)
    assert not Nomination.objects.filter(name="某单位").exists()


def test_system_administrator_model_permissions_cannot_be_widened(demo):
    from django.contrib.auth.models import Permission

    admin = User.objects.get(username="admin")
    admin.user_permissions.add(Permission.objects.get(codename="change_nomination"))
    admin = User.objects.get(pk=admin.pk)

    assert admin.has_perm("nominations.change_nomination") is False
    assert admin.has_perm("orgs.add_roleassignment") is False
    assert admin.has_perm("orgs.add_user") is True
    assert admin.has_perm("awards.change_campaign") is True
    assert admin.has_perm("orgs.delete_user") is False


def test_only_the_security_administrator_grants_roles(demo):
    target = UserFactory()
    yubei = _org("渝北区")
    for name in ("admin", "auditor", "office"):
        with pytest.raises(OrgError, match="只有安全管理员"):
            grant_role(user=target, role=Role.SCREENER, scope=yubei, actor=User.objects.get(username=name))

    grant = grant_role(user=target, role=Role.SCREENER, scope=yubei, actor=User.objects.get(username="secadmin"), reason="任职通知")

    event = AuditEvent.objects.filter(action=Action.ROLE).latest("id")
    assert (event.username, event.object_id, event.detail["op"], event.detail["reason"]) == ("secadmin", str(grant.pk), "grant", "任职通知")


def test_security_administrator_grants_within_its_scope_and_never_for_itself(demo):
    secadmin = UserFactory()
    grant_role(user=secadmin, role=Role.SECURITY_ADMIN, scope=_org("渝北区"))

    with pytest.raises(OrgError, match="不在您的授权范围"):
        grant_role(user=UserFactory(), role=Role.SCREENER, scope=_org("沙坪坝区"), actor=secadmin)
    with pytest.raises(OrgError, match="本人"):
        grant_role(user=secadmin, role=Role.UNIT_STAFF, scope=_org("渝北区"), actor=secadmin)
    grant_role(user=UserFactory(), role=Role.UNIT_STAFF, scope=_org("渝北区知识产权保护中心"), actor=secadmin)


def test_revoke_is_the_security_administrators_and_is_audited(demo):
    assignment = RoleAssignment.objects.active().get(user__username="district_yubei")
    with pytest.raises(OrgError, match="只有安全管理员"):
        revoke_role(assignment=assignment, reason="调离", actor=User.objects.get(username="admin"))

    revoke_role(assignment=assignment, reason="调离", actor=User.objects.get(username="secadmin"))

    event = AuditEvent.objects.filter(action=Action.ROLE).latest("id")
    assert (event.username, event.detail["op"], event.detail["reason"]) == ("secadmin", "revoke", "调离")


def test_security_page_grants_and_revokes_with_reasons(demo, login):
    client = login("secadmin")
    target = UserFactory(username="new_screener")
    yubei = _org("渝北区")

    response = client.post("/security/grant/", {"username": "new_screener", "role": Role.SCREENER, "scope": yubei.pk, "reason": "区局任职通知"})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.active().get(user=target)
    assert "new_screener" in client.get("/security/").content.decode()

    response = client.post(f"/security/revoke/{assignment.pk}/", {"reason": "调离岗位"})
    assignment.refresh_from_db()
    assert (response.status_code, assignment.revoke_reason) == (302, "调离岗位")


def test_security_page_explains_a_refused_grant(demo, login):
    response = login("secadmin").post(
        "/security/grant/", {"username": "office", "role": Role.AUDITOR, "scope": _org("重庆市").pk, "reason": "试图兼任"}
    )
    assert response.status_code == 400
    assert "三员分立" in response.content.decode()
    assert not RoleAssignment.objects.active().filter(user__username="office", role=Role.AUDITOR).exists()


# --- the database rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Role.ADMIN, Role.AUDITOR),
        (Role.ADMIN, Role.SECURITY_ADMIN),
        (Role.SECURITY_ADMIN, Role.AUDITOR),
        (Role.AUDITOR, Role.OFFICE),
        (Role.OFFICE, Role.AUDITOR),
        (Role.UNIT_STAFF, Role.ADMIN),
        (Role.SECURITY_ADMIN, Role.GROUP_MEMBER),
    ],
)
def test_service_refuses_two_duties_on_one_account(tree, first, second):
    user = UserFactory()
    grant_role(user=user, role=first, scope=tree.chongqing)

    with pytest.raises(OrgError, match="三员分立"):
        grant_role(user=user, role=second, scope=tree.cq_districts["渝北区"])
    assert list(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True)) == [first]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Role.ADMIN, Role.AUDITOR),
        (Role.AUDITOR, Role.AUDITOR),  # one administrator grant per account, over one scope
        (Role.SECURITY_ADMIN, Role.ADMIN),
        (Role.AUDITOR, Role.OFFICE),
        (Role.SCREENER, Role.SECURITY_ADMIN),
        (Role.UNIT_STAFF, Role.ADMIN),
    ],
)
def test_database_refuses_two_duties_on_one_account(tree, first, second):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=first, scope=tree.chongqing)

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=second, scope=tree.cq_districts["渝北区"])


def test_database_allows_business_roles_together_and_a_duty_after_revocation(tree):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.UNIT_STAFF, scope=tree.cq_districts["渝北区"])
    screener = RoleAssignment.objects.create(user=user, role=Role.SCREENER, scope=tree.cq_districts["渝北区"])
    RoleAssignment.objects.filter(user=user).update(revoked_at=timezone.now())

    RoleAssignment.objects.create(user=user, role=Role.AUDITOR, scope=tree.chongqing)

    # Bringing a revoked business grant back to life is an update: refused too.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.filter(pk=screener.pk).update(revoked_at=None)


def test_database_refuses_turning_a_business_grant_into_an_administrator_one(tree):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.UNIT_STAFF, scope=tree.cq_districts["渝北区"])
    other = RoleAssignment.objects.create(user=user, role=Role.SCREENER, scope=tree.cq_districts["渝北区"])

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.filter(pk=other.pk).update(role=Role.ADMIN)


# --- accounts and policy are audited ---------------------------------------------------------------


def test_account_services_are_the_system_administrators_and_audited(demo):
    admin = User.objects.get(username="admin")
    with pytest.raises(OrgError, match="只有系统管理员"):
        create_account(username="x1", actor=User.objects.get(username="secadmin"))

    user = create_account(username="x1", full_name="新用户", actor=admin)
    set_account_active(user=user, active=False, reason="离职", actor=admin)
    reset_password(user=user, password="Zhi@2026chan", actor=admin)

    events = AuditEvent.objects.filter(action=Action.ACCOUNT, object_id=str(user.pk)).order_by("id")
    assert [(e.username, e.detail["op"]) for e in events] == [("admin", "create"), ("admin", "disable"), ("admin", "reset_password")]
    with pytest.raises(OrgError, match="管理员账号"):
        reset_password(user=User.objects.get(username="auditor"), password="Zhi@2026chan", actor=admin)


def test_admin_account_pages_are_audited_and_hand_out_no_power(demo, login):
    client = login("admin")
    response = client.post("/admin/orgs/user/add/", {
        "username": "newbie", "password1": "Zhi@2026chan", "password2": "Zhi@2026chan", "usable_password": "true",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    newbie = User.objects.get(username="newbie")
    assert AuditEvent.objects.filter(action=Action.ACCOUNT, object_id=str(newbie.pk), detail__op="create").exists()

    response = client.post(f"/admin/orgs/user/{newbie.pk}/password/", {"password1": "Xin@2026mima", "password2": "Xin@2026mima"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.ACCOUNT, object_id=str(newbie.pk), detail__op="reset_password").exists()

    page = client.get(f"/admin/orgs/user/{newbie.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    # The other administrators' accounts are the break-glass superuser's.
    auditor = User.objects.get(username="auditor")
    assert client.get(f"/admin/orgs/user/{auditor.pk}/password/").status_code == 403
    assert client.get(f"/admin/orgs/user/{auditor.pk}/delete/").status_code == 403


def test_policy_falls_back_to_settings_and_changes_are_audited(demo, login):
    assert current_policy() == settings_policy()

    response = login("secadmin").post("/security/policy/", {"lockout_limit": 3, "cooloff_minutes": 45, "session_idle_minutes": 15})
    assert response.status_code == 302

    policy = current_policy()
    assert (policy.lockout_limit, policy.cooloff_minutes, policy.session_idle_minutes) == (3, 45, 15)
    assert policy.password_max_age_days == settings_policy().password_max_age_days  # left empty: settings
    event = AuditEvent.objects.filter(action=Action.CONFIG).latest("id")
    assert (event.username, event.detail["changed"]["lockout_limit"]) == ("secadmin", [None, 3])
    with pytest.raises(OrgError, match="只有安全管理员"):
        set_policy(actor=User.objects.get(username="admin"), lockout_limit=10)
    assert SecurityPolicy.objects.get().lockout_limit == 3


# --- no one reviews their own unit's nominees -------------------------------------------------------


def test_member_of_the_nominating_unit_or_district_has_a_conflict(demo):
    quota = Quota.objects.get(campaign__slug="cq-demo", organisation__name="渝北区", parent__isnull=True)
    nominee = Nomination(unit=_org("渝北区人民法院"), quota=quota)
    from_the_district = UserFactory(organisation=_org("渝北区知识产权局"))
    from_the_unit = UserFactory(organisation=_org("渝北区人民法院"))
    from_elsewhere = UserFactory(organisation=_org("沙坪坝区知识产权局"))

    assert [review_services.has_conflict(u, nominee) for u in (from_the_district, from_the_unit, from_elsewhere)] == [True, True, False]


def test_configuration_changes_in_the_admin_are_audited(demo, login):
    from workdays.models import HolidayArrangement

    year = HolidayArrangement.objects.order_by("-year").first().year + 1
    response = login("admin").post("/admin/workdays/holidayarrangement/add/", {"year": year, "source": "国务院办公厅通知"})

    assert response.status_code == 302, response.content.decode()[:1500]
    event = AuditEvent.objects.filter(action=Action.CONFIG).latest("id")
    assert (event.username, event.object_type, event.detail["op"]) == ("admin", "workdays.holidayarrangement", "add")
