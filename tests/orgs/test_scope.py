"""Tree-scope isolation: a role over an organisation covers its subtree and nothing else."""

from __future__ import annotations

import pytest
from guardian.shortcuts import get_perms

from awards.models import Quota
from orgs.models import Level, Organisation, Role, RoleAssignment, User
from orgs.permissions import access_organisation, can_act_for, scope_roots, visible_organisations
from orgs.services import OrgError, grant_role, revoke_role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def _org(name: str, parent_name: str | None = None) -> Organisation:
    qs = Organisation.objects.filter(name=name)
    if parent_name:
        qs = qs.filter(parent__name=parent_name)
    return qs.get()


# --- organisation pages -------------------------------------------------------------------------


def test_district_screener_cannot_open_another_district(demo, login):
    response = login("district_yubei").get(f"/orgs/{_org('沙坪坝区').pk}/")

    assert response.status_code == 404


def test_district_screener_opens_its_own_district(demo, login):
    response = login("district_yubei").get(f"/orgs/{_org('渝北区').pk}/")

    assert response.status_code == 200
    assert "渝北区知识产权局" in response.content.decode()


def test_district_screener_opens_a_unit_below_its_district(demo, login):
    response = login("district_yubei").get(f"/orgs/{_org('渝北区知识产权保护中心').pk}/")

    assert response.status_code == 200


def test_district_screener_cannot_open_a_unit_of_another_district(demo, login):
    response = login("district_yubei").get(f"/orgs/{_org('沙坪坝区知识产权维权援助中心').pk}/")

    assert response.status_code == 404


def test_district_screener_cannot_open_the_city_above_it(demo, login):
    response = login("district_yubei").get(f"/orgs/{_org('重庆市').pk}/")

    assert response.status_code == 404


def test_organisation_page_breadcrumb_stops_at_the_users_scope(demo, login):
    response = login("district_yubei").get(f"/orgs/{_org('渝北区知识产权保护中心').pk}/")

    assert [a.name for a in response.context["ancestors"]] == ["渝北区", "渝北区知识产权局"]


def test_unknown_organisation_is_404(demo, login):
    response = login("office").get("/orgs/999999/")

    assert response.status_code == 404


def test_my_tree_lists_only_the_users_scope(demo, login):
    response = login("district_yubei").get("/orgs/")

    assert response.status_code == 200
    assert [org.name for org in response.context["roots"]] == ["渝北区"]


# --- campaign pages -----------------------------------------------------------------------------


def test_district_screener_cannot_open_another_districts_quota(demo, login):
    response = login("district_yubei").get(f"/campaigns/cq-demo/quotas/{_org('沙坪坝区').pk}/")

    assert response.status_code == 404


def test_district_screener_opens_its_own_quota(demo, login):
    response = login("district_yubei").get(f"/campaigns/cq-demo/quotas/{_org('渝北区').pk}/")

    assert response.status_code == 200
    assert [s.organisation.name for s in response.context["sub_quotas"]] == ["渝北区知识产权局"]


def test_campaign_detail_shows_a_district_only_its_own_quota(demo, login):
    response = login("district_yubei").get("/campaigns/cq-demo/")

    assert response.status_code == 200
    assert [
        (q.organisation.name, q.collective_max, q.individual_max) for q in response.context["quotas"]
    ] == [
        ("渝北区", 2, 2),
        ("渝北区知识产权局", 1, 1),
    ]
    assert response.context["whole"] is False


def test_campaign_detail_names_no_other_district_and_no_total(demo, login, tree):
    response = login("district_yubei").get("/campaigns/cq-demo/")
    campaign = response.context["campaign"]
    # The contact address (重庆市江北区五简路9号) is the office's, not a district's quota.
    content = response.content.decode().replace(campaign.contact, "")

    assert "渝北区" in content
    assert [name for name in tree.cq_districts if name != "渝北区" and name in content] == []
    total = Quota.objects.filter(campaign=campaign).count()
    top_level = Quota.objects.filter(campaign=campaign, parent__isnull=True).count()
    assert f"（{total}）" not in content
    assert f"（{top_level}）" not in content
    assert "各推荐单位名额" not in content


def test_office_sees_all_quotas_of_the_campaign(demo, login):
    response = login("office").get("/campaigns/cq-demo/")
    quotas = response.context["quotas"]

    assert response.context["whole"] is True
    assert len([q for q in quotas if q.parent_id is None]) == 41 + 17
    assert len(quotas) == 41 + 17 + 41
    assert "各推荐单位名额（99）" in response.content.decode()


def test_tianjin_campaign_is_404_for_a_chongqing_district(demo, login):
    response = login("district_yubei").get("/campaigns/tj-2022/")

    assert response.status_code == 404


def test_campaign_list_of_a_chongqing_district_has_no_tianjin_campaign(demo, login):
    response = login("district_yubei").get("/campaigns/")

    assert sorted(c.slug for c in response.context["campaigns"]) == ["cq-2023", "cq-demo", "national-2021"]


def test_national_campaign_shows_a_province_office_only_its_province(demo, login):
    response = login("office").get("/campaigns/national-2021/")

    assert [q.organisation.name for q in response.context["quotas"]] == ["重庆市"]


def test_unit_staff_sees_only_the_quota_it_reports_under(demo, login):
    response = login("unit_police").get("/campaigns/cq-demo/")

    assert [q.organisation.name for q in response.context["quotas"]] == ["市公安局"]


def test_unit_staff_under_a_district_ip_bureau_sees_its_district_and_sub_quota(demo, login):
    response = login("unit_yubei").get("/campaigns/cq-demo/")

    assert [q.organisation.name for q in response.context["quotas"]] == ["渝北区", "渝北区知识产权局"]


def test_unit_staff_cannot_open_a_sibling_departments_quota(demo, login):
    response = login("unit_police").get(f"/campaigns/cq-demo/quotas/{_org('市市场监督管理局').pk}/")

    assert response.status_code == 404


def test_user_with_no_role_sees_no_campaigns(demo):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory())

    assert client.get("/campaigns/").context["campaigns"] == []
    assert client.get("/campaigns/cq-demo/").status_code == 404


@pytest.mark.parametrize("name", ["全国知识产权系统", "重庆市", "渝北区", "渝北区知识产权保护中心"])
def test_user_with_no_role_gets_404_on_any_organisation(demo, name):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory())

    assert client.get(f"/orgs/{_org(name).pk}/").status_code == 404


def test_user_with_no_role_sees_an_empty_tree(demo):
    user = UserFactory()

    assert scope_roots(user) == []
    assert list(visible_organisations(user)) == []


# --- can_act_for, for every demo role ---------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "org_name", "expected"),
    [
        ("unit_yubei", "渝北区知识产权保护中心", True),
        ("unit_yubei", "渝北区知识产权局", False),
        ("unit_yubei", "保护科", False),
        ("unit_police", "经济犯罪侦查总队", True),
        ("unit_police", "市公安局", False),
        ("district_yubei", "渝北区", True),
        ("district_yubei", "渝北区知识产权保护中心", True),
        ("district_yubei", "保护科", True),
        ("district_yubei", "沙坪坝区", False),
        ("district_yubei", "重庆市", False),
        ("district_spb", "沙坪坝区知识产权维权援助中心", True),
        ("district_spb", "渝北区", False),
        ("dept_market", "法规处", True),
        ("dept_market", "市公安局", False),
        ("office", "渝北区知识产权保护中心", True),
        ("office", "重庆市知识产权局", True),
        ("office", "和平区", False),
        ("office", "全国知识产权系统", False),
        ("member_liu", "沙坪坝区", True),
        ("member_liu", "天津市", False),
        ("consult_police", "经济犯罪侦查总队", True),
        ("consult_police", "渝北区", False),
        ("auditor", "渝北区", True),
        ("auditor", "天津市", False),
        ("nat_office", "和平区", True),
        ("nat_office", "渝北区知识产权保护中心", True),
        # 三员分立: the system administrator does no business work, so its grant carries no scope.
        ("admin", "和平区", False),
        ("admin", "渝北区", False),
    ],
)
def test_can_act_for_by_role(demo, username, org_name, expected):
    org = Organisation.objects.filter(name=org_name).get()

    assert can_act_for(User.objects.get(username=username), org) is expected


@pytest.mark.parametrize("role", [r.value for r in Role if r not in (Role.ADMIN, Role.SECURITY_ADMIN)])
def test_grant_role_gives_the_guardian_permission_over_the_subtree(tree, role):
    user = UserFactory()
    yubei = tree.cq_districts["渝北区"]

    grant_role(user=user, role=role, scope=yubei)

    assert get_perms(user, yubei) == ["act_for_organisation"]
    assert can_act_for(user, tree.cq_ip_admins["渝北区"]) is True
    assert can_act_for(user, tree.cq_districts["沙坪坝区"]) is False


def test_grant_role_twice_keeps_one_active_assignment(tree):
    user = UserFactory()
    yubei = tree.cq_districts["渝北区"]

    first = grant_role(user=user, role=Role.SCREENER, scope=yubei)
    second = grant_role(user=user, role=Role.SCREENER, scope=yubei)

    assert first.pk == second.pk
    assert RoleAssignment.objects.active().filter(user=user).count() == 1


def test_grant_role_refuses_an_unknown_role(tree):
    with pytest.raises(OrgError, match="未知的角色"):
        grant_role(user=UserFactory(), role="king", scope=tree.chongqing)


# --- revoking ------------------------------------------------------------------------------------


def test_revoke_role_removes_the_permission_and_access(demo, login):
    user = User.objects.get(username="district_yubei")
    yubei = _org("渝北区")
    client = login("district_yubei")
    assert client.get(f"/orgs/{yubei.pk}/").status_code == 200

    revoke_role(assignment=RoleAssignment.objects.active().get(user=user), reason="调离岗位")

    assert get_perms(User.objects.get(pk=user.pk), yubei) == []
    assert client.get(f"/orgs/{yubei.pk}/").status_code == 404
    assert client.get("/campaigns/cq-demo/").status_code == 404


def test_revoke_role_is_kept_with_its_reason(demo):
    assignment = RoleAssignment.objects.active().get(user__username="district_yubei")

    revoke_role(assignment=assignment, reason="  调离岗位 ")

    assignment.refresh_from_db()
    assert assignment.revoke_reason == "调离岗位"
    assert assignment.revoked_at is not None
    assert [h.history_change_reason for h in assignment.history.order_by("history_id")] == [
        "grant_role",
        "revoke_role",
    ]


def test_revoke_role_records_the_actor_in_the_history(demo):
    admin = User.objects.get(username="secadmin")
    assignment = RoleAssignment.objects.active().get(user__username="district_yubei")

    revoke_role(assignment=assignment, reason="调离岗位", actor=admin)

    assert assignment.history.latest("history_id").history_user == admin


def test_grant_role_records_the_actor_in_the_history(tree):
    admin = UserFactory()
    grant_role(user=admin, role=Role.SECURITY_ADMIN, scope=tree.chongqing)

    assignment = grant_role(user=UserFactory(), role=Role.SCREENER, scope=tree.chongqing, actor=admin)

    assert assignment.granted_by == admin
    assert assignment.history.latest("history_id").history_user == admin


def test_revoking_a_revoked_role_again_is_refused_and_keeps_the_first_reason(demo):
    assignment = RoleAssignment.objects.active().get(user__username="district_yubei")
    revoke_role(assignment=assignment, reason="调离岗位")
    first = assignment.revoked_at

    with pytest.raises(OrgError, match="该授权已于"):
        revoke_role(assignment=assignment, reason="再次撤销")

    assignment.refresh_from_db()
    assert (assignment.revoked_at, assignment.revoke_reason) == (first, "调离岗位")


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_role_without_a_reason_is_refused(demo, reason):
    assignment = RoleAssignment.objects.active().get(user__username="district_yubei")

    with pytest.raises(OrgError, match="撤销授权须填写原因"):
        revoke_role(assignment=assignment, reason=reason)

    assignment.refresh_from_db()
    assert assignment.revoked_at is None


def test_revoke_one_of_two_roles_over_a_scope_keeps_the_permission(tree):
    user = UserFactory()
    yubei = tree.cq_districts["渝北区"]
    screener = grant_role(user=user, role=Role.SCREENER, scope=yubei)
    grant_role(user=user, role=Role.CONSULTED, scope=yubei)

    revoke_role(assignment=screener, reason="岗位调整")

    assert get_perms(user, yubei) == ["act_for_organisation"]
    assert can_act_for(user, yubei) is True


def test_regranting_after_revoke_creates_a_new_assignment(tree):
    user = UserFactory()
    yubei = tree.cq_districts["渝北区"]
    old = grant_role(user=user, role=Role.SCREENER, scope=yubei)
    revoke_role(assignment=old, reason="岗位调整")

    new = grant_role(user=user, role=Role.SCREENER, scope=yubei)

    assert new.pk != old.pk
    assert can_act_for(user, yubei) is True


def test_access_organisation_raises_404_outside_the_scope(demo):
    from django.http import Http404

    user = User.objects.get(username="district_yubei")

    with pytest.raises(Http404):
        access_organisation(user, _org("沙坪坝区").pk)
    assert access_organisation(user, _org("渝北区").pk).name == "渝北区"


# --- the tree ---------------------------------------------------------------------------------


def test_new_organisation_gets_its_path_and_depth(tree):
    unit = OrganisationFactory(parent=tree.cq_districts["渝北区"])

    assert unit.path == f"{tree.cq_districts['渝北区'].path}{unit.pk}/"
    assert unit.depth == tree.cq_districts["渝北区"].depth + 1


def test_moving_an_organisation_carries_its_subtree_along(tree):
    yubei, spb = tree.cq_districts["渝北区"], tree.cq_districts["沙坪坝区"]
    unit = OrganisationFactory(parent=yubei, name="某中心")
    division = OrganisationFactory(parent=unit, name="某科", level=Level.DIVISION)
    team = OrganisationFactory(parent=division, name="某组", level=Level.DIVISION)

    unit.parent = spb
    unit.save()

    unit.refresh_from_db()
    division.refresh_from_db()
    team.refresh_from_db()
    assert unit.path == f"{spb.path}{unit.pk}/"
    assert division.path == f"{spb.path}{unit.pk}/{division.pk}/"
    assert team.path == f"{spb.path}{unit.pk}/{division.pk}/{team.pk}/"
    assert (unit.depth, division.depth, team.depth) == (spb.depth + 1, spb.depth + 2, spb.depth + 3)
    assert list(Organisation.objects.under(spb).filter(pk__in=[unit.pk, division.pk, team.pk])) == [
        unit,
        division,
        team,
    ]
    assert not Organisation.objects.under(yubei).filter(pk__in=[unit.pk, division.pk, team.pk]).exists()


def test_moving_an_organisation_moves_who_may_act_for_it(tree):
    screener = UserFactory()
    grant_role(user=screener, role=Role.SCREENER, scope=tree.cq_districts["渝北区"])
    unit = OrganisationFactory(parent=tree.cq_districts["渝北区"])

    unit.parent = tree.cq_districts["沙坪坝区"]
    unit.save()

    assert can_act_for(screener, Organisation.objects.get(pk=unit.pk)) is False


def test_moving_an_organisation_under_its_own_descendant_is_refused(tree):
    from django.core.exceptions import ValidationError

    unit = OrganisationFactory(parent=tree.cq_districts["渝北区"])
    child = OrganisationFactory(parent=unit)

    unit.parent = child
    with pytest.raises(ValidationError, match="上级机构不能是本机构或其下级机构"):
        unit.save()
