"""Every page the demo logins can open runs under the CSP: no inline script, handler or style.

The walk is the URL configuration filled with objects the logins own (tests/security/worlds.py,
the 九龙坡区 world and its owners, plus every demo login on the pages without an object and the
live campaign's pages); each HTML page that answers 200 is parsed.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from orgs.models import User

from .test_csrf import _url
from .urlwalk import walk
from .worlds import build

pytestmark = pytest.mark.django_db


class _Inline(HTMLParser):
    """Collects what the CSP (script-src 'self'; style-src 'self') would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            kind = (names.get("type") or "").lower()
            if "src" not in names and kind not in ("application/json", "application/ld+json", "text/template"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            elif name == "style":
                self.found.append(f"{tag} style=")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")
            elif name.startswith("hx-on"):
                self.found.append(f"{tag} {name}")


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def test_the_parser_finds_what_the_policy_blocks():
    html = ('<script>alert(1)</script><script src="/static/a.js"></script><a onclick="x()">x</a>'
            '<div style="color:red"></div><style>p{}</style><a href="javascript:void(0)">y</a>')
    assert inline_code(html) == ["<script> without src", "a onclick=", "div style=", "<style> element", "a href=javascript:"]


def test_no_page_has_inline_script_handlers_or_style(demo, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build("jlp")
    # One login per kind of desk: the world's owners, and the demo logins but the second unit and
    # the second district (the same templates as unit_yubei and district_yubei).
    logins = [name for name in demo if name not in ("unit_police", "district_spb")]
    users = list({u.pk: u for u in [*world.home.values(), *User.objects.filter(username__in=logins)]}.values())
    routes = [r for r in walk() if not r.name.startswith("admin:") and r.name != "logout"]
    offending, pages = [], 0
    for user in users:
        client = Client()
        client.force_login(user)
        for route in routes:
            if route.name.startswith("public:"):
                continue
            response = client.get(_url(route, world))
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            for what in inline_code(response.content.decode()):
                offending.append(f"{user.username} {route.name}: {what}")
    anonymous = Client()
    for url in ["/login/", "/gs/", f"/gs/{world.notice.pk}/", f"/gs/{world.notice.pk}/objection/", "/gs/receipt/",
                f"/gs/receipt/{world.objection.receipt_code}/", "/no-such-page/"]:
        response = anonymous.get(url)
        pages += 1
        offending += [f"anonymous {url}: {what}" for what in inline_code(response.content.decode())]
    assert pages > 100, pages
    assert not offending, "\n".join(sorted(set(offending)))


def test_the_error_page_has_no_inline_style():
    from django.template.loader import get_template

    assert inline_code(get_template("500.html").render()) == []
    assert reverse("home") == "/"
