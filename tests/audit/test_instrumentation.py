"""One audit row per action, with every field: time, user, role, action, object, outcome, client address."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from awards.models import CapRule, StageKey
from nominations import services as nominations
from nominations.models import Status
from publicity import services as publicity
from publicity.models import Scope
from reviews import services
from reviews.models import Meeting, Review
from tests.chain.helpers import individual

from .helpers import assert_complete, serving

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
SPECS = [
    ("渝北区人民法院", "individual", {}),
    ("渝北区知识产权保护中心", "collective", {}),
    ("沙坪坝区知识产权维权援助中心", "individual", {}),
    ("法规处", "individual", {"rank_grade": "division"}),
]


def _rows(since, **filters):
    return list(AuditEvent.objects.filter(pk__gt=since, **filters).order_by("id"))


def _last_id():
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def test_nomination_state_changes_and_unit_ranking(campaign, users, org, django_capture_on_commit_callbacks):
    since = _last_id()
    unit = org("渝北区人民法院")
    staff = users["unit_yubei"]
    with serving(staff, "10.1.2.3"), django_capture_on_commit_callbacks(execute=True):
        first = individual(campaign, unit, staff, seq=301)
        second = individual(campaign, unit, staff, seq=302)
        nominations.rank_unit(campaign=campaign, unit=unit, ordered_ids=[second.pk, first.pk], actor=staff)
        nominations.withdraw_nomination(first, reason="本人申请不再参评", actor=staff)
    created = _rows(since, action=Action.STATE_CHANGE, object_id=str(first.pk))
    assert [(r.detail["原状态"], r.detail["新状态"]) for r in created] == [("", Status.DRAFT), (Status.DRAFT, Status.WITHDRAWN)]
    for row in created:
        assert_complete(row)
        assert (row.username, row.role, row.client_ip, row.object_type, row.outcome) == (
            "unit_yubei", "unit_staff", "10.1.2.3", "nominations.nomination", Outcome.SUCCESS)
    assert created[1].detail["原因"] == "本人申请不再参评"
    ranking = _rows(since, action=Action.RANKING)
    assert len(ranking) == 1
    assert_complete(ranking[0])
    assert (ranking[0].object_id, ranking[0].detail["新顺序"]) == (str(unit.pk), [second.pk, first.pk])
    # No ID number or phone in the trail.
    text = " ".join(str(r.detail) + r.object_repr for r in _rows(since))
    assert first.id_number not in text and "13800138000" not in text


def test_rolled_back_change_leaves_no_row(campaign, users, org, django_capture_on_commit_callbacks):
    since = _last_id()
    staff = users["unit_yubei"]
    with serving(staff), django_capture_on_commit_callbacks(execute=True):
        nom = individual(campaign, org("渝北区人民法院"), staff, seq=303)
        with pytest.raises(RuntimeError), transaction.atomic():
            nominations.withdraw_nomination(nom, reason="本人申请不再参评", actor=staff)
            raise RuntimeError("a later step fails: the withdrawal is rolled back")
    assert [r.detail["新状态"] for r in _rows(since, action=Action.STATE_CHANGE)] == [Status.DRAFT]


def test_office_walk_records_stages_votes_scores_caps_publicity(campaign, users, forwarded, members, django_capture_on_commit_callbacks):
    office = users["office"]
    since = _last_id()
    noms = forwarded(SPECS)
    with serving(office, "10.9.8.7"), django_capture_on_commit_callbacks(execute=True):
        services.close_stage(campaign, StageKey.SUBMISSION, actor=office)
        services.start_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
        for review in Review.objects.filter(campaign=campaign):
            services.record_police_opinion(review, answer="no_objection", answered_on=TODAY, actor=office)
            services.decide_initial(review, passed=True, actor=office)
        services.close_stage(campaign, StageKey.INITIAL_REVIEW, actor=office)
        services.start_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
        cap = campaign.caps.get(counts=CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
        cap.percent = 1
        cap.save()
    for member in members:
        with serving(member, "10.5.5.5"), django_capture_on_commit_callbacks(execute=True):
            for r in Review.objects.filter(campaign=campaign):
                if not services.has_conflict(member, r.nomination):
                    services.cast_vote(r, member=member, choice="approve")
    with serving(office, "10.9.8.7"), django_capture_on_commit_callbacks(execute=True):
        services.tally(campaign, actor=office)
        services.record_meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="领导小组第1次会议", held_on=TODAY,
                                summary="综合评审", actor=office)
        services.record_cap_decision(campaign=campaign, cap=cap, allowed_count=1, meeting="领导小组第1次会议", held_on=TODAY,
                                     reason="该同志办理重大案件成效突出，经领导小组研究同意。", actor=office)
        services.close_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
        services.start_stage(campaign, StageKey.FEEDBACK_PUBLICITY, actor=office)
        quota_org = noms[0].quota.organisation
        mine = [n for n in noms if n.quota.organisation == quota_org]
        notice = publicity.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=quota_org, nominations=mine,
                                       actor=office, contact="023-1")
    with serving(AnonymousUser(), "203.0.113.9"), django_capture_on_commit_callbacks(execute=True):
        objection = publicity.file_objection(entry=notice.entries.first(), name="公众甲", contact="13900000000",
                                             facts="该同志曾受到党内警告处分，不宜表彰。", client="x")
    with serving(office, "10.9.8.7"), django_capture_on_commit_callbacks(execute=True):
        publicity.record_investigation(objection, text="经核实，反映不属实。", actor=office)
        publicity.conclude_objection(objection, upheld=False, conclusion="异议不成立", public_reply="经核实，反映不属实。", actor=office)
        publicity.close_notice(notice.pk, now=notice.closes_at)

    rows = _rows(since)
    by_change = {}
    for row in rows:
        by_change.setdefault((row.action, row.detail.get("变更")), []).append(row)
    expected = [
        (Action.STATE_CHANGE, "阶段结束"), (Action.STATE_CHANGE, "阶段开始"), (Action.STATE_CHANGE, "记录公安部门意见"),
        (Action.STATE_CHANGE, "初审"), (Action.SCORE, "投票"), (Action.RANKING, "计票并生成拟表彰名单"),
        (Action.STATE_CHANGE, "记录会议"), (Action.STATE_CHANGE, "领导小组决定突破比例"), (Action.STATE_CHANGE, "发布公示"),
        (Action.STATE_CHANGE, "受理异议"), (Action.STATE_CHANGE, "记录核查情况"), (Action.STATE_CHANGE, "异议办结"),
        (Action.STATE_CHANGE, "公示期满关闭"), (Action.CONFIG, "修改"),
    ]
    for key in expected:
        assert key in by_change, key
        for row in by_change[key]:
            if key == (Action.STATE_CHANGE, "受理异议"):
                # Filed by the public: no account, but the address and a name for the actor.
                assert (row.username, row.client_ip, row.object_repr) == ("公众（实名异议人）", "203.0.113.9", f"异议{objection.receipt_code}")
                assert "公众甲" not in str(row.detail) and "13900000000" not in str(row.detail)
                continue
            assert_complete(row)
    votes = by_change[(Action.SCORE, "投票")]
    assert {r.username for r in votes} == {m.username for m in members}
    assert all(r.role == "group_member" and r.client_ip == "10.5.5.5" and r.detail["表决"] == "approve" for r in votes)
    config = next(r for r in by_change[(Action.CONFIG, "修改")] if r.object_type == "awards.caprule")
    assert (config.object_type, config.username, config.client_ip) == ("awards.caprule", "office", "10.9.8.7")
    assert len(config.detail["字段"]) == 1
    closed = by_change[(Action.STATE_CHANGE, "阶段结束")][0]
    assert (closed.object_type, closed.username, closed.role, closed.client_ip) == ("awards.stage", "office", "office", "10.9.8.7")
    # A stage's start and close are state changes, not configuration changes.
    stage_fields = {f for r in rows if r.action == Action.CONFIG and r.object_type == "awards.stage" for f in r.detail["字段"]}
    assert not stage_fields & {"实际开始", "实际结束"}


def test_scheduled_close_is_recorded_as_the_system(campaign, users, forwarded, django_capture_on_commit_callbacks):
    """No request, no user: a window closing on time says so."""
    office = users["office"]
    noms = forwarded(SPECS[:1])
    services.close_stage(campaign, StageKey.SUBMISSION, actor=office)
    notice = publicity.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=noms[0].quota.organisation,
                                   nominations=noms, actor=office, contact="023-1")
    since = _last_id()
    with django_capture_on_commit_callbacks(execute=True):
        publicity.close_notice(notice.pk, now=notice.closes_at)
    (row,) = _rows(since, action=Action.STATE_CHANGE, object_type="publicity.notice")
    assert (row.username, row.detail["变更"], row.detail["clean"]) == ("系统", "公示期满关闭", 1)


def test_decision_and_revocation_recorded(campaign, users, forwarded, members, django_capture_on_commit_callbacks):
    from tests.reviews.helpers import to_decision

    office = users["office"]
    noms = forwarded(SPECS[:3])
    to_decision(campaign, office, members, noms)
    since = _last_id()
    with serving(office), django_capture_on_commit_callbacks(execute=True):
        services.issue_decision(campaign, title="渝人社发〔2026〕1号", held_on=TODAY, summary="表彰决定", actor=office)
        review = Review.objects.filter(campaign=campaign, final="awarded").first()
        services.revoke_award(review, reason="经查实存在违法行为", decision_title="撤销决定", held_on=TODAY, actor=office)
    changes = [r.detail.get("变更") for r in _rows(since, action=Action.STATE_CHANGE)]
    assert "作出表彰决定" in changes and "撤销表彰" in changes
    for row in _rows(since):
        assert_complete(row)


def test_config_change_names_the_fields_not_the_values(campaign, users, django_capture_on_commit_callbacks):
    since = _last_id()
    with serving(users["admin"], "10.0.0.1"), django_capture_on_commit_callbacks(execute=True):
        campaign.contact = "联系人：王五，电话 023-88888888"
        campaign.vote_pass_percent = 60
        campaign.save()
        quota = campaign.quotas.first()
        quota.individual_max += 1
        quota.save()
        form = campaign.forms.first()
        form.copies = 4
        form.save()
    rows = _rows(since, action=Action.CONFIG)
    assert {r.object_type for r in rows} == {"awards.campaign", "awards.quota", "awards.campaignform"}
    for row in rows:
        assert_complete(row)
        assert (row.username, row.client_ip) == ("admin", "10.0.0.1")
    camp = next(r for r in rows if r.object_type == "awards.campaign")
    assert camp.detail["变更"] == "修改" and len(camp.detail["字段"]) == 2
    assert "88888888" not in str(camp.detail)


def test_exports_imports_and_downloads_through_the_pages(campaign, users, login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    since = _last_id()
    office = login("office")
    assert office.get(reverse("nominations_io:export_office", args=[campaign.slug])).status_code == 200
    assert office.get(reverse("reviews:final_export", args=[campaign.slug])).status_code == 200
    assert office.get(reverse("nominations_io:template", args=[campaign.slug, "individual"])).status_code == 200
    unit = login("unit_yubei")
    unit_org = users["unit_yubei"].organisation
    template = unit.get(reverse("nominations_io:template", args=[campaign.slug, "individual"]))
    upload = reverse("nominations_io:upload", args=[campaign.slug, unit_org.pk])
    unit.post(upload, {"category": "individual", "file": ContentFile(b"not a workbook", name="名单.xlsx")})
    unit.post(upload, {"category": "individual", "file": ContentFile(b"".join(template.streaming_content), name="名单.xlsx")})
    rows = _rows(since)
    kinds = {(r.action, r.username) for r in rows}
    assert {(Action.EXPORT, "office"), (Action.DOWNLOAD, "office"), (Action.IMPORT, "unit_yubei")} <= kinds
    for row in rows:
        assert_complete(row)
        assert row.client_ip == "127.0.0.1"
    imports = [(r.outcome, r.object_type, r.detail["文件"]) for r in rows if r.action == Action.IMPORT]
    assert imports == [(Outcome.FAILURE, "orgs.organisation", "名单.xlsx"), (Outcome.SUCCESS, "nominations.importjob", "名单.xlsx")]
    exports = [r for r in rows if r.action == Action.EXPORT]
    assert f"{campaign.slug}-表彰名单.xlsx" in {r.detail["文件"] for r in exports}
