"""The chain in real Chromium: unit → unit publicity → district → office (DESIGN §3, stages 1–2).

Only the end of the unit's 5-working-day window is simulated (close_notice at its closing
instant); everything else is clicked and typed in the browser, through the keyboard where the
page offers it (move buttons for ranking).
"""

import os
import shutil
import tempfile

import pytest

from tests.pdf import PDF

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and os.environ.get("REQUIRE_BROWSER") != "1",
        reason="Chromium is not installed (set REQUIRE_BROWSER=1 to make this a failure)",
    ),
]

DEEDS = "该同志长期从事知识产权保护工作，办理专利侵权纠纷案件成效显著。" * 33
SHORT_DEEDS = "该中心积极开展知识产权保护工作，成效显著。" * 20  # ~420 characters: outside 800–1200
BRIEF = "长期从事知识产权保护工作，查办侵权案件成效显著。" * 8


@pytest.fixture
def media(settings):
    path = tempfile.mkdtemp(prefix="media-browser-")
    settings.MEDIA_ROOT = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test still reads the database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _login(browser, base, username):
    from core.demo import DEMO_PASSWORD
    from tests.totp import pass_two_factor

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    pass_two_factor(page, username)
    page.wait_for_url(f"{base}/")
    return page


def _files(tmp):
    from PIL import Image

    photo = os.path.join(tmp, "证件照.jpg")
    Image.new("RGB", (413, 579), (200, 40, 40)).save(photo, "JPEG")
    minutes = os.path.join(tmp, "会议纪要.pdf")
    with open(minutes, "wb") as f:
        f.write(PDF)
    return photo, minutes


def _justify_everything(page):
    while page.locator("[data-warning]").count():
        box = page.locator("[data-warning]").first
        box.locator("textarea").fill("经单位领导班子集体研究，该情况属实，特此说明理由。")
        box.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert "待说明 0 条" in page.locator("[data-testid=warnings]").inner_text()


def _click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def test_chain_walk_in_the_browser(transactional_db, live_server, media, browser):
    from awards.models import Campaign, Category
    from core.demo import LIVE_SLUG, load_demo
    from nominations.models import Nomination, Status
    from nominations.rules import char_count
    from orgs.models import Organisation
    from publicity import services as publicity
    from publicity.models import Notice
    from workdays.services import seed_from_package

    load_demo()
    # An earlier transactional test may have flushed the calendar the migrations seeded.
    seed_from_package()
    assert Campaign.objects.get(slug=LIVE_SLUG).status == Campaign.Status.OPEN
    unit = Organisation.objects.get(name="渝北区知识产权保护中心")
    base = live_server.url
    tmp = tempfile.mkdtemp(prefix="browser-files-")
    photo, minutes = _files(tmp)

    # --- unit staff: one individual, with a photo --------------------------------------------------
    staff = _login(browser, base, "unit_yubei")
    staff.goto(f"{base}/nominations/")
    _click_and_wait(staff, staff.get_by_role("link", name="新增先进个人").first)
    staff.fill("#id_name", "刘晓红")
    staff.select_option("#id_gender", "female")
    staff.fill("#id_ethnicity", "汉族")
    staff.fill("#id_birth_date", "1986-03-01")
    staff.fill("#id_political_status", "中共党员")
    staff.fill("#id_education", "大学本科")
    staff.fill("#id_work_start_date", "2008-07-01")
    staff.fill("#id_post", "渝北区知识产权保护中心科员")
    staff.select_option("#id_rank_grade", "section_staff")
    staff.fill("#id_id_number", "11010519491231002X")
    staff.fill("#id_phone", "13800138000")
    staff.fill("#id_years_in_field", "2")  # under 3 years: an in-principle warning to justify
    for i in range(5):
        staff.select_option(f"#id_appraisals-{i}-result", "excellent" if i == 4 else "competent")
    staff.set_input_files("#id_photo", photo)
    assert staff.locator("[data-photo-preview]").get_attribute("src").startswith("blob:")
    staff.fill("#id_deeds", DEEDS)
    staff.fill("#id_brief_deeds", BRIEF)
    counter = staff.locator('[data-counter-for="id_brief_deeds"] [data-counter-value]')
    assert counter.inner_text() == str(char_count(BRIEF))
    staff.fill("#id_brief_deeds", BRIEF + "  \n 多")
    assert counter.inner_text() == str(char_count(BRIEF) + 1)
    _click_and_wait(staff, staff.get_by_role("button", name="保存", exact=True))
    assert "刘晓红" in staff.locator("h1").inner_text()
    individual = Nomination.objects.get(name="刘晓红")
    assert individual.photo.name.endswith(".jpg")
    assert "1101**********002X" in staff.locator("[data-testid=id-number]").inner_text()
    _justify_everything(staff)

    # --- one collective, with two 班子成员 (the second row added in the page) ------------------------
    staff.goto(f"{base}/nominations/")
    _click_and_wait(staff, staff.get_by_role("link", name="新增先进集体").first)
    staff.select_option("#id_organisation", str(unit.pk))
    staff.select_option("#id_collective_nature", "public_institution")
    staff.fill("#id_head_name", "周主任")
    staff.fill("#id_staff_count", "28")
    staff.fill("#id_address", "重庆市渝北区")
    staff.fill("#id_leaders-0-name", "周主任")
    staff.fill("#id_leaders-0-post", "主任")
    staff.get_by_role("button", name="增加班子成员").click()
    staff.fill("#id_leaders-1-name", "吴副主任")
    staff.fill("#id_deeds", SHORT_DEEDS)
    staff.fill("#id_brief_deeds", BRIEF)
    staff.check("#id_no_violation_commitment")
    _click_and_wait(staff, staff.get_by_role("button", name="保存", exact=True))
    collective = Nomination.objects.get(category=Category.COLLECTIVE, unit=unit)
    assert sorted(collective.leaders.values_list("name", flat=True)) == ["吴副主任", "周主任"]
    _justify_everything(staff)

    # --- both procedures, with minutes ----------------------------------------------------------------
    staff.goto(f"{base}/nominations/c/{LIVE_SLUG}/u/{unit.pk}/procedures/")
    for kind, attendees in (("democratic", "全体职工32人"), ("leadership", "领导班子成员5人")):
        staff.select_option("#id_kind", kind)
        staff.fill("#id_held_on", "2026-11-20")
        staff.fill("#id_attendees", attendees)
        staff.fill("#id_result", "同意推荐刘晓红为先进个人人选、本中心为先进集体人选")
        staff.set_input_files("#id_minutes", minutes)
        _click_and_wait(staff, staff.get_by_role("button", name="保存记录"))
    assert staff.locator("[data-testid=procedures] tbody tr").count() == 2

    # --- the unit's publicity -------------------------------------------------------------------------
    staff.goto(f"{base}/nominations/")
    staff.check(f"#pub-{individual.pk}")
    staff.check(f"#pub-{collective.pk}")
    staff.fill(f"#id_pub{unit.pk}-contact", "李老师 023-67000000")
    _click_and_wait(staff, staff.get_by_role("button", name="发起单位公示"))
    assert "已发起单位公示" in staff.content()
    assert "单位公示中" in staff.locator("[data-testid=unit-list]").first.inner_text()
    notice = Notice.objects.get(issuer=unit)
    # The 5 working days pass (time travel: the window closes at its closing instant).
    assert publicity.close_notice(notice.pk, now=notice.closes_at) is True

    # --- rank (move buttons, no mouse drag) and submit -----------------------------------------------
    staff.goto(f"{base}/nominations/c/{LIVE_SLUG}/u/{unit.pk}/ranking/")
    first = staff.locator("[data-rank-item]").first
    first_pk = int(first.get_attribute("data-pk"))
    first.get_by_role("button", name="下移").focus()
    staff.keyboard.press("Enter")
    assert int(staff.locator("[data-rank-item]").nth(1).get_attribute("data-pk")) == first_pk
    assert staff.locator("[data-rank-item]").nth(1).locator("[data-rank-number]").input_value() == "2"
    # The number field moves the row too; drag is wired by SortableJS on the same list.
    staff.locator(f'[data-rank-item][data-pk="{first_pk}"] [data-rank-number]').fill("1")
    staff.keyboard.press("Tab")
    assert int(staff.locator("[data-rank-item]").first.get_attribute("data-pk")) == first_pk
    assert staff.evaluate("() => Boolean(Sortable.get(document.querySelector('[data-rank-list]')))")
    staff.locator(f'[data-rank-item][data-pk="{first_pk}"]').get_by_role("button", name="下移").focus()
    staff.keyboard.press("Enter")
    assert int(staff.locator("[data-rank-item]").nth(1).get_attribute("data-pk")) == first_pk
    _click_and_wait(staff, staff.get_by_role("button", name="保存排序"))
    assert Nomination.objects.get(pk=first_pk).unit_rank == 2
    _click_and_wait(staff, staff.get_by_role("button", name="报送", exact=True))
    assert "已报送2个推荐对象" in staff.content()
    assert set(Nomination.objects.filter(unit=unit).values_list("status", flat=True)) == {Status.SUBMITTED}

    # --- district: return the individual with a reason --------------------------------------------------
    district = _login(browser, base, "district_yubei")
    district.goto(f"{base}/nominations/")
    _click_and_wait(district, district.get_by_role("link", name="审核队列"))
    queue_url = district.url
    row = district.locator(f'tr[data-nomination="{individual.pk}"]')
    row.locator("input[name$='-reason']").fill("请将工作单位及职务写完整")
    _click_and_wait(district, row.get_by_role("button", name="退回"))
    individual.refresh_from_db()
    assert individual.status == Status.RETURNED

    # --- unit: fix and resubmit ------------------------------------------------------------------------
    staff.goto(f"{base}/nominations/{individual.pk}/")
    assert "请将工作单位及职务写完整" in staff.locator("[data-testid=returned-reason]").inner_text()
    _click_and_wait(staff, staff.get_by_role("link", name="修改", exact=True))
    staff.fill("#id_post", "重庆市渝北区知识产权保护中心执法科科员")
    _click_and_wait(staff, staff.get_by_role("button", name="保存", exact=True))
    _click_and_wait(staff, staff.get_by_role("button", name="修改完成，重新报送"))
    individual.refresh_from_db()
    assert (individual.status, individual.post) == (Status.SUBMITTED, "重庆市渝北区知识产权保护中心执法科科员")

    # --- district: accept both, consult, party group, rank, submit -------------------------------------
    district.goto(queue_url)
    district.get_by_role("button", name="全选可审核的").click()
    _click_and_wait(district, district.get_by_role("button", name="勾选的推荐对象审核通过"))
    assert set(Nomination.objects.filter(unit=unit).values_list("status", flat=True)) == {Status.ACCEPTED}
    for nom in (individual, collective):
        district.goto(queue_url)
        _click_and_wait(district, district.locator(f'tr[data-nomination="{nom.pk}"]').get_by_role("link", name="记录征求意见"))
        for dept in ("personnel", "discipline"):
            district.select_option("#id_department", dept)
            district.select_option("#id_answer", "no_objection")
            district.fill("#id_answered_on", "2026-11-21")
            district.set_input_files("#id_scanned_form", minutes)
            _click_and_wait(district, district.get_by_role("button", name="保存意见"))
        assert "须征求的部门意见已全部记录" in district.locator("[data-testid=missing]").inner_text()
    district.goto(queue_url)
    district.fill("#id_held_on", "2026-11-22")
    district.fill("#id_meeting", "渝北区知识产权局党组会议")
    district.fill("#id_summary", "同意推荐")
    _click_and_wait(district, district.get_by_role("button", name="记录党组（委）研究意见"))
    for label in ("先进集体推荐排序", "先进个人推荐排序"):
        _click_and_wait(district, district.get_by_role("link", name=label))
        _click_and_wait(district, district.get_by_role("button", name="保存排序"))
    assert "报送领导小组办公室截止" in district.content()
    _click_and_wait(district, district.get_by_role("button", name="报送领导小组办公室"))
    assert "已向领导小组办公室报送2个推荐对象" in district.content()
    assert set(Nomination.objects.filter(unit=unit).values_list("status", flat=True)) == {Status.FORWARDED}

    # --- the office sees them ---------------------------------------------------------------------------
    office = _login(browser, base, "office")
    office.goto(f"{base}/nominations/")
    forwarded = office.locator("[data-testid=forwarded-list]").first.inner_text()
    assert "刘晓红" in forwarded and "渝北区知识产权保护中心" in forwarded and "已报送领导小组办公室" in forwarded
    office.goto(f"{base}/nominations/{individual.pk}/")
    assert "已报送领导小组办公室" in office.locator("[data-testid=status]").inner_text()
    assert list(individual.events.values_list("to_status", flat=True)) == [
        "draft", "unit_publicity", "unit_ready", "submitted", "returned", "submitted", "accepted", "forwarded"
    ]
    shutil.rmtree(tmp, ignore_errors=True)
