"""Staff pages served from the shared cache (core.pagecache): a change shows on the next request, a
page is never served to another viewer, its CSRF token is always the viewer's own, and a page from
the cache costs the same few queries whatever its size."""

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nominations import services
from orgs.models import Role, RoleAssignment
from orgs.services import revoke_role

from .builders import individual, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.STAFF_PAGE_CACHE_SECONDS = 120


@pytest.fixture
def sent(campaign, yubei, users):
    staff = users["unit_yubei"]
    return submitted(campaign, yubei, staff, [individual(campaign, yubei, staff, name="张三")])


def _queue(yubei_quota):
    return reverse("nominations:screening_queue", args=[yubei_quota.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _tokens(response) -> list[str]:
    text = response.content.decode()
    marker = 'name="csrfmiddlewaretoken" value="'
    return [part[:64] for part in text.split(marker)[1:]]


def test_the_second_request_is_served_from_the_cache(users, yubei_quota, sent):
    client = _client(users["district_yubei"])

    first = client.get(_queue(yubei_quota))
    second = client.get(_queue(yubei_quota))

    assert first.context is not None  # rendered
    assert second.context is None  # from the cache
    assert "张三" in second.content.decode()


def test_an_accept_shows_on_the_next_request(users, yubei_quota, sent):
    client = _client(users["district_yubei"])
    before = client.get(_queue(yubei_quota)).content.decode().count("审核通过")  # the filter's option, and no row yet

    services.accept_nomination(sent[0], actor=users["district_yubei"])

    assert client.get(_queue(yubei_quota)).content.decode().count("审核通过") == before + 1


def test_a_return_shows_on_the_next_request_of_the_unit(users, campaign, yubei, sent):
    unit = _client(users["unit_yubei"])
    desk = reverse("nominations:unit_desk", args=[campaign.slug, yubei.pk])
    before = unit.get(desk).content.decode().count("已退回修改")

    services.return_nomination(sent[0], reason="事迹材料不完整，请补充。", actor=users["district_yubei"])

    assert unit.get(desk).content.decode().count("已退回修改") > before


def test_a_posted_accept_shows_on_the_page_after_the_redirect(users, yubei_quota, sent):
    client = _client(users["district_yubei"])
    before = client.get(_queue(yubei_quota)).content.decode().count("审核通过")

    response = client.post(_queue(yubei_quota), {"action": "accept", "ids": [sent[0].pk]}, follow=True)

    assert "已审核通过：张三" in response.content.decode()  # the message: rendered, not from the cache
    assert client.get(_queue(yubei_quota)).content.decode().count("审核通过") == before + 1


def test_another_district_never_gets_the_cached_page(users, yubei_quota, spb_quota, sent):
    yubei = _client(users["district_yubei"])
    assert yubei.get(_queue(yubei_quota)).status_code == 200
    spb = _client(users["district_spb"])

    assert spb.get(_queue(yubei_quota)).status_code == 404
    own = spb.get(_queue(spb_quota))
    assert own.status_code == 200
    assert "张三" not in own.content.decode()


def test_each_session_gets_a_token_of_its_own_secret(users, yubei_quota, sent):
    first, second = _client(users["district_yubei"]), _client(users["district_yubei"])
    first.get(_queue(yubei_quota))

    cached = second.get(_queue(yubei_quota))

    assert cached.context is None
    secret = second.cookies["csrftoken"].value
    tokens = _tokens(cached)
    assert tokens and all(_unmask_cipher_token(t) == secret for t in tokens)
    assert first.cookies["csrftoken"].value != secret


def test_a_revoked_role_takes_effect_on_the_next_request(users, yubei_quota, sent):
    screener = users["district_yubei"]
    client = _client(screener)
    assert client.get(_queue(yubei_quota)).status_code == 200
    assert client.get(_queue(yubei_quota)).status_code == 200  # cached page, cached grants

    for assignment in RoleAssignment.objects.active().filter(user=screener, role=Role.SCREENER):
        revoke_role(assignment=assignment, reason="岗位调整")

    assert client.get(_queue(yubei_quota)).status_code == 404


def _cached_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.context is None
    return len(ctx.captured_queries)


def test_a_cached_page_costs_the_same_queries_for_one_and_three_rows(users, campaign, yubei, yubei_quota):
    staff = users["unit_yubei"]
    submitted(campaign, yubei, staff, [individual(campaign, yubei, staff, seq=1, name="甲")])
    client = _client(users["district_yubei"])
    one = _cached_queries(client, _queue(yubei_quota))
    submitted(campaign, yubei, staff, [individual(campaign, yubei, staff, seq=s, name=n) for s, n in ((2, "乙"), (3, "丙"))])

    three = _cached_queries(client, _queue(yubei_quota))

    # None: the session, the user, the policy, the grants and the page all come from the cache.
    assert one == three == 0
