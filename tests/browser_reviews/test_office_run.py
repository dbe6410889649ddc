"""The Chongqing demo campaign run in real Chromium, from the districts' submissions to the decision
(issue 5): initial review by the office, the leading group's votes, feedback to the districts,
their publicity and formal materials, re-review and the party group, the city-wide publicity with
an upheld objection (the nominee is removed, no backfill), and the decision. The final list on the
decision page and the counts on the dashboard must agree.

What the users do, they do in the browser; what only the clock does (a 5-working-day window
closing) the test does with ``publicity.services.close_notice(pk, now=closes_at)``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.pdf import PDF

pytestmark = pytest.mark.browser

SLUG = "cq-demo"
STAGE = {
    "submission": "区县/市级部门审核推荐并上传初审材料",
    "initial": "领导小组办公室初审",
    "comprehensive": "领导小组综合评审",
    "feedback": "反馈名单，区县和市级部门公示",
    "materials": "报送正式推荐材料（附件3、附件4，一式3份）",
    "re_review": "复审及市知识产权局党组会议研究",
    "final": "全市范围公示",
    "decision": "联合行文表彰",
}
SCREENSHOTS = settings.VAR_DIR / "screenshots"


def submit(page, control):
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        control.click()


def stage(page, verb: str, key: str):
    submit(page, page.get_by_role("button", name=f"{verb}“{STAGE[key]}”"))
    done = "已开始" if verb == "开始" else "已结束"
    body = page.locator("main").inner_text()
    assert f"“{STAGE[key]}”{done}。" in body, body[:600]


def _submitted_nominations():
    """What the districts and departments sent the office, made at the service level
    (as tests/reviews/conftest.py ``forwarded`` does): FORWARDED, ranked, with a Submission each."""
    from awards.models import Campaign, Stage, StageKey
    from nominations.models import Nomination, Status, Submission
    from orgs.models import Organisation, User
    from tests.chain.helpers import collective, individual

    campaign = Campaign.objects.get(slug=SLUG)
    staff = User.objects.get(username="unit_yubei")
    specs = [
        ("渝北区人民法院", "individual", {"name": "李明华", "post": "渝北区人民法院知识产权审判庭法官"}),
        ("渝北区知识产权保护中心", "collective", {}),
        ("沙坪坝区知识产权维权援助中心", "individual", {"name": "陈思远", "post": "维权援助中心主任"}),
        ("沙坪坝区高校知识产权服务站", "collective", {}),
        ("九龙坡区市场监督管理综合行政执法支队", "collective", {}),
        ("重庆市市场监督管理局执法总队", "individual", {"name": "周建平", "post": "执法总队办案人员"}),
    ]
    made, ranks = [], {}
    for i, (unit_name, category, extra) in enumerate(specs):
        unit = Organisation.objects.get(name=unit_name)
        if category == "individual":
            nom = individual(campaign, unit, staff, seq=300 + i, **extra)
        else:
            nom = collective(campaign, unit, staff, leaders=(), **extra)
        key = (nom.quota_id, category)
        ranks[key] = ranks.get(key, 0) + 1
        Nomination.objects.filter(pk=nom.pk).update(status=Status.FORWARDED, rank=ranks[key])
        nom.refresh_from_db()
        made.append(nom)
    screeners = {"渝北区": "district_yubei", "沙坪坝区": "district_spb", "市市场监督管理局": "dept_market"}
    for quota in {n.quota for n in made}:
        by = User.objects.get(username=screeners.get(quota.organisation.name, "office"))
        Submission.objects.create(campaign=campaign, quota=quota, submitted_by=by, ranking={})
    Stage.objects.filter(campaign=campaign, key=StageKey.SUBMISSION).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    return campaign, made


@pytest.mark.django_db(transaction=True)
def test_office_runs_the_chongqing_campaign_to_the_decision(live_server, new_page, log_in, media_root, settings):
    from core.demo import load_demo
    from nominations.models import Status
    from orgs.models import User
    from publicity import services as publicity
    from publicity.models import Notice, Objection, Scope
    from reviews import services
    from reviews.models import Final, FormalMaterial, Review

    settings.OBJECTION_MIN_FILL_SECONDS = 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    load_demo()
    campaign, noms = _submitted_nominations()
    court, yubei_center, spb_person, spb_station, jlp_team, market_person = noms
    office_user = User.objects.get(username="office")

    # --- the office closes the submissions and starts the initial review --------------------------
    office = new_page()
    log_in(office, "office")
    office.goto(f"/reviews/{SLUG}/")
    stage(office, "结束", "submission")
    stage(office, "开始", "initial")
    office.goto(f"/reviews/{SLUG}/initial/")
    assert office.locator("tr[data-review]").count() == 6

    def row(page, nom):
        return page.locator(f'tr[data-nomination="{nom.pk}"]')

    # A pass without the police opinion is refused with the service's message, in the row.
    row(office, spb_station).get_by_label("通过", exact=True).check()
    submit(office, row(office, spb_station).get_by_role("button", name=f"提交初审意见：{spb_station.display_name}"))
    assert "尚未记录公安部门意见" in row(office, spb_station).get_by_test_id("row-error").inner_text()
    row(office, spb_station).get_by_label("不通过", exact=True).check()
    row(office, spb_station).locator("input[name$='-reason']").fill("近5年内发生行政责任事故，不符合评选条件")
    submit(office, row(office, spb_station).get_by_role("button", name=f"提交初审意见：{spb_station.display_name}"))
    for nom in (court, yubei_center, spb_person, jlp_team, market_person):
        r = row(office, nom)
        r.locator("select[name$='-answer']").select_option("no_objection")
        if nom == court:
            r.locator("input[type=file]").set_input_files({"name": "公安意见.pdf", "mimeType": "application/pdf", "buffer": PDF})
        submit(office, r.get_by_role("button", name=f"保存公安意见：{nom.display_name}"))
        r = row(office, nom)
        assert "无异议" in r.get_by_test_id("police").inner_text()
        r.get_by_label("通过", exact=True).check()
        submit(office, r.get_by_role("button", name=f"提交初审意见：{nom.display_name}"))
        assert row(office, nom).get_by_test_id("initial").inner_text() == "通过"
    assert row(office, court).get_by_role("link", name="意见表扫描件").count() == 1
    assert row(office, spb_station).get_by_test_id("initial").inner_text() == "未通过"
    office.screenshot(path=str(SCREENSHOTS / "reviews-initial.png"), full_page=True)
    stage(office, "结束", "initial")
    stage(office, "开始", "comprehensive")

    # --- the leading-group member votes -----------------------------------------------------------
    member = new_page()
    log_in(member, "member_liu")
    member.goto(f"/reviews/{SLUG}/vote/")
    assert member.locator("tr[data-review]").count() == 5
    for nom in (court, yubei_center, spb_person, jlp_team, market_person):
        r = member.locator(f'tr[data-review="{Review.objects.get(nomination=nom).pk}"]')
        r.get_by_label("同意", exact=True).check()
        submit(member, r.get_by_role("button", name=f"提交对{nom.display_name}的表决"))
        assert "已表决：同意" in member.locator(f'tr[data-review="{Review.objects.get(nomination=nom).pk}"]').inner_text()

    # --- the office tallies, records the meeting, reads the live caps --------------------------------
    office.goto(f"/reviews/{SLUG}/comprehensive/")
    submit(office, office.get_by_role("button", name="统计表决结果，形成拟表彰名单"))
    assert "已统计表决结果，拟表彰5个。" in office.locator("main").inner_text()
    assert office.get_by_test_id("proposed-count-collective").inner_text() == "2"
    assert office.get_by_test_id("proposed-count-individual").inner_text() == "3"
    states = office.get_by_test_id("caps").get_by_test_id("cap-state").all_inner_texts()
    assert states == ["正常", "正常", "正常"]
    office.get_by_label("会议名称/文号").fill("市评选表彰工作领导小组2026年第1次会议")
    office.get_by_label("研究情况").fill("综合评审，同意5个拟表彰对象")
    submit(office, office.get_by_role("button", name="记录综合评审会议"))
    office.screenshot(path=str(SCREENSHOTS / "reviews-comprehensive.png"), full_page=True)
    stage(office, "结束", "comprehensive")
    stage(office, "开始", "feedback")

    # --- feedback: 渝北区 sees its own results, and only those; it opens its publicity ---------------
    district = new_page()
    log_in(district, "district_yubei")
    district.goto(f"/reviews/{SLUG}/feedback/")
    text = district.locator("main").inner_text()
    assert court.display_name in text and yubei_center.display_name in text
    for other in (spb_person, spb_station, jlp_team, market_person):
        assert other.display_name not in text
    assert district.get_by_test_id("proposed").all_inner_texts() == ["列入拟表彰名单", "列入拟表彰名单"]
    district.screenshot(path=str(SCREENSHOTS / "reviews-feedback.png"), full_page=True)
    submit(district, district.get_by_test_id("open-publicity"))
    for nom in (court, yubei_center):
        kind = "集体" if nom.is_collective else "个人"
        district.get_by_label(f"[{kind}] {nom.display_name} · {nom.unit.name}").check()
    district.get_by_label("受理异议的联系方式").fill("渝北区知识产权局 023-67820000")
    submit(district, district.get_by_role("button", name="发布公示"))
    # The other districts and the department publicise theirs (service level); the windows run out.
    for quota_nom in ((spb_person,), (jlp_team,), (market_person,)):
        publicity.open_notice(campaign=campaign, scope=Scope.DISTRICT, issuer=quota_nom[0].quota.organisation,
                              nominations=list(quota_nom), actor=office_user, contact="023-1")
    for notice in Notice.objects.filter(campaign=campaign, scope=Scope.DISTRICT):
        assert publicity.close_notice(notice.pk, now=notice.closes_at)
    stage(office, "结束", "feedback")
    stage(office, "开始", "materials")

    # --- formal materials: 渝北区 uploads its own in the browser -----------------------------------------
    for nom in (court, yubei_center):
        district.goto(f"/reviews/{SLUG}/feedback/")
        submit(district, district.get_by_role("link", name=f"上传正式推荐材料：{nom.display_name}"))
        for kind, copies in (("approval_form", "3"), ("consultation_form", "1")):
            district.get_by_label("材料").select_option(kind)
            district.get_by_label("扫描件（PDF或JPG，不超过20MB）").set_input_files(
                {"name": "审批表.pdf", "mimeType": "application/pdf", "buffer": PDF})
            district.get_by_label("纸质份数").fill(copies)
            submit(district, district.get_by_role("button", name="上传", exact=True))
            assert "已上传" in district.locator("main").inner_text()
        assert "材料齐全" in district.locator("main").inner_text()
    for nom in (spb_person, jlp_team, market_person):
        review = Review.objects.get(nomination=nom)
        services.upload_material(review, kind=FormalMaterial.Kind.APPROVAL_FORM, file=ContentFile(PDF, name="a.pdf"), copies=3, actor=office_user)
        services.upload_material(review, kind=FormalMaterial.Kind.CONSULTATION_FORM, file=ContentFile(PDF, name="c.pdf"), copies=1, actor=office_user)
    office.goto(f"/reviews/{SLUG}/")
    stage(office, "结束", "materials")
    stage(office, "开始", "re_review")

    # --- re-review and the host bureau's party group ---------------------------------------------------------
    office.goto(f"/reviews/{SLUG}/re-review/")
    for nom in (court, yubei_center, spb_person, jlp_team, market_person):
        r = office.locator(f'tr[data-review="{Review.objects.get(nomination=nom).pk}"]')
        assert "材料齐全" in r.inner_text()
        r.get_by_label("通过", exact=True).check()
        submit(office, r.get_by_role("button", name=f"提交复审意见：{nom.display_name}"))
    assert office.get_by_test_id("re-review-state").all_inner_texts() == ["通过"] * 5
    office.get_by_label("会议名称/文号").fill("市知识产权局党组2026年第20次会议")
    office.get_by_label("研究情况").fill("研究同意拟表彰对象名单")
    submit(office, office.get_by_role("button", name="记录党组会议"))
    stage(office, "结束", "re_review")
    stage(office, "开始", "final")

    # --- city-wide publicity: the office opens it, the public objects, the office upholds -----------------------
    final = (court, yubei_center, spb_person, jlp_team, market_person)
    office.goto(f"/publicity/open/{SLUG}/final/")
    for nom in final:
        kind = "集体" if nom.is_collective else "个人"
        office.get_by_label(f"[{kind}] {nom.display_name} · {nom.unit.name}").check()
    submit(office, office.get_by_role("button", name="发布公示"))
    notice = Notice.objects.get(campaign=campaign, scope=Scope.FINAL)
    assert notice.entries.count() == 5

    public = new_page(width=390, height=844)
    public.goto(f"/gs/{notice.pk}/objection/")
    entry = notice.entries.get(nomination=spb_person)
    public.get_by_label("异议对象").select_option(str(entry.pk))
    public.get_by_label("真实姓名").fill("王群众")
    public.get_by_label("联系方式").fill("13900000000")
    public.get_by_label("异议事实").fill("该同志2024年曾受到党内警告处分，不宜给予表彰。")
    submit(public, public.get_by_role("button", name="提交异议"))
    assert "/gs/receipt/" in public.url
    objection = Objection.objects.get(entry=entry)

    office.goto(f"/publicity/objections/{objection.pk}/")
    office.get_by_role("textbox", name="核查情况").fill("经向其所在单位和纪检部门核实，该同志2024年受党内警告处分，情况属实。")
    submit(office, office.get_by_role("button", name="保存核查情况"))
    office.get_by_label("经核实，异议成立").check()
    office.get_by_label("处理意见（内部）").fill("异议成立，取消其表彰资格，不予递补。")
    office.get_by_label("答复异议人（公开于回执查询）").fill("经核实，反映的情况属实，已按程序处理。")
    submit(office, office.get_by_role("button", name="办结"))
    spb_person.refresh_from_db()
    assert spb_person.status == Status.CANCELLED
    assert publicity.close_notice(notice.pk, now=notice.closes_at)
    office.goto(f"/reviews/{SLUG}/")
    stage(office, "结束", "final")
    stage(office, "开始", "decision")

    # --- the decision -----------------------------------------------------------------------------------------------
    office.goto(f"/reviews/{SLUG}/decision/")
    assert spb_person.display_name in office.get_by_test_id("cancelled").inner_text()
    office.get_by_label("表彰决定文号").fill("渝人社发〔2026〕88号")
    submit(office, office.get_by_role("button", name="作出表彰决定"))
    assert "已作出表彰决定：渝人社发〔2026〕88号" in office.get_by_test_id("decision").inner_text()
    listed = sorted(office.get_by_test_id("final-name").all_inner_texts())
    expected = sorted(n.display_name for n in (court, yubei_center, jlp_team, market_person))
    assert listed == expected  # no backfill: 陈思远 is gone and nobody took the place
    assert office.get_by_test_id("result").all_inner_texts() == ["已表彰"] * 4
    assert sorted(r.nomination_id for r in Review.objects.filter(campaign=campaign, final=Final.AWARDED)) == sorted(
        n.pk for n in (court, yubei_center, jlp_team, market_person))
    office.goto(f"/reviews/{SLUG}/decision/document/")
    assert office.get_by_test_id("doc-title").inner_text() == "关于表彰重庆市知识产权保护工作先进集体和先进个人的决定"
    assert sorted(office.get_by_test_id("doc-name").all_inner_texts()) == sorted(
        [court.display_name + "　" + court.post, yubei_center.display_name, jlp_team.display_name,
         market_person.display_name + "　" + market_person.post])
    office.screenshot(path=str(SCREENSHOTS / "reviews-decision-document.png"), full_page=True)

    # --- the dashboard agrees with the decision page -----------------------------------------------------------------------
    office.goto(f"/reviews/{SLUG}/dashboard/")
    assert office.get_by_test_id("total-final").inner_text() == str(len(listed))
    assert office.get_by_test_id("count-final-collective").inner_text().startswith("2 /")
    assert office.get_by_test_id("count-final-individual").inner_text().startswith("2 /")
    assert office.get_by_test_id("total-proposed").inner_text() == "4"  # the cancelled one is off the list
    assert office.get_by_test_id("total-submitted").inner_text() == "6"
    removed = office.get_by_test_id("removed").inner_text()
    assert spb_person.display_name in removed and "不予递补" in removed
    assert "已报送 4 个" in office.get_by_test_id("submitter-summary").inner_text().replace("\xa0", " ")
    decision_text = office.get_by_test_id("progress").locator('tr[data-stage="decision"]').inner_text()
    assert "已表彰4" in decision_text
    office.screenshot(path=str(SCREENSHOTS / "reviews-dashboard.png"), full_page=True)
