"""Each review page for each role: 200 for the role it serves, 404 for everyone else."""

import pytest
from django.urls import reverse

from core.demo import LIVE_SLUG

from .helpers import SPECS, start_initial

pytestmark = pytest.mark.django_db

OFFICE_PAGES = ["office", "initial", "comprehensive", "re_review", "decision", "decision_document", "dashboard"]
EXPORTS = ["comprehensive_export", "final_export"]


@pytest.fixture
def started(campaign, users, forwarded):
    noms = forwarded(SPECS[:3])
    start_initial(campaign, users["office"])
    return noms


def test_office_pages_open_for_the_office(client, users, started):
    client.force_login(users["office"])

    codes = {page: client.get(reverse(f"reviews:{page}", args=[LIVE_SLUG])).status_code for page in OFFICE_PAGES + EXPORTS}

    assert codes == dict.fromkeys(OFFICE_PAGES + EXPORTS, 200)


@pytest.mark.parametrize("username", ["member_liu", "district_yubei", "dept_market", "unit_yubei", "auditor", "consult_police"])
def test_office_pages_are_404_for_everyone_else(client, users, started, username):
    client.force_login(users[username])

    codes = {page: client.get(reverse(f"reviews:{page}", args=[LIVE_SLUG])).status_code for page in OFFICE_PAGES + EXPORTS}

    assert codes == dict.fromkeys(OFFICE_PAGES + EXPORTS, 404)


def test_office_pages_redirect_anonymous_users_to_login(client, started):
    response = client.get(reverse("reviews:initial", args=[LIVE_SLUG]))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_office_of_another_campaign_gets_404(client, users, started):
    """The national office holds the nation; the Chongqing office does not hold Tianjin's campaign."""
    client.force_login(users["office"])

    assert client.get(reverse("reviews:initial", args=["tj-2022"])).status_code == 404
    assert client.get(reverse("reviews:initial", args=["no-such-campaign"])).status_code == 404


def test_member_page_is_for_leading_group_members_only(client, users, started):
    url = reverse("reviews:vote", args=[LIVE_SLUG])
    client.force_login(users["member_liu"])
    assert client.get(url).status_code == 200
    for username in ("office", "district_yubei", "unit_yubei", "auditor"):
        client.force_login(users[username])
        assert client.get(url).status_code == 404, username


@pytest.mark.parametrize("username", ["district_yubei", "district_spb", "dept_market"])
def test_feedback_page_is_for_screeners(client, users, started, username):
    client.force_login(users[username])

    assert client.get(reverse("reviews:feedback", args=[LIVE_SLUG])).status_code == 200


@pytest.mark.parametrize("username", ["office", "member_liu", "unit_yubei", "auditor"])
def test_feedback_page_is_404_for_those_without_a_quota(client, users, started, username):
    client.force_login(users[username])

    assert client.get(reverse("reviews:feedback", args=[LIVE_SLUG])).status_code == 404


def test_index_lists_the_desks_of_each_role(client, users, started):
    client.force_login(users["office"])
    body = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:dashboard", args=[LIVE_SLUG]) in body
    assert reverse("reviews:vote", args=[LIVE_SLUG]) not in body

    client.force_login(users["member_liu"])
    body = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:vote", args=[LIVE_SLUG]) in body
    assert reverse("reviews:dashboard", args=[LIVE_SLUG]) not in body

    client.force_login(users["district_yubei"])
    body = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:feedback", args=[LIVE_SLUG]) in body
    assert reverse("reviews:initial", args=[LIVE_SLUG]) not in body
