"""Pages of district/department reviewers: queue, accept, return, consultations, party group,
ranking, submission to the office, quota progress."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Category, Stage, StageKey
from nominations import services
from nominations.models import Consultation, Nomination, PartyGroupDecision, Status

from .builders import PDF, collective, consult_all, individual, submitted, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota(campaign):
    return campaign.quotas.get(organisation__name="渝北区", parent__isnull=True)


@pytest.fixture
def sent(campaign, yubei, users):
    """One individual and one collective of 渝北区知识产权保护中心, submitted to the district."""
    staff = users["unit_yubei"]
    ind = individual(campaign, yubei, staff, name="张三")
    col = collective(campaign, yubei, staff)
    return submitted(campaign, yubei, staff, [ind, col])


def _queue(quota):
    return reverse("nominations:screening_queue", args=[quota.pk])


def _accept_all(noms, screener):
    for n in noms:
        services.accept_nomination(n, actor=screener)


def test_queue_shows_submitted_rows_with_status_words(client, login, quota, sent):
    login("district_yubei")
    response = client.get(_queue(quota))
    assert response.status_code == 200
    text = response.content.decode()
    assert "张三" in text and "渝北区知识产权保护中心" in text
    assert "已报送，待审核" in text
    assert "缺：组织人事、纪检监察" in text


def test_queue_shows_deadline_of_the_submission_stage(client, login, campaign, quota, sent):
    login("district_yubei")
    stage = Stage.objects.get(campaign=campaign, key=StageKey.SUBMISSION)
    local = timezone.localtime(stage.deadline)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in client.get(_queue(quota)).content.decode()


def test_queue_filters_by_category_status_and_unit(client, login, org, campaign, users, quota, sent):
    court = org("渝北区人民法院")
    other = submitted(campaign, court, users["unit_yubei"], [individual(campaign, court, users["unit_yubei"], seq=3, name="法官甲")])[0]
    login("district_yubei")
    rows = client.get(_queue(quota), {"category": "individual"}).context["rows"]
    assert sorted(r.nom.name for r in rows) == sorted(["张三", "法官甲"])
    assert client.get(_queue(quota), {"status": "accepted"}).context["rows"] == []
    assert [r.nom for r in client.get(_queue(quota), {"unit": court.pk}).context["rows"]] == [other]
    assert len(client.get(_queue(quota), {"unit": sent[0].unit_id}).context["rows"]) == 2


def test_queue_shows_justifications_given_below(client, login, campaign, yubei, users, quota):
    staff = users["unit_yubei"]
    ind = individual(campaign, yubei, staff, years_in_field=2)
    services.justify(ind, rule="years_in_field", text="该同志近两年办理案件120件，成效突出。", actor=staff)
    submitted(campaign, yubei, staff, [ind])
    login("district_yubei")
    text = client.get(_queue(quota)).content.decode()
    assert "已说明：" in text and "该同志近两年办理案件120件" in text and staff.display_name in text


def test_bulk_accept_accepts_every_ticked_row(client, login, quota, sent):
    login("district_yubei")
    response = client.post(_queue(quota), {"action": "accept", "ids": [n.pk for n in sent]})
    assert response.status_code == 302
    assert set(Nomination.objects.filter(pk__in=[n.pk for n in sent]).values_list("status", flat=True)) == {Status.ACCEPTED}


def test_bulk_accept_over_the_sub_quota_shows_error_and_accepts_none(client, login, campaign, yubei, users, quota):
    staff = users["unit_yubei"]
    a = individual(campaign, yubei, staff, seq=1, name="甲")
    b = individual(campaign, yubei, staff, seq=2, name="乙")
    submitted(campaign, yubei, staff, [a, b])
    login("district_yubei")
    response = client.post(_queue(quota), {"action": "accept", "ids": [a.pk, b.pk]})
    assert response.status_code == 200
    assert "其中渝北区知识产权局已推荐先进个人1名，名额为1名" in response.content.decode()
    assert set(Nomination.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {Status.SUBMITTED}


def test_accept_with_nothing_ticked_shows_message(client, login, quota, sent):
    login("district_yubei")
    response = client.post(_queue(quota), {"action": "accept"})
    assert "请先勾选" in response.content.decode()


def test_return_with_reason_returns_the_nomination(client, login, quota, sent):
    screener = login("district_yubei")
    ind = sent[0]
    response = client.post(_queue(quota), {"action": "return", "nomination": ind.pk, f"ret{ind.pk}-reason": "请补充近五年考核情况"})
    assert response.status_code == 302
    ind.refresh_from_db()
    assert ind.status == Status.RETURNED
    event = ind.events.last()
    assert (event.actor, event.reason) == (screener, "请补充近五年考核情况")


def test_return_without_reason_shows_message_next_to_the_row(client, login, quota, sent):
    login("district_yubei")
    ind = sent[0]
    response = client.post(_queue(quota), {"action": "return", "nomination": ind.pk, f"ret{ind.pk}-reason": " "})
    assert response.status_code == 200
    assert "退回须填写原因" in response.content.decode()
    ind.refresh_from_db()
    assert ind.status == Status.SUBMITTED


def test_consultations_page_records_and_lists_what_is_missing(client, login, quota, sent, today):
    screener = login("district_yubei")
    ind = sent[0]
    url = reverse("nominations:consultations", args=[quota.pk, ind.pk])
    assert "尚缺：组织人事、纪检监察" in client.get(url).content.decode()
    response = client.post(url, {
        "department": "personnel", "department_name": "中共渝北区委组织部", "answer": "no_objection",
        "answered_on": today.isoformat(), "scanned_form": upload("意见表.pdf", PDF, "application/pdf"),
    })
    assert response.status_code == 302
    c = Consultation.objects.get(nomination=ind)
    assert (c.department, c.recorded_by) == ("personnel", screener)
    assert c.scanned_form.name.endswith(".pdf")
    text = client.get(url).content.decode()
    assert "尚缺：纪检监察" in text
    assert client.get(reverse("nominations:consultation_form_file", args=[quota.pk, ind.pk, "personnel"])).status_code == 200


def test_consultation_with_bad_scan_is_refused(client, login, quota, sent, today):
    login("district_yubei")
    ind = sent[0]
    url = reverse("nominations:consultations", args=[quota.pk, ind.pk])
    response = client.post(url, {
        "department": "discipline", "answer": "no_objection", "answered_on": today.isoformat(),
        "scanned_form": upload("意见表.jpg", b"GIF89a not really", "image/jpeg"),
    })
    assert response.status_code == 200
    assert "只能上传PDF、JPG或PNG" in response.content.decode()
    assert not Consultation.objects.filter(nomination=ind).exists()


def test_consultation_on_a_returned_nomination_shows_service_message(client, login, quota, sent, today, users):
    login("district_yubei")
    ind = sent[0]
    services.return_nomination(ind, reason="补充材料", actor=users["district_yubei"])
    response = client.post(reverse("nominations:consultations", args=[quota.pk, ind.pk]), {
        "department": "discipline", "answer": "no_objection", "answered_on": today.isoformat(),
    })
    assert "不能记录征求意见" in response.content.decode()


def test_party_group_decision_is_recorded(client, login, quota, sent, today):
    login("district_yubei")
    response = client.post(_queue(quota), {
        "action": "party_group", "held_on": today.isoformat(), "meeting": "区知识产权局党组会", "summary": "同意推荐",
    })
    assert response.status_code == 302
    decision = PartyGroupDecision.objects.get(organisation=quota.organisation)
    assert decision.meeting == "区知识产权局党组会"
    assert "区知识产权局党组会" in client.get(_queue(quota)).content.decode()


def test_party_group_decision_missing_fields_keeps_input(client, login, quota, sent):
    login("district_yubei")
    response = client.post(_queue(quota), {"action": "party_group", "meeting": "区知识产权局党组会", "summary": ""})
    assert response.status_code == 200
    assert 'value="区知识产权局党组会"' in response.content.decode()
    assert not PartyGroupDecision.objects.exists()


def test_screening_ranking_saves_the_order(client, login, campaign, yubei, users, quota, org):
    staff = users["unit_yubei"]
    court = org("渝北区人民法院")
    a = individual(campaign, yubei, staff, seq=1, name="甲")
    b = individual(campaign, court, staff, seq=2, name="乙")
    submitted(campaign, yubei, staff, [a])
    submitted(campaign, court, staff, [b])
    screener = login("district_yubei")
    _accept_all([a, b], screener)
    url = reverse("nominations:screening_ranking", args=[quota.pk, Category.INDIVIDUAL])
    assert "甲" in client.get(url).content.decode()
    response = client.post(url, {f"pos_{a.pk}": "2", f"pos_{b.pk}": "1"})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (b.rank, a.rank) == (1, 2)


def test_screening_ranking_with_gap_is_refused(client, login, quota, sent):
    screener = login("district_yubei")
    _accept_all(sent[:1], screener)
    url = reverse("nominations:screening_ranking", args=[quota.pk, Category.INDIVIDUAL])
    response = client.post(url, {f"pos_{sent[0].pk}": "2"})
    assert response.status_code == 200
    sent[0].refresh_from_db()
    assert sent[0].rank is None


def test_submit_to_office_forwards_everything_accepted(client, login, campaign, quota, sent, today):
    screener = login("district_yubei")
    _accept_all(sent, screener)
    for n in sent:
        consult_all(n, screener)
        services.rank_nominations(quota=quota, category=n.category, ordered_ids=[n.pk], actor=screener)
    services.record_party_group_decision(campaign=campaign, organisation=quota.organisation, actor=screener,
                                         held_on=today, meeting="党组会", summary="同意")
    response = client.post(_queue(quota), {"action": "submit"})
    assert response.status_code == 302
    assert set(Nomination.objects.filter(pk__in=[n.pk for n in sent]).values_list("status", flat=True)) == {Status.FORWARDED}


def test_submit_without_party_group_decision_shows_service_message(client, login, quota, sent):
    screener = login("district_yubei")
    _accept_all(sent, screener)
    response = client.post(_queue(quota), {"action": "submit"})
    assert response.status_code == 200
    assert "尚未记录党组（委）集体研究意见" in response.content.decode()


def test_submit_after_the_deadline_is_refused_with_the_service_message(client, login, campaign, quota, sent, today):
    screener = login("district_yubei")
    _accept_all(sent, screener)
    Stage.objects.filter(campaign=campaign, key=StageKey.SUBMISSION).update(deadline=timezone.now() - dt.timedelta(minutes=5))
    response = client.post(_queue(quota), {"action": "submit"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "逾期不能再报送" in text and "已截止" in text
    assert not Nomination.objects.filter(status=Status.FORWARDED).exists()


def test_quota_progress_shows_use_and_counts_by_unit(client, login, quota, sent):
    screener = login("district_yubei")
    _accept_all(sent[:1], screener)
    response = client.get(reverse("nominations:quota_progress", args=[quota.pk]))
    assert response.status_code == 200
    lines = {line.quota.organisation.name: line.use for line in response.context["lines"]}
    assert lines["渝北区"] == [("先进集体", 0, 2), ("先进个人", 1, 2)]
    assert lines["渝北区知识产权局"] == [("先进集体", 0, 1), ("先进个人", 1, 1)]
    units = {u.unit.name: u.counts for u in response.context["units"]}
    assert units == {"渝北区知识产权保护中心": {"accepted": 1, "submitted": 1}}
    assert "已满" in response.content.decode()


def test_office_sees_forwarded_nominations_on_its_list(client, login, campaign, quota, sent, today, users):
    screener = users["district_yubei"]
    _accept_all(sent, screener)
    for n in sent:
        consult_all(n, screener)
        services.rank_nominations(quota=quota, category=n.category, ordered_ids=[n.pk], actor=screener)
    services.record_party_group_decision(campaign=campaign, organisation=quota.organisation, actor=screener,
                                         held_on=today, meeting="党组会", summary="同意")
    services.submit_to_office(quota=quota, actor=screener)
    login("office")
    text = client.get(reverse("nominations:index")).content.decode()
    assert "张三" in text and "已报送领导小组办公室" in text
