"""The pages in a real browser: logging in per role, the campaign caps, scope 404s, phone layout,
the larger-text switch, and screenshots to look at (var/screenshots/)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from awards.models import Campaign
from core.demo import LIVE_SLUG
from orgs.models import Organisation, Role

pytestmark = pytest.mark.browser

DEMO_ROLES = [
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
SCREENSHOTS = settings.VAR_DIR / "screenshots"


def _no_horizontal_scroll(page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize(("username", "role"), DEMO_ROLES)
def test_each_demo_login_reaches_its_home_page(live_demo, page, log_in, username, role):
    assert (username, role) in {(login.username, login.role) for login in live_demo}

    log_in(page, username)

    assert page.get_by_role("heading", name="待办事项").is_visible()
    section = page.locator(f'section[data-role="{role}"]')
    assert section.count() == 1
    assert section.is_visible()
    assert page.title() == "待办 · 评选表彰系统"


def test_wrong_password_stays_on_the_login_page_with_a_chinese_message(live_demo, page, live_server):
    page.goto("/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("Wrong@2026x")
    page.get_by_role("button", name="登录").click()

    assert page.url.startswith(f"{live_server.url}/login/")
    assert "正确的" in page.get_by_role("alert").inner_text()


def test_office_opens_the_live_campaign_and_sees_the_caps(live_demo, page, log_in):
    log_in(page, "office")
    with page.expect_navigation():
        page.get_by_role("navigation", name="主菜单").get_by_role("link", name="评选表彰活动").click()
    # click() returns once the navigation commits, before the new page is parsed: wait for its load
    # event, then let expect() retry (CI once read an empty table here).
    with page.expect_navigation():
        page.get_by_role("link", name=Campaign.objects.get(slug=LIVE_SLUG).title).click()

    assert page.url.endswith(f"/campaigns/{LIVE_SLUG}/")
    expect(page.locator("section[aria-labelledby=h-caps] tr[data-cap] .cap-limit")).to_have_text(
        ["10", "15", "5"]
    )
    expect(page.get_by_role("heading", name="各推荐单位名额（99）")).to_be_visible()


def test_district_user_typing_another_districts_url_gets_the_404_page(live_demo, page, log_in):
    log_in(page, "district_yubei")
    other = Organisation.objects.get(name="沙坪坝区")

    response = page.goto(f"/orgs/{other.pk}/")

    assert response.status == 404
    assert page.get_by_role("heading", name="页面不存在或您无权查看").is_visible()
    assert "沙坪坝区" not in page.content()


def test_district_user_opens_its_own_district(live_demo, page, log_in):
    log_in(page, "district_yubei")
    own = Organisation.objects.get(name="渝北区")

    response = page.goto(f"/orgs/{own.pk}/")

    assert response.status == 200
    assert page.get_by_role("heading", name="渝北区", exact=True).is_visible()


@pytest.mark.parametrize("username", ["office", "district_yubei", "unit_yubei"])
def test_phone_viewport_has_no_horizontal_scroll(live_demo, new_page, log_in, username):
    page = new_page(390, 844)
    page.goto("/login/")
    width, viewport = _no_horizontal_scroll(page)
    assert width <= viewport, f"login page scrolls sideways: {width} > {viewport}"

    log_in(page, username)
    width, viewport = _no_horizontal_scroll(page)
    assert width <= viewport, f"home page scrolls sideways: {width} > {viewport}"

    for url in ("/campaigns/", f"/campaigns/{LIVE_SLUG}/", "/orgs/"):
        page.goto(url)
        width, viewport = _no_horizontal_scroll(page)
        assert width <= viewport, f"{url} scrolls sideways: {width} > {viewport}"


def test_large_text_button_toggles_the_body_class_and_aria_pressed(live_demo, page, log_in):
    log_in(page, "office")
    button = page.get_by_role("button", name="大字模式")
    assert button.get_attribute("aria-pressed") == "false"
    assert "large-text" not in (page.locator("body").get_attribute("class") or "")

    button.click()

    assert button.get_attribute("aria-pressed") == "true"
    assert "large-text" in page.locator("body").get_attribute("class")

    page.reload()  # remembered in this browser
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="大字模式").click()
    assert "large-text" not in (page.locator("body").get_attribute("class") or "")
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "false"


def test_large_text_button_is_reachable_by_keyboard(live_demo, page, log_in):
    log_in(page, "office")
    page.get_by_role("button", name="大字模式").focus()

    page.keyboard.press("Enter")

    assert "large-text" in page.locator("body").get_attribute("class")


def test_pages_use_no_resource_from_another_host(live_demo, page, log_in, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))

    log_in(page, "office")
    page.goto(f"/campaigns/{LIVE_SLUG}/")

    assert hosts == {live_server.url.split("/")[2]}


@pytest.mark.parametrize(("name", "username", "url", "size"), [
    ("home-office", "office", "/", (1280, 900)),
    ("home-unit", "unit_yubei", "/", (1280, 900)),
    ("campaign-detail-office", "office", f"/campaigns/{LIVE_SLUG}/", (1280, 900)),
    ("campaign-detail-district", "district_yubei", f"/campaigns/{LIVE_SLUG}/", (1280, 900)),
    ("home-phone", "district_yubei", "/", (390, 844)),
    ("campaign-detail-phone", "office", f"/campaigns/{LIVE_SLUG}/", (390, 844)),
    ("login-phone", None, "/login/", (390, 844)),
    ("security-grants", "secadmin", "/security/", (1280, 900)),
    ("security-policy", "secadmin", "/security/policy/", (1280, 900)),
    ("refused-admin", "admin", "/nominations/", (1280, 900)),
])  # fmt: skip
def test_screenshot(live_demo, new_page, log_in, name, username, url, size):
    page = new_page(*size)
    if username:
        log_in(page, username)
    page.goto(url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"

    page.screenshot(path=str(path), full_page=True)

    assert path.stat().st_size > 10_000
    # The CJK text is drawn with a real font: a heading is as tall as a line of text, not empty.
    box = page.locator("h1").first.bounding_box()
    assert box is not None and box["height"] >= 20


def test_first_login_on_a_phone_enrols_an_authenticator(live_demo, new_page, live_server):
    from tests.totp import pass_two_factor

    page = new_page(390, 844)
    page.goto("/login/?next=/campaigns/")
    page.get_by_label("用户名").fill("unit_yubei")
    page.get_by_label("密码").fill("Demo@2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/account/2fa/enrol/"))

    qr = page.get_by_role("img", name=re.compile("身份验证器二维码"))
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150
    assert len(page.locator("#totp-secret").inner_text().replace(" ", "")) == 32
    assert page.get_by_role("navigation", name="主菜单").count() == 0
    width, viewport = _no_horizontal_scroll(page)
    assert width <= viewport, f"enrolment page scrolls sideways: {width} > {viewport}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "totp-enrol-phone.png"), full_page=True)

    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="绑定并登录").click()
    assert "验证码不正确或已使用" in page.get_by_role("alert").inner_text()

    pass_two_factor(page, "unit_yubei")
    assert page.url == f"{live_server.url}/campaigns/"
