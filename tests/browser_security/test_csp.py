"""The CSP in a real browser: key pages load with zero violations, and htmx and SortableJS still run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.demo import LIVE_SLUG
from orgs.models import Organisation

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    return console


def _violations(page, console) -> list[str]:
    return [*page.evaluate("window.__csp"), *console]


def test_key_pages_run_without_a_csp_violation(live_demo, new_page, log_in, live_server, settings, tmp_path):
    from tests.security.worlds import build

    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build("jlp")
    yubei = Organisation.objects.get(name="渝北区知识产权保护中心")

    unit = new_page()
    console = _watch(unit)
    log_in(unit, "unit_yubei")
    pages = [
        "/",
        reverse("nominations:create", args=[LIVE_SLUG, yubei.pk, "individual"]),
        reverse("nominations:unit_ranking", args=[LIVE_SLUG, yubei.pk]),
    ]
    for url in pages:
        response = unit.goto(url)
        assert response.status == 200, url
        unit.wait_for_load_state("networkidle")
        assert _violations(unit, console) == [], url
        assert unit.evaluate("typeof window.htmx") == "object", url
    unit.goto(reverse("nominations:unit_ranking", args=[LIVE_SLUG, yubei.pk]))
    unit.wait_for_load_state("networkidle")
    assert unit.evaluate("typeof window.Sortable") == "function"

    office = new_page()
    console = _watch(office)
    log_in(office, "office")
    for url in [reverse("reviews:dashboard", args=[LIVE_SLUG]), reverse("documents:batch", args=[world.batch.pk])]:
        assert office.goto(url).status == 200, url
        office.wait_for_load_state("networkidle")
        assert _violations(office, console) == [], url

    public = new_page()
    console = _watch(public)
    for url in [f"/gs/{world.notice.pk}/", f"/gs/{world.notice.pk}/objection/", "/gs/"]:
        assert public.goto(url).status == 200, url
        public.wait_for_load_state("networkidle")
        assert _violations(public, console) == [], url


def test_the_watch_sees_a_violation(live_demo, new_page, live_server):
    """The control: an inline script is blocked and reported."""
    page = new_page()
    console = _watch(page)
    page.goto("/login/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert _violations(page, console)
