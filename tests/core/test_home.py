"""The home page is each role's to-do list; list pages keep a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards.models import Campaign, Quota, StageKey
from awards.presets import apply_preset
from core.demo import LIVE_SLUG
from orgs.models import Organisation, Role
from orgs.reference import load_reference_tree
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

DEMO_USERS = [
    ("unit_yubei", Role.UNIT_STAFF),
    ("unit_police", Role.UNIT_STAFF),
    ("district_yubei", Role.SCREENER),
    ("district_spb", Role.SCREENER),
    ("dept_market", Role.SCREENER),
    ("office", Role.OFFICE),
    ("member_liu", Role.GROUP_MEMBER),
    ("consult_police", Role.CONSULTED),
    ("auditor", Role.AUDITOR),
    ("nat_office", Role.OFFICE),
    ("admin", Role.ADMIN),
    ("secadmin", Role.SECURITY_ADMIN),
]


def test_demo_has_one_login_per_listed_user(demo):
    assert sorted((login.username, login.role) for login in demo.values()) == sorted(DEMO_USERS)


@pytest.mark.parametrize(("username", "role"), DEMO_USERS)
def test_home_page_shows_the_to_do_list_for_the_role(demo, login, username, role):
    response = login(username).get("/")
    content = response.content.decode()

    assert response.status_code == 200
    assert "待办事项" in content
    assert f'data-role="{role}"' in content
    assert [s.assignment.role for s in response.context["sections"]] == [role]


def test_home_page_of_a_user_with_no_role_says_so(demo, client):
    client.force_login(UserFactory())

    response = client.get("/")

    assert response.status_code == 200
    assert "尚未分配角色" in response.content.decode()
    assert response.context["sections"] == []


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def _items(response) -> list:
    return [item for section in response.context["sections"] for item in section.items]


def test_unit_staff_home_lists_the_live_campaign_with_its_unit_deadline(demo, login):
    campaign = Campaign.objects.get(slug=LIVE_SLUG)
    deadline = campaign.stages.get(key=StageKey.UNIT).deadline

    response = login("unit_yubei").get("/")

    unit = Organisation.objects.get(name="渝北区知识产权保护中心")
    assert [(i.url, i.deadline, i.tag) for i in _items(response)] == [
        (f"/nominations/c/{LIVE_SLUG}/u/{unit.pk}/", deadline, "推荐")
    ]
    content = response.content.decode()
    assert campaign.title in content
    assert timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") in content
    assert "报送至 渝北区（名额：集体2个、个人2名）" in content


def test_unit_staff_of_a_department_reports_to_its_department(demo, login):
    response = login("unit_police").get("/")

    assert [i.detail for i in _items(response)] == ["报送至 市公安局（名额：集体1个、个人2名）"]


def test_screener_home_lists_its_quota(demo, login, tree):
    campaign = Campaign.objects.get(slug=LIVE_SLUG)
    deadline = campaign.stages.get(key=StageKey.SUBMISSION).deadline
    yubei = tree.cq_districts["渝北区"]

    response = login("district_yubei").get("/")

    items = _items(response)
    quota = Quota.objects.get(campaign=campaign, organisation=yubei)
    assert [(i.url, i.deadline) for i in items] == [(f"/nominations/screening/{quota.pk}/", deadline)]
    assert "本级名额：集体2个、个人2名" in items[0].detail
    assert f'href="/nominations/screening/{quota.pk}/"' in response.content.decode()


def test_department_screener_home_lists_its_1_plus_2_quota(demo, login):
    response = login("dept_market").get("/")

    assert [i.detail.split("；")[0] for i in _items(response)] == ["本级名额：集体1个、个人2名"]


def test_office_home_lists_the_chongqing_campaigns(demo, login):
    response = login("office").get("/")

    assert sorted(i.url for i in _items(response)) == ["/campaigns/cq-2023/", f"/campaigns/{LIVE_SLUG}/"]
    content = response.content.decode()
    assert Campaign.objects.get(slug=LIVE_SLUG).title in content
    assert "单位民主推荐、集体研究与公示" in content  # the live campaign's current stage


def test_national_office_home_lists_every_campaign(demo, login):
    response = login("nat_office").get("/")

    assert sorted(i.url for i in _items(response)) == [
        "/campaigns/cq-2023/",
        f"/campaigns/{LIVE_SLUG}/",
        "/campaigns/national-2021/",
        "/campaigns/tj-2022/",
    ]


def test_admin_home_reports_the_calendar_years(demo, login):
    response = login("admin").get("/")

    assert "已录入节假日安排至 2026 年" in response.content.decode()


def test_auditor_home_lists_recent_changes(demo, login):
    response = login("auditor").get("/")

    assert len(_items(response)) == 15


def test_campaign_list_for_the_office_shows_award_numbers(demo, login):
    response = login("office").get("/campaigns/")
    content = response.content.decode()

    assert sorted(c.slug for c in response.context["campaigns"]) == ["cq-2023", LIVE_SLUG, "national-2021"]
    assert "先进集体 50；先进个人 50" in content


def test_campaign_detail_for_the_office_shows_the_caps(demo, login):
    response = login("office").get(f"/campaigns/{LIVE_SLUG}/")

    assert [(cap.counts, limit) for cap, _total, limit in response.context["caps"]] == [
        ("division_level_individuals", 10),
        ("municipal_organ_bodies", 15),
        ("host_unit_bodies", 5),
    ]


# --- query counts: the same with 4 campaigns as with 9 ------------------------------------------


def _more_campaigns(n: int = 5) -> None:
    tree = load_reference_tree()
    start = dt.date(2026, 3, 2)
    keys = ["chongqing-2023", "national-2021", "tianjin-2022"]
    for i in range(n):
        apply_preset(keys[i % 3], tree=tree, slug=f"extra-{i}", start=start + dt.timedelta(days=30 * i))


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


PAGES = [
    ("office", "/campaigns/"),
    ("office", f"/campaigns/{LIVE_SLUG}/"),
    ("office", "/"),
    ("nat_office", "/campaigns/"),
    ("nat_office", "/"),
    ("district_yubei", "/campaigns/"),
    ("district_yubei", f"/campaigns/{LIVE_SLUG}/"),
    ("district_yubei", "/"),
    ("unit_yubei", "/"),
    ("unit_yubei", f"/campaigns/{LIVE_SLUG}/"),
    ("dept_market", "/"),
    ("member_liu", "/"),
    ("consult_police", "/"),
    ("auditor", "/"),
    ("admin", "/"),
]


def test_page_query_counts_do_not_grow_with_campaigns(demo, login):
    clients = {username: login(username) for username in {u for u, _ in PAGES}}
    for username, url in PAGES:
        clients[username].get(url)  # warm the session and the content-type cache
    small = {(username, url): _count_queries(clients[username], url) for username, url in PAGES}

    _more_campaigns()
    for username, url in PAGES:
        clients[username].get(url)  # the policy and grants read again once if the new campaigns moved their version
    large = {(username, url): _count_queries(clients[username], url) for username, url in PAGES}

    assert Campaign.objects.count() == 9
    assert large == small


# Every request of a logged-in user: the user's organisation (header) and the unread-reminder count
# in the header. The session, the user, the security policy, the scope roots and the active roles
# come from the shared cache (read once per change: accounts.session_store, accounts.backends,
# orgs.policy, orgs.permissions), and the session is written only when its last mark is a minute old
# (accounts.policy.mark_seen). Each page adds its own reads, named below.
REQUEST_QUERIES = 2


def test_campaign_list_query_count(demo, login, django_assert_num_queries):
    client = login("office")
    client.get("/campaigns/")
    # + campaigns (root, office joined), their categories, their stages
    with django_assert_num_queries(REQUEST_QUERIES + 3):
        client.get("/campaigns/")

    _more_campaigns()
    client.get("/campaigns/")  # the new quotas' organisations moved the grants' version on: read again once

    with django_assert_num_queries(REQUEST_QUERIES + 3):
        client.get("/campaigns/")


def test_campaign_detail_query_count(demo, login, django_assert_num_queries):
    client = login("office")
    client.get(f"/campaigns/{LIVE_SLUG}/")
    # + the campaign, its categories, caps, forms, stages, and the quotas (organisations joined)
    with django_assert_num_queries(REQUEST_QUERIES + 6):
        client.get(f"/campaigns/{LIVE_SLUG}/")

    _more_campaigns()
    client.get(f"/campaigns/{LIVE_SLUG}/")  # the new quotas' organisations moved the grants' version on: read again once

    with django_assert_num_queries(REQUEST_QUERIES + 6):
        client.get(f"/campaigns/{LIVE_SLUG}/")


def test_home_query_count(demo, login, django_assert_num_queries):
    client = login("office")
    client.get("/")
    # + campaigns (root, office joined), their categories, their stages
    with django_assert_num_queries(REQUEST_QUERIES + 3):
        client.get("/")

    _more_campaigns()
    client.get("/")  # the new quotas' organisations moved the grants' version on: read again once

    with django_assert_num_queries(REQUEST_QUERIES + 3):
        client.get("/")


def test_auditor_home_shows_only_changes_inside_its_scope(demo, login, tree):
    quota = tree.tj_districts["和平区"].quotas.get()
    quota.note = "天津的改动"
    quota.save()

    items = _items(login("auditor").get("/"))

    assert [i.title for i in items if "和平区" in i.title or "天津" in i.title] == []
    assert len(items) == 15


def test_national_auditor_home_shows_a_tianjin_change(demo, tree):
    from django.test import Client

    from orgs.models import RoleAssignment, User
    from orgs.services import grant_role, revoke_role

    auditor = User.objects.get(username="auditor")
    # One administrator grant per account (三员分立): widening the scope is revoke, then grant.
    revoke_role(assignment=RoleAssignment.objects.active().get(user=auditor), reason="改为全国范围")
    grant_role(user=auditor, role=Role.AUDITOR, scope=tree.nation)
    quota = tree.tj_districts["和平区"].quotas.get()
    quota.note = "天津的改动"
    quota.save()
    client = Client()
    client.force_login(auditor)

    sections = client.get("/").context["sections"]

    national = next(s for s in sections if s.assignment.scope == tree.nation)
    assert national.items[0].title == "推荐名额：和平区：集体1、个人1"
