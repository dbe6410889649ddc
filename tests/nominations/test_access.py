"""Nobody sees or changes a nomination outside their part of the tree: 404, never a hint."""

import pytest
from django.urls import reverse

from nominations.models import Status

from .builders import individual, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def yubei_nom(campaign, yubei, users):
    staff = users["unit_yubei"]
    return submitted(campaign, yubei, staff, [individual(campaign, yubei, staff, name="张三")])[0]


@pytest.mark.parametrize("username", ["district_spb", "dept_market"])
@pytest.mark.parametrize("name", ["detail", "edit", "photo"])
def test_other_district_or_department_gets_404_on_nomination_pages(client, login, yubei_nom, name, username):
    login(username)
    assert client.get(reverse(f"nominations:{name}", args=[yubei_nom.pk])).status_code == 404


@pytest.mark.parametrize("name", ["justify", "resubmit"])
def test_other_district_gets_404_on_nomination_actions(client, login, yubei_nom, name):
    login("district_spb")
    response = client.post(reverse(f"nominations:{name}", args=[yubei_nom.pk]), {"rule": "years_in_field", "text": "十个字以上的理由说明"})
    assert response.status_code == 404
    assert not yubei_nom.justifications.exists()


def test_other_district_gets_404_on_the_queue_and_its_pages(client, login, yubei_nom, yubei_quota):
    login("district_spb")
    for url in (
        reverse("nominations:screening_queue", args=[yubei_quota.pk]),
        reverse("nominations:quota_progress", args=[yubei_quota.pk]),
        reverse("nominations:screening_ranking", args=[yubei_quota.pk, "individual"]),
        reverse("nominations:consultations", args=[yubei_quota.pk, yubei_nom.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("nominations:screening_queue", args=[yubei_quota.pk]), {"action": "accept", "ids": [yubei_nom.pk]})
    assert response.status_code == 404
    yubei_nom.refresh_from_db()
    assert yubei_nom.status == Status.SUBMITTED


def test_other_district_cannot_return_by_posting_the_id_to_its_own_queue(client, login, yubei_nom, spb_quota):
    login("district_spb")
    response = client.post(reverse("nominations:screening_queue", args=[spb_quota.pk]), {
        "action": "return", "nomination": yubei_nom.pk, f"ret{yubei_nom.pk}-reason": "越权退回",
    })
    assert response.status_code == 404
    yubei_nom.refresh_from_db()
    assert yubei_nom.status == Status.SUBMITTED


def test_other_district_cannot_accept_by_posting_the_id_to_its_own_queue(client, login, yubei_nom, spb_quota):
    login("district_spb")
    client.post(reverse("nominations:screening_queue", args=[spb_quota.pk]), {"action": "accept", "ids": [yubei_nom.pk]})
    yubei_nom.refresh_from_db()
    assert yubei_nom.status == Status.SUBMITTED


def test_other_district_cannot_record_consultation_through_its_own_quota(client, login, yubei_nom, spb_quota, today):
    login("district_spb")
    response = client.post(reverse("nominations:consultations", args=[spb_quota.pk, yubei_nom.pk]), {
        "department": "personnel", "answer": "no_objection", "answered_on": today.isoformat(),
    })
    assert response.status_code == 404
    assert not yubei_nom.consultations.exists()


def test_other_district_queue_does_not_list_it(client, login, yubei_nom, spb_quota):
    login("district_spb")
    text = client.get(reverse("nominations:screening_queue", args=[spb_quota.pk])).content.decode()
    assert "张三" not in text


def test_unit_user_of_another_unit_gets_404(client, login, campaign, yubei, yubei_nom):
    login("unit_police")
    assert client.get(reverse("nominations:detail", args=[yubei_nom.pk])).status_code == 404
    assert client.get(reverse("nominations:edit", args=[yubei_nom.pk])).status_code == 404
    for name in ("unit_desk", "unit_procedures", "unit_ranking"):
        assert client.get(reverse(f"nominations:{name}", args=[campaign.slug, yubei.pk])).status_code == 404
    assert client.get(reverse("nominations:create", args=[campaign.slug, yubei.pk, "individual"])).status_code == 404


def test_unit_user_gets_404_on_a_sibling_unit_of_the_same_district(client, login, campaign, org, users):
    court = org("渝北区人民法院")
    other = individual(campaign, court, users["unit_yubei"], seq=9, name="法院的人")
    login("unit_yubei")
    assert client.get(reverse("nominations:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("nominations:unit_desk", args=[campaign.slug, court.pk])).status_code == 404


def test_department_screener_sees_its_own_queue_only(client, login, campaign, yubei_quota):
    login("dept_market")
    market = campaign.quotas.get(organisation__name="市市场监督管理局")
    assert reverse("nominations:screening_queue", args=[market.pk]) in client.get(reverse("nominations:index")).content.decode()
    assert client.get(reverse("nominations:screening_queue", args=[market.pk])).status_code == 200
    assert client.get(reverse("nominations:screening_queue", args=[yubei_quota.pk])).status_code == 404


def test_unit_user_list_shows_only_its_own_unit(client, login, campaign, org, users, yubei):
    court = org("渝北区人民法院")
    individual(campaign, court, users["unit_yubei"], seq=9, name="法院的人")
    individual(campaign, yubei, users["unit_yubei"], seq=8, name="中心的人")
    login("unit_yubei")
    text = client.get(reverse("nominations:index")).content.decode()
    assert "中心的人" in text and "法院的人" not in text


def test_unit_user_gets_404_on_the_screening_queue(client, login, yubei_quota):
    login("unit_yubei")
    assert client.get(reverse("nominations:screening_queue", args=[yubei_quota.pk])).status_code == 404


def test_screener_may_read_but_not_edit_a_unit_nomination(client, login, yubei_nom):
    login("district_yubei")
    assert client.get(reverse("nominations:detail", args=[yubei_nom.pk])).status_code == 200
    assert client.get(reverse("nominations:edit", args=[yubei_nom.pk])).status_code == 403
    assert client.post(reverse("nominations:resubmit", args=[yubei_nom.pk])).status_code == 403


def test_sub_quota_has_no_queue_of_its_own(client, login, campaign):
    sub = campaign.quotas.get(organisation__name="渝北区知识产权局")
    login("district_yubei")
    assert client.get(reverse("nominations:screening_queue", args=[sub.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, yubei_nom):
    response = client.get(reverse("nominations:detail", args=[yubei_nom.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
