"""The office's pages: each action's effect, and each refusal's message shown in place."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from awards.models import CapRule, Stage, StageKey
from core.demo import LIVE_SLUG
from nominations import services as nomination_services
from orgs.models import User
from reviews import services
from reviews.models import CapDecision, Final, FormalMaterial, Meeting, Outcome, Review

from .helpers import (
    PDF,
    SPECS,
    TODAY,
    start_initial,
    through_comprehensive,
    through_initial,
    to_decision,
    vote_all,
)

pytestmark = pytest.mark.django_db
TODAY_AT = timezone.now()


def url(name, *args):
    return reverse(f"reviews:{name}", args=[LIVE_SLUG, *args])


@pytest.fixture
def office(client, users):
    client.force_login(users["office"])
    return users["office"]


def _stage(campaign, key):
    return Stage.objects.get(campaign=campaign, key=key)


# --- the stage bar ---------------------------------------------------------------------------------


def test_stage_bar_closes_submission_and_starts_initial_review(client, campaign, office, forwarded):
    forwarded(SPECS[:2])

    client.post(url("stage_action", StageKey.SUBMISSION, "close"))
    response = client.post(url("stage_action", StageKey.INITIAL_REVIEW, "start"), {"next": url("initial")}, follow=True)

    assert _stage(campaign, StageKey.SUBMISSION).closed_at is not None
    assert _stage(campaign, StageKey.INITIAL_REVIEW).started_at is not None
    assert Review.objects.filter(campaign=campaign).count() == 2
    assert response.redirect_chain[-1][0] == url("initial")
    assert "“领导小组办公室初审”已开始。" in response.content.decode()


def test_stage_bar_shows_the_refusal_to_start_out_of_order(client, campaign, office, forwarded):
    forwarded(SPECS[:1])
    start_initial(campaign, office)

    response = client.post(url("stage_action", StageKey.COMPREHENSIVE_REVIEW, "start"), follow=True)

    assert "须待“领导小组办公室初审”结束后，才能开始“领导小组综合评审”。" in response.content.decode()
    assert _stage(campaign, StageKey.COMPREHENSIVE_REVIEW).started_at is None


def test_stage_bar_shows_each_stage_with_its_state_in_words(client, campaign, office, forwarded):
    forwarded(SPECS[:1])
    start_initial(campaign, office)

    body = client.get(url("office")).content.decode()

    assert 'data-stage="submission" data-state="closed"' in body
    assert 'data-stage="initial_review" data-state="open"' in body
    assert 'data-stage="comprehensive_review" data-state="pending"' in body
    assert body.count("未开始") >= 6  # comprehensive … decision


def test_unknown_stage_action_is_404(client, office, forwarded):
    assert client.post(url("stage_action", "nonsense", "start")).status_code == 404
    assert client.post(url("stage_action", StageKey.INITIAL_REVIEW, "reopen")).status_code == 404


# --- initial review -------------------------------------------------------------------------------------


@pytest.fixture
def queue(campaign, office, forwarded, users):
    noms = forwarded(SPECS)
    # The district justified the in-principle rule on its division-level nominee (重庆 三).
    nomination_services.justify(noms[4], rule="division_level", text="该同志查办重大案件成效突出，确需推荐。", actor=users["dept_market"])
    start_initial(campaign, office)
    return noms


def _review(nom):
    return Review.objects.get(nomination=nom)


def test_queue_lists_by_category_and_holder_in_submitter_ranking_with_lower_level_justifications(client, queue):
    body = client.get(url("initial")).content.decode()

    assert "该同志查办重大案件成效突出，确需推荐。" in body
    assert "周 涛" in body  # who wrote the justification
    assert "各单位原则上不推荐处级干部" in body  # the warning itself
    collectives = body.index('id="cat-collective"')
    individuals = body.index('id="cat-individual"')
    assert collectives < body.index(f'data-nomination="{queue[1].pk}"') < individuals
    assert individuals < body.index(f'data-nomination="{queue[0].pk}"')


def test_queue_filters_by_category(client, queue):
    body = client.get(url("initial") + "?category=collective").content.decode()

    assert f'data-nomination="{queue[1].pk}"' in body
    assert f'data-nomination="{queue[0].pk}"' not in body


def test_police_opinion_is_recorded_with_the_scanned_form(client, queue):
    review = _review(queue[0])
    scan = SimpleUploadedFile("扫描.pdf", PDF, content_type="application/pdf")

    response = client.post(url("initial"), {
        "action": "police", "review": review.pk, f"p{review.pk}-answer": "no_objection",
        f"p{review.pk}-answered_on": "2026-11-20", f"p{review.pk}-form": scan,
    })

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.police_answer, str(review.police_answered_on)) == ("no_objection", "2026-11-20")
    assert review.police_form.name.endswith(".pdf") and "扫描" not in review.police_form.name
    download = client.get(url("police_form", review.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_police_form_that_is_not_a_pdf_or_image_is_refused(client, queue):
    review = _review(queue[0])
    fake = SimpleUploadedFile("form.pdf", b"MZ not a pdf", content_type="application/pdf")

    response = client.post(url("initial"), {
        "action": "police", "review": review.pk, f"p{review.pk}-answer": "no_objection",
        f"p{review.pk}-answered_on": "2026-11-20", f"p{review.pk}-form": fake,
    })

    assert response.status_code == 400
    assert "只能上传PDF、JPG或PNG格式的文件" in response.content.decode()
    review.refresh_from_db()
    assert review.police_answer == ""


def test_passing_without_the_police_opinion_shows_the_service_message(client, queue):
    review = _review(queue[0])

    response = client.post(url("initial"), {"action": "decide", "review": review.pk, f"d{review.pk}-passed": "1"})

    assert response.status_code == 400
    body = response.content.decode()
    assert f"{queue[0].display_name}：尚未记录公安部门意见。" in body
    assert 'data-testid="row-error"' in body
    assert _review(queue[0]).initial == Outcome.PENDING


def test_rejecting_needs_a_reason_and_then_records_it(client, queue, users):
    review = _review(queue[1])

    refused = client.post(url("initial"), {"action": "decide", "review": review.pk, f"d{review.pk}-passed": "0"})
    done = client.post(url("initial"), {
        "action": "decide", "review": review.pk, f"d{review.pk}-passed": "0", f"d{review.pk}-reason": "事迹不够突出",
    })

    assert "初审不通过须填写理由。" in refused.content.decode()
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.initial, review.initial_reason, review.initial_by) == (Outcome.REJECTED, "事迹不够突出", users["office"])


def test_passing_after_the_police_opinion(client, queue, office):
    review = _review(queue[2])
    services.record_police_opinion(review, answer="no_objection", answered_on=TODAY, actor=office)

    response = client.post(url("initial"), {"action": "decide", "review": review.pk, f"d{review.pk}-passed": "1"}, follow=True)

    assert _review(queue[2]).initial == Outcome.PASSED
    assert f"{queue[2].display_name}：初审通过。" in response.content.decode()


def test_a_review_of_another_campaign_is_404(client, queue):
    assert client.post(url("initial"), {"action": "decide", "review": 999999}).status_code == 404


def test_queue_is_read_only_once_the_stage_has_closed(client, campaign, office, forwarded):
    forwarded(SPECS[:1])
    through_initial(campaign, office)

    body = client.get(url("initial")).content.decode()

    assert "初审阶段当前未在进行中，只能查看。" in body
    assert 'name="action" value="decide"' not in body


# --- comprehensive review ------------------------------------------------------------------------------------


def test_tally_button_proposes_the_list(client, campaign, office, forwarded, members):
    forwarded(SPECS[:3])
    through_initial(campaign, office)
    vote_all(campaign, members)

    response = client.post(url("comprehensive"), {"action": "tally"}, follow=True)

    assert "已统计表决结果，拟表彰3个。" in response.content.decode()
    assert Review.objects.filter(campaign=campaign, proposed=True).count() == 3


def test_vote_progress_counts_each_member_with_conflicts(client, campaign, office, forwarded, members):
    forwarded(SPECS[:3])
    through_initial(campaign, office)
    services.cast_vote(Review.objects.get(nomination__unit__name="沙坪坝区知识产权维权援助中心"), member=members[1], choice="approve")

    data = client.get(url("comprehensive")).context["data"]

    progress = {m.member.username: (m.cast, m.eligible, m.conflicts) for m in data.members}
    # member_yb (渝北区知识产权局) must stand aside on the two 渝北 nominees.
    assert progress["member_yb"] == (1, 1, 2)
    assert progress["member_liu"] == (0, 3, 0)


def test_set_and_unset_proposed(client, campaign, office, forwarded, members):
    noms = forwarded(SPECS[:2])
    through_initial(campaign, office)
    review = _review(noms[0])

    client.post(url("comprehensive"), {"action": "propose", "review": review.pk, "proposed": "1"})
    review.refresh_from_db()
    assert (review.proposed, review.proposed_rank) == (True, 1)

    client.post(url("comprehensive"), {"action": "propose", "review": review.pk, "proposed": "0"})
    review.refresh_from_db()
    assert (review.proposed, review.proposed_rank) == (False, None)


def test_absolute_cap_refusal_is_shown_on_the_row(client, campaign, office, forwarded):
    noms = forwarded(SPECS)
    cap = campaign.caps.get(counts=CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
    cap.mode, cap.percent = CapRule.Mode.ABSOLUTE, 1  # floor(0.5) = 0
    cap.save()
    through_initial(campaign, office)
    division = _review(noms[4])

    response = client.post(url("comprehensive"), {"action": "propose", "review": division.pk, "proposed": "1"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "刚性要求，不得突破" in body
    assert 'data-testid="row-error"' in body
    division.refresh_from_db()
    assert division.proposed is False


@pytest.fixture
def exceeded(campaign, office, forwarded, members):
    """The division-level cap tightened to 0 so that the one 处级 nominee exceeds it."""
    noms = forwarded(SPECS)
    cap = campaign.caps.get(counts=CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS)
    cap.percent = 1
    cap.save()
    through_initial(campaign, office)
    vote_all(campaign, members)
    services.tally(campaign, actor=office)
    return cap, noms


def test_proposed_list_shows_live_caps_with_their_state_in_words(client, exceeded):
    cap, _noms = exceeded

    body = client.get(url("comprehensive")).content.decode()

    row = body[body.index(f'data-cap="{cap.pk}"'):]
    row = row[: row.index("</tr>")]
    assert 'data-testid="cap-count">1<' in row
    assert 'data-testid="cap-limit">0<' in row
    assert "超出原则性比例，须领导小组决定" in row


def test_cap_decision_is_recorded_and_shown_on_the_list_and_in_the_export(client, exceeded):
    cap, _noms = exceeded
    reason = "该同志办理重大案件成效突出，经领导小组研究同意。"

    response = client.post(url("comprehensive"), {
        "action": "cap_decision", "cap": cap.pk, "allowed_count": 1, "meeting": "领导小组第1次会议",
        "held_on": "2026-11-23", "reason": reason,
    }, follow=True)

    assert CapDecision.objects.get(cap=cap).allowed_count == 1
    body = response.content.decode()
    row = body[body.index(f'data-cap="{cap.pk}"'):]
    row = row[: row.index("</tr>")]
    assert "经领导小组决定突破" in row and reason in row and "领导小组第1次会议" in row

    from openpyxl import load_workbook

    export = client.get(url("comprehensive_export"))
    book = load_workbook(io.BytesIO(export.content))
    listed = " ".join(str(c.value) for row in book["拟表彰名单"].iter_rows() for c in row if c.value)
    caps_sheet = " ".join(str(c.value) for row in book["比例使用与领导小组决定"].iter_rows() for c in row if c.value)
    assert reason in listed and reason in caps_sheet
    assert "经领导小组决定突破" in caps_sheet


def test_cap_decision_with_a_short_reason_shows_the_service_message(client, exceeded):
    cap, _noms = exceeded

    response = client.post(url("comprehensive"), {
        "action": "cap_decision", "cap": cap.pk, "allowed_count": 1, "meeting": "会议", "held_on": "2026-11-23", "reason": "同意",
    })

    assert response.status_code == 400
    assert "请写明突破比例的理由（至少10个字）。" in response.content.decode()
    assert not CapDecision.objects.exists()


def test_cap_decision_on_an_absolute_cap_is_refused(client, campaign, exceeded):
    cap, _noms = exceeded
    cap.mode = CapRule.Mode.ABSOLUTE
    cap.save()

    response = client.post(url("comprehensive"), {
        "action": "cap_decision", "cap": cap.pk, "allowed_count": 1, "meeting": "会议", "held_on": "2026-11-23",
        "reason": "理由理由理由理由理由理由",
    })

    assert "为刚性比例，不能以领导小组决定突破。" in response.content.decode()


def test_comprehensive_meeting_is_recorded(client, campaign, exceeded):
    response = client.post(url("comprehensive"), {
        "action": "meeting", "m-title": "领导小组2026年第1次会议", "m-held_on": "2026-11-23", "m-summary": "综合评审，形成拟表彰名单",
    }, follow=True)

    meeting = Meeting.objects.get(campaign=campaign)
    assert (meeting.kind, meeting.title) == (Meeting.Kind.COMPREHENSIVE, "领导小组2026年第1次会议")
    assert "领导小组2026年第1次会议" in response.content.decode()


def test_closing_comprehensive_without_a_decision_shows_the_cap_refusal(client, campaign, exceeded, office):
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="会", held_on=TODAY, summary="评", actor=office)

    response = client.post(url("stage_action", StageKey.COMPREHENSIVE_REVIEW, "close"), follow=True)

    assert "原则上不得突破，确需突破的须记录领导小组决定。" in response.content.decode()


# --- re-review, party group, decision ---------------------------------------------------------------------------


def test_re_review_shows_materials_and_refuses_incomplete_ones(client, campaign, office, forwarded, members):
    from django.core.files.base import ContentFile

    from .helpers import through_feedback

    noms = forwarded(SPECS[:2])
    through_comprehensive(campaign, office, members)
    for n in noms:
        n.refresh_from_db()
    through_feedback(campaign, office, noms)
    review = _review(noms[0])
    services.upload_material(review, kind=FormalMaterial.Kind.APPROVAL_FORM, file=ContentFile(PDF, name="a.pdf"), copies=3, actor=office)
    services.close_stage(campaign, StageKey.FORMAL_MATERIALS, actor=office)
    services.start_stage(campaign, StageKey.RE_REVIEW, actor=office)

    page = client.get(url("re_review")).content.decode()
    refused = client.post(url("re_review"), {"action": "decide", "review": review.pk, f"d{review.pk}-passed": "1"})

    assert "推荐审批表 · 3份" in page
    assert "缺少：附件5《推荐对象征求意见表》" in page
    assert "正式推荐材料不全，缺少附件5《推荐对象征求意见表》。" in refused.content.decode()
    rejected = client.post(url("re_review"), {
        "action": "decide", "review": review.pk, f"d{review.pk}-passed": "0", f"d{review.pk}-reason": "材料逾期未报",
    })
    assert rejected.status_code == 302
    assert _review(noms[0]).re_review == Outcome.REJECTED
    party = client.post(url("re_review"), {
        "action": "party_group", "m-title": "市知识产权局党组会议", "m-held_on": "2026-11-23", "m-summary": "研究同意",
    })
    assert party.status_code == 302
    assert Meeting.objects.get(campaign=campaign, kind=Meeting.Kind.PARTY_GROUP).summary == "研究同意"


@pytest.fixture
def at_decision(campaign, office, forwarded, members):
    noms = forwarded(SPECS[:4])
    to_decision(campaign, office, members, noms)
    return noms


def test_decision_page_lists_the_final_list_and_issues_the_decision(client, campaign, at_decision):
    page = client.get(url("decision"))
    assert page.context["data"].total == 4

    response = client.post(url("decision"), {
        "action": "issue", "title": "渝人社发〔2026〕1号", "held_on": "2026-11-23", "summary": "表彰决定",
    }, follow=True)

    assert Review.objects.filter(campaign=campaign, final=Final.AWARDED).count() == 4
    body = response.content.decode()
    assert "已作出表彰决定：渝人社发〔2026〕1号" in body
    assert body.count("重庆市知识产权保护工作先进个人") >= 2
    campaign.refresh_from_db()
    assert campaign.status == "decided"


def test_decision_document_reads_like_an_official_decision(client, campaign, office, at_decision):
    services.issue_decision(campaign, title="渝人社发〔2026〕1号", held_on=TODAY, summary="表彰决定", actor=office)

    body = client.get(url("decision_document")).content.decode()

    assert "关于表彰重庆市知识产权保护工作先进集体和先进个人的决定" in body
    assert "渝人社发〔2026〕1号" in body
    assert "重庆市人力资源和社会保障局" in body and "重庆市知识产权局" in body
    assert "2026年11月23日" in body
    for nom in at_decision:
        assert nom.display_name in body
    assert "<script>" not in body and "onclick" not in body


def test_issuing_a_decision_before_the_stage_opens_shows_the_message(client, campaign, office, forwarded):
    forwarded(SPECS[:1])
    start_initial(campaign, office)

    response = client.post(url("decision"), {"action": "issue", "title": "文号", "held_on": "2026-11-23", "summary": "决定"})

    assert "“联合行文表彰”尚未开始。" in response.content.decode()


def test_revocation_is_shown_everywhere_the_nominee_appears(client, campaign, office, at_decision):
    services.issue_decision(campaign, title="渝人社发〔2026〕1号", held_on=TODAY, summary="表彰决定", actor=office)
    review = _review(at_decision[0])

    refused = client.post(url("decision"), {"action": "revoke", "review": review.pk, f"v{review.pk}-reason": "",
                                            f"v{review.pk}-decision_title": "", f"v{review.pk}-held_on": "2026-12-01"})
    response = client.post(url("decision"), {
        "action": "revoke", "review": review.pk, f"v{review.pk}-reason": "经查实存在违法行为",
        f"v{review.pk}-decision_title": "渝人社发〔2026〕9号", f"v{review.pk}-held_on": "2026-12-01",
    }, follow=True)

    assert refused.status_code == 400
    review.refresh_from_db()
    assert (review.final, review.final_reason) == (Final.REVOKED, "经查实存在违法行为")
    assert "已撤销表彰" in response.content.decode()
    assert Meeting.objects.filter(campaign=campaign, kind=Meeting.Kind.REVOCATION, title="渝人社发〔2026〕9号").exists()
    for page in ("initial", "comprehensive", "re_review", "decision_document", "dashboard"):
        body = client.get(url(page)).content.decode()
        assert "已撤销表彰" in body, page
        assert "经查实存在违法行为" in body, page
    # The dashboard counts three awards now.
    assert client.get(url("dashboard")).context["data"].total("final") == 3


def test_dashboard_counts_every_stage(client, campaign, office, at_decision):
    services.issue_decision(campaign, title="渝人社发〔2026〕1号", held_on=TODAY, summary="表彰决定", actor=office)

    data = client.get(url("dashboard")).context["data"]

    assert [(s.key, s.total) for s in data.stage_counts] == [("submitted", 4), ("initial", 4), ("proposed", 4), ("final", 4)]
    assert data.submitted_count == 3  # 渝北区, 沙坪坝区, 九龙坡区
    holders = {d.key: dict(d.rows) for d in data.distributions}
    assert holders["holder"]["渝北区"]["final"] == 2


def test_tally_before_the_stage_opens_shows_the_message_at_the_top(client, campaign, office, forwarded):
    forwarded(SPECS[:1])
    start_initial(campaign, office)

    response = client.post(url("comprehensive"), {"action": "tally"})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="page-error">“领导小组综合评审”尚未开始。<' in body


def test_re_review_of_a_nominee_not_on_the_list_shows_the_message_at_the_top(client, campaign, office, forwarded, members):
    noms = forwarded(SPECS[:2])
    through_initial(campaign, office)
    services.set_proposed(_review(noms[0]), proposed=True, actor=office)
    Stage.objects.filter(campaign=campaign).update(started_at=None, closed_at=None)
    Stage.objects.filter(campaign=campaign, key=StageKey.RE_REVIEW).update(started_at=TODAY_AT)
    other = _review(noms[1])

    response = client.post(url("re_review"), {"action": "decide", "review": other.pk, f"d{other.pk}-passed": "0",
                                              f"d{other.pk}-reason": "不在名单"})

    assert 'data-testid="page-error">只有拟表彰对象需要复审。<' in response.content.decode()


def test_cap_decision_is_shown_on_the_final_list_the_document_and_the_final_export(client, campaign, office, members, exceeded):
    from openpyxl import load_workbook

    from .helpers import through_feedback, through_final_publicity, through_re_review, upload_all

    cap, noms = exceeded
    reason = "该同志办理重大案件成效突出，经领导小组研究同意。"
    services.record_cap_decision(campaign=campaign, cap=cap, allowed_count=1, meeting="领导小组第1次会议", held_on=TODAY,
                                 reason=reason, actor=office)
    services.record_meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="会", held_on=TODAY, summary="评", actor=office)
    services.close_stage(campaign, StageKey.COMPREHENSIVE_REVIEW, actor=office)
    services.start_stage(campaign, StageKey.FEEDBACK_PUBLICITY, actor=office)
    for n in noms:
        n.refresh_from_db()
    through_feedback(campaign, office, noms)
    upload_all(campaign, office)
    through_re_review(campaign, office)
    through_final_publicity(campaign, office)

    decision = client.get(url("decision")).content.decode()
    document = client.get(url("decision_document")).content.decode()
    book = load_workbook(io.BytesIO(client.get(url("final_export")).content))
    exported = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)

    assert reason in decision and "经领导小组决定突破" in decision
    assert reason in document and 'data-testid="doc-cap-decision"' in document
    assert reason in exported and "经领导小组决定突破" in exported


def test_a_nominee_removed_by_an_upheld_final_objection_shows_as_cancelled_without_backfill(client, campaign, office, forwarded, members):
    from openpyxl import load_workbook

    from publicity import services as publicity
    from publicity.models import Scope

    from .helpers import through_feedback, through_re_review, upload_all

    noms = forwarded(SPECS[:4])
    through_comprehensive(campaign, office, members)
    for n in noms:
        n.refresh_from_db()
    through_feedback(campaign, office, noms)
    upload_all(campaign, office)
    through_re_review(campaign, office)
    notice = publicity.open_notice(campaign=campaign, scope=Scope.FINAL, issuer=campaign.office,
                                   nominations=services.final_nominations(campaign), actor=office, contact="023-67539940")
    objection = publicity.file_objection(entry=notice.entries.get(nomination=noms[2]), name="公众甲", contact="139",
                                         facts="该同志曾受到党内警告处分，不宜表彰。", client="t")
    publicity.record_investigation(objection, text="经核实属实。", actor=office)
    publicity.conclude_objection(objection, upheld=True, conclusion="异议成立", public_reply="经核实属实。", actor=office)
    publicity.close_notice(notice.pk, now=notice.closes_at)
    services.close_stage(campaign, StageKey.FINAL_PUBLICITY, actor=office)
    services.start_stage(campaign, StageKey.DECISION, actor=office)

    page = client.get(url("decision"))
    book = load_workbook(io.BytesIO(client.get(url("final_export")).content))
    exported = [[c.value for c in row] for row in book["表彰名单"].iter_rows()]

    data = page.context["data"]
    assert data.total == 3
    assert [row.nom.pk for row in data.cancelled] == [noms[2].pk]
    cancelled = page.content.decode().split('data-testid="cancelled"')[1]
    assert "先进个人" in cancelled and noms[2].display_name in cancelled and "不予递补" in cancelled
    names = [r[2] for r in exported if r and r[2]]
    assert noms[2].display_name in names  # listed once, under 取消评选资格
    assert ["取消评选资格（不予递补）"] == [r[0] for r in exported if r and r[0] == "取消评选资格（不予递补）"]
    client.force_login(User.objects.get(username="district_spb"))
    feedback = client.get(reverse("reviews:feedback", args=[LIVE_SLUG])).content.decode()
    assert "已取消评选资格" in feedback and "先进个人" in feedback


def test_queue_filters_by_holder_and_outcome(client, queue, office):
    services.decide_initial(_review(queue[1]), passed=False, reason="不符合条件", actor=office)
    market = queue[4].quota.organisation

    by_holder = client.get(url("initial") + f"?holder={market.pk}").content.decode()
    rejected = client.get(url("initial") + "?outcome=rejected").content.decode()

    assert f'data-nomination="{queue[4].pk}"' in by_holder and f'data-nomination="{queue[0].pk}"' not in by_holder
    assert f'data-nomination="{queue[1].pk}"' in rejected and f'data-nomination="{queue[0].pk}"' not in rejected
