"""A member of the public objects from a phone; staff conclude it upheld; the chain shows the nominee cancelled."""

import io

import pytest

from nominations.models import Status
from publicity import services
from publicity.models import Objection
from tests.chain.helpers import collective, individual
from tests.publicity.helpers import unit_notice
from tests.totp import pass_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
FACTS = "本人系该单位职工，据了解该同志事迹材料中所列2025年查办案件数量与实际不符，请予核实。"
REPLY = "经核实，您反映的情况属实，已取消该同志的推荐资格。感谢您的监督。"


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page scrolls sideways: {width} at {page.url}"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (230, 230, 230)).save(buf, "PNG")
    return buf.getvalue()


def test_public_objection_from_a_phone_to_cancellation(live_server, browser, campaign, users, org, settings, screenshots):
    settings.OBJECTION_MIN_FILL_SECONDS = 1
    unit, staff = org("渝北区知识产权保护中心"), users["unit_yubei"]
    person = individual(campaign, unit, staff, seq=3, name="刘晓红", post="渝北区知识产权保护中心执法科科长")
    team = collective(campaign, unit, staff, leaders=("陈主任",))
    notice = unit_notice(campaign, unit, staff, noms=[person, team])

    # --- the public, on a phone -------------------------------------------------------------
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{live_server.url}/gs/")
    page.get_by_role("link", name=notice.title).wait_for()
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "public-01-list-phone.png", full_page=True)

    page.get_by_role("link", name=notice.title).click()
    page.get_by_role("heading", name=notice.title).wait_for()
    body = page.inner_text("main")
    assert "公示时间：" in body and "24时截止" in body and "刘晓红" in body and "先进集体" in body
    assert person.id_number not in body and person.phone not in body
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "public-02-notice-phone.png", full_page=True)

    page.get_by_role("link", name="对公示对象提出异议").click()
    entry = notice.entries.get(nomination=person)
    page.get_by_label("异议对象").select_option(label=f"{entry.position}. 刘晓红（{entry.unit_and_post}）")
    page.get_by_label("真实姓名").fill("周某某")
    page.get_by_label("联系方式").fill("023-65550000")
    page.get_by_label("异议事实").fill(FACTS)
    page.get_by_label("证明材料（可选）").set_input_files(
        files=[{"name": "证明.png", "mimeType": "image/png", "buffer": _png()}]
    )
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "public-03-objection-form-phone.png", full_page=True)
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="提交异议").click()
    page.get_by_text("您的异议已受理").wait_for()
    code = page.get_attribute("[data-receipt-code]", "data-receipt-code")
    objection = Objection.objects.get(receipt_code=code)
    assert objection.entry.nomination_id == person.pk and objection.attachment.name.endswith(".png")
    assert "周某某" not in page.inner_text("main") and "023-65550000" not in page.inner_text("main")
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "public-04-receipt-phone.png", full_page=True)

    page.goto(f"{live_server.url}/gs/receipt/")
    page.get_by_label("回执码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.locator("[data-state]").wait_for()
    assert page.get_attribute("[data-state]", "data-state") == Objection.Status.RECEIVED

    # --- the unit's staff, at a desk -------------------------------------------------------------
    desk = browser.new_context(**DESKTOP)
    office = desk.new_page()
    office.goto(f"{live_server.url}/login/?next=/publicity/objections/")
    office.get_by_label("用户名").fill("unit_yubei")
    office.get_by_label("密码").fill("Demo@2026")
    office.get_by_role("button", name="登录").click()
    pass_two_factor(office, "unit_yubei")
    office.get_by_role("link", name=code).wait_for()
    office.goto(f"{live_server.url}/publicity/")
    assert "个工作日（" in office.locator(f'[data-countdown="{notice.pk}"]').inner_text()
    office.screenshot(path=screenshots / "staff-00-running-windows.png", full_page=True)
    office.get_by_role("link", name="异议处理").click()
    office.get_by_role("link", name=code).click()
    assert "周某某" in office.inner_text("main") and "023-65550000" in office.inner_text("main")
    office.get_by_role("button", name="分派").click()
    office.get_by_text("已分派核查人。").wait_for()
    office.get_by_role("textbox", name="核查情况").fill("经调阅2025年案件台账，事迹材料所列案件数量多计12件，反映属实。")
    office.get_by_role("button", name="保存核查情况").click()
    office.get_by_text("核查情况已保存。").wait_for()
    office.get_by_label("经核实，异议成立").check()
    office.get_by_label("处理意见（内部）").fill("异议成立，取消该同志推荐资格，并对材料审核人员进行提醒谈话。")
    office.get_by_label("答复异议人（公开于回执查询）").fill(REPLY)
    office.screenshot(path=screenshots / "staff-01-objection-desk.png", full_page=True)
    office.get_by_role("button", name="办结").click()
    office.get_by_text("异议已办结。").wait_for()
    office.get_by_role("button", name="记录已告知异议人").click()
    office.get_by_text("已记录告知异议人。").wait_for()
    office.screenshot(path=screenshots / "staff-02-objection-concluded.png", full_page=True)

    # --- the public sees the outcome on the receipt page -----------------------------------------
    page.reload()
    assert page.get_attribute("[data-state]", "data-state") == Objection.Status.UPHELD
    assert "经核实，异议成立" in page.inner_text("main") and REPLY in page.inner_text("main")
    assert "多计12件" not in page.inner_text("main")  # the investigation stays internal
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / "public-05-receipt-upheld-phone.png", full_page=True)

    # --- the window closes: the nominee is cancelled in the chain ----------------------------------
    assert services.close_notice(notice.pk, now=notice.closes_at)
    person.refresh_from_db()
    team.refresh_from_db()
    assert (person.status, team.status) == (Status.CANCELLED, Status.UNIT_READY)
    office.goto(f"{live_server.url}/publicity/notices/{notice.pk}/")
    row = office.locator(f'tr[data-nomination="{person.pk}"]')
    assert "已取消" in row.inner_text() and "异议经核实成立" in row.inner_text()
    assert "已取消" not in office.locator(f'tr[data-nomination="{team.pk}"]').inner_text()
    office.screenshot(path=screenshots / "staff-03-notice-record.png", full_page=True)

    # The public notice now reads as closed, and prints as a notice.
    page.goto(f"{live_server.url}/gs/{notice.pk}/")
    assert "公示已结束" in page.inner_text("main")
    desk_public = desk.new_page()
    desk_public.goto(f"{live_server.url}/gs/{notice.pk}/")
    desk_public.screenshot(path=screenshots / "public-06-notice-desktop.png", full_page=True)
    desk_public.emulate_media(media="print")
    desk_public.screenshot(path=screenshots / "public-07-notice-print.png", full_page=True)
    phone.close()
    desk.close()
