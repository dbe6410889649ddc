"""SQL queries per request of each benchmarked page, for one generated campaign (issue 8).

Used by tests/core/test_scale.py (Chongqing size against a four-province set) and by
benchmarks/scale.py (Chongqing size against the national set, on PostgreSQL).
"""

from __future__ import annotations

import time

from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.policy import mark_verified
from awards.models import Campaign, Quota
from nominations.models import Nomination
from orgs.models import User
from publicity.forms import STARTED_SALT
from publicity.models import Notice, NoticeEntry, Scope

PAGES = ("unit_list", "screening_queue", "office_queue", "office_queue_page_2", "proposed_list", "dashboard",
         "notice_cold", "notice_cached", "objection_post")


def bench_users(campaign: Campaign) -> dict[str, list[str]]:
    prefix = f"bench_{campaign.slug.removeprefix('scale-')[:2]}"
    names = list(User.objects.filter(username__startswith=f"{prefix}_").order_by("username").values_list("username", flat=True))
    return {role: [n for n in names if n.startswith(f"{prefix}_{role}")] for role in ("office", "member", "screener", "unit")}


def targets(campaign: Campaign) -> dict:
    """The user, URL and objects each page is measured with (the same choice at every size)."""
    users = bench_users(campaign)
    unit_user = next(
        u for u in User.objects.filter(username__in=users["unit"]).select_related("organisation").order_by("username")
        if Nomination.objects.filter(campaign=campaign, unit=u.organisation).count() >= 2
    )
    screener = User.objects.select_related("organisation").get(username=users["screener"][0])
    quota = Quota.objects.get(campaign=campaign, organisation=screener.organisation)
    final = Notice.objects.get(campaign=campaign, scope=Scope.FINAL)
    slug = campaign.slug
    return {
        "unit_user": unit_user, "screener": screener, "office": User.objects.get(username=users["office"][0]),
        "unit_users": users["unit"], "final": final,
        "entry": NoticeEntry.objects.filter(notice=final).order_by("position").first(),
        "urls": {
            "unit_list": reverse("nominations:unit_desk", args=[slug, unit_user.organisation_id]),
            "screening_queue": reverse("nominations:screening_queue", args=[quota.pk]),
            "office_queue": reverse("reviews:initial", args=[slug]),
            "office_queue_page_2": reverse("reviews:initial", args=[slug]) + "?page=2",
            "proposed_list": reverse("reviews:comprehensive", args=[slug]),
            "dashboard": reverse("reviews:dashboard", args=[slug]),
            "notice": reverse("public:notice_detail", args=[final.pk]),
            "objection": reverse("public:objection", args=[final.pk]),
        },
    }


def started_token(notice_pk: int, age: float = 60) -> str:
    """The objection form's signed start time, as a browser that loaded the page ``age`` s ago sends it."""
    return signing.dumps({"n": notice_pk, "t": time.time() - age}, salt=STARTED_SALT)


def _count(client, method, url, data=None, expect=(200,)):
    if method == "get":
        client.get(url)  # warm: the first request of a process fills caches (content types, permissions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code in expect, (url, response.status_code)
    return len(ctx.captured_queries)


def _staff_pages(t, urls, logged_in, office) -> dict[str, int]:
    return {
        "unit_list": _count(logged_in(t["unit_user"]), "get", urls["unit_list"]),
        "screening_queue": _count(logged_in(t["screener"]), "get", urls["screening_queue"]),
        **{page: _count(office, "get", urls[page])
           for page in ("office_queue", "office_queue_page_2", "proposed_list", "dashboard")},
    }


def page_queries(campaign: Campaign) -> dict[str, int]:
    t = targets(campaign)
    urls = t["urls"]

    def logged_in(user):
        client = Client()
        client.force_login(user)
        session = client.session
        mark_verified(session)  # past the second factor, outside pytest too (tests/conftest.py does it there)
        session.save()
        return client

    office = logged_in(t["office"])
    # The queries of rendering each page (the staff page cache off): what the page costs whenever the
    # data moved on. Served from the cache, every staff page costs the session's user (benchmarks/cpu.py).
    with override_settings(STAFF_PAGE_CACHE_SECONDS=0):
        out = _staff_pages(t, urls, logged_in, office)
    cache.clear()
    public = Client()
    with CaptureQueriesContext(connection) as ctx:
        public.get(urls["notice"])
    out["notice_cold"] = len(ctx.captured_queries)
    out["notice_cached"] = _count(public, "get", urls["notice"])
    # A client address of its own (the objection rate limit is per address and lives in the shared cache).
    address = f"198.18.{int(time.time()) % 250}.{campaign.pk % 250 + 1}"
    poster = Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=address)
    poster.get(urls["objection"])
    poster.post(urls["objection"], {"entry": "", "started": ""})  # warm the POST path: refused, nothing filed
    out["objection_post"] = _count(poster, "post", urls["objection"], {
        "entry": t["entry"].pk, "name": "王某某", "contact": "023-61234567", "facts": "该同志事迹材料与实际情况不符，请核实。",
        "website": "", "started": started_token(t["final"].pk)}, expect=(302,))
    return out
