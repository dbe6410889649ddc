"""The public notice pages: a government notice, nothing personal, served from the shared cache."""

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from publicity import services
from publicity.models import Notice, Objection, Scope

from .helpers import bulk_notice, collective, individual, unit_notice

pytestmark = pytest.mark.django_db

ID_RE = re.compile(r"\d{17}[\dXx]")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
BIRTH_RE = re.compile(r"1985[-年./]0?6[-月./]0?1|19850601|1985年6月")


@pytest.fixture
def unit(org):
    return org("渝北区知识产权保护中心")


@pytest.fixture
def notice(campaign, users, unit):
    staff = users["unit_yubei"]
    noms = [individual(campaign, unit, staff, seq=7, name="刘晓红"), collective(campaign, unit, staff)]
    return unit_notice(campaign, unit, staff, noms=noms)


def _text(response) -> str:
    return response.content.decode()


def test_notice_page_reads_like_a_government_notice(client, notice):
    html = _text(client.get(reverse("public:notice_detail", args=[notice.pk])))
    assert notice.title in html
    assert "渝北区知识产权保护中心" in html  # issuing body, signed at the end
    last = notice.last_day
    first = timezone.localtime(notice.opens_at).date()
    assert f"公示时间：{first.year}年{first.month}月{first.day}日至{last.month}月{last.day}日" in html
    assert f"（{last.month}月{last.day}日24时截止）" in html
    assert "（023）67000000" in html  # contact
    assert "以真实姓名" in html  # how to object
    assert f"{first.year}年{first.month}月{first.day}日</p>" in html  # date under the issuer
    assert "刘晓红" in html and "先进个人" in html and "先进集体" in html
    assert reverse("public:objection", args=[notice.pk]) in html
    assert "csrfmiddlewaretoken" not in html


def test_notice_page_of_september_30_shows_the_official_window(client, campaign, users, unit):
    from zoneinfo import ZoneInfo

    opens = dt.datetime(2026, 9, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    n = unit_notice(campaign, unit, users["unit_yubei"], opens_at=opens)
    html = _text(client.get(reverse("public:notice_detail", args=[n.pk])))
    assert "公示时间：2026年9月30日至10月12日" in html
    assert "（10月12日24时截止）" in html
    assert "本公示已于2026年10月12日24时截止" in html  # it is past: no objection link
    assert reverse("public:objection", args=[n.pk]) not in html


def test_notice_list_filters_by_campaign_scope_and_state(client, notice, campaign):
    url = reverse("public:notice_list")
    assert notice.title in _text(client.get(url))
    assert notice.title in _text(client.get(url, {"campaign": campaign.slug, "scope": "unit", "state": "open"}))
    assert notice.title not in _text(client.get(url, {"scope": "final"}))
    assert notice.title not in _text(client.get(url, {"state": "closed"}))
    assert notice.title not in _text(client.get(url, {"campaign": "cq-2023"}))
    # Unknown values are ignored rather than stored as new cache entries.
    assert notice.title in _text(client.get(url, {"scope": "<script>", "page": "x"}))


def test_scheduled_notice_is_not_public(client, campaign, users, unit):
    later = timezone.now() + dt.timedelta(days=2)
    n = unit_notice(campaign, unit, users["unit_yubei"], opens_at=later)
    assert client.get(reverse("public:notice_detail", args=[n.pk])).status_code == 404
    assert n.title not in _text(client.get(reverse("public:notice_list")))
    assert client.get(reverse("public:objection", args=[n.pk])).status_code == 404


@pytest.fixture
def published(notice, campaign, users, unit):
    """A notice with an individual and a collective, a concluded objection, a second bulk notice."""
    entry = notice.entries.get(category="individual")
    nom = entry.nomination
    assert ID_RE.search(nom.id_number) and MOBILE_RE.search(nom.phone)  # the data the pages must hide
    objection = services.file_objection(entry=entry, name="赵某某", contact="13912345678", facts="反映的具体事实如下所述。",
                                        client="k")
    services.record_investigation(objection, text="核查。", actor=users["unit_yubei"])
    services.conclude_objection(objection, upheld=False, conclusion="不成立", public_reply="经核实，反映不实。",
                                actor=users["unit_yubei"])
    bulk_notice(campaign, unit, users["unit_yubei"], entries=4)  # more nominees, all with ID numbers and phones
    return nom


PRIVATE_WORDS = ("中共党员", "政治面貌", "考核", "赵某某", "13912345678", "反映的具体事实")


def _assert_nothing_personal(text: str, nom, where: str) -> None:
    assert not ID_RE.search(text), where
    assert not MOBILE_RE.search(text), where
    assert not BIRTH_RE.search(text), where
    for private in (*PRIVATE_WORDS, nom.id_number, nom.phone):
        assert private not in text, (where, private)


def test_public_pages_show_no_id_number_mobile_or_birth_date(client, published):
    nom = published
    pages = [
        reverse("public:notice_list"),
        reverse("public:notice_list") + "?state=open",
        reverse("public:receipt_lookup"),
    ]
    for public in Notice.objects.public():
        pages += [reverse("public:notice_detail", args=[public.pk]), reverse("public:objection", args=[public.pk])]
    for o in Objection.objects.all():
        pages += [reverse("public:receipt", args=[o.receipt_code]), reverse("public:receipt", args=[o.receipt_code]) + "?filed=1"]
    assert len(pages) >= 9
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_nothing_personal(_text(response), nom, url)


def _url_patterns(resolver=None, namespace=""):
    """(name, {parameter: converter}) of every named URL of the project, admin aside (staff only)."""
    from django.urls import URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _url_patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif p.name:
            yield namespace + p.name, dict(getattr(p.pattern, "converters", {}))


def _candidates(published):
    from django.urls.converters import IntConverter, SlugConverter, StringConverter

    from awards.models import Campaign, Quota
    from nominations.models import Nomination

    ints = sorted({*Notice.objects.values_list("pk", flat=True), *Objection.objects.values_list("pk", flat=True),
                   published.pk, *Nomination.objects.order_by("-pk").values_list("pk", flat=True)[:3],
                   *Quota.objects.values_list("pk", flat=True)[:2], published.unit_id, published.campaign_id})
    strings = [*Objection.objects.values_list("receipt_code", flat=True), "individual", "collective", "id_number", "phone",
               "approval", "pdf"]
    slugs = list(Campaign.objects.values_list("slug", flat=True)[:3])
    return {IntConverter: ints, StringConverter: strings, SlugConverter: slugs}


def _body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF-"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", errors="replace")


def test_every_public_url_shows_no_personal_data(client, published):
    """Walks every URL of the project without logging in; each one that answers 200 is public and
    must hold no ID number, mobile, birth date, political status, appraisal or objector's details."""
    import itertools

    from django.urls import NoReverseMatch

    candidates = _candidates(published)
    public: dict[str, int] = {}
    for name, converters in _url_patterns():
        params = list(converters)
        choices = [candidates.get(type(converters[p]), []) for p in params]
        for combo in itertools.islice(itertools.product(*choices), 60):
            try:
                url = reverse(name, kwargs=dict(zip(params, combo, strict=True)))
            except NoReverseMatch:
                continue
            response = client.get(url)
            if response.status_code in (301, 302) and "/login/" in response.get("Location", ""):
                break  # needs a login: not public, whatever the arguments
            if response.status_code == 200:
                public[name] = public.get(name, 0) + 1
                _assert_nothing_personal(_body_text(response), published, url)
    expected = {"public:notice_list", "public:notice_detail", "public:objection", "public:receipt_lookup", "public:receipt",
                "documents:public_notice_pdf", "login"}
    assert expected <= set(public), sorted(public)
    assert public["public:notice_detail"] >= 2 and public["public:receipt"] >= 1


def test_numbers_typed_into_public_fields_are_masked(client, campaign, users, unit):
    staff = users["unit_yubei"]
    nom = individual(campaign, unit, staff, brief_deeds="热线13800001111接听群众来电，核对证件500112198506010011等。" * 3)
    n = unit_notice(campaign, unit, staff, noms=[nom])
    html = _text(client.get(reverse("public:notice_detail", args=[n.pk])))
    assert "13800001111" not in html and "500112198506010011" not in html
    assert "（电话号码不予公开）" in html


# --- cache ------------------------------------------------------------------------------------


def _first_render_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("entries", [5, 300])
def test_notice_page_first_render_is_constant_and_repeat_runs_no_sql(client, campaign, users, unit, entries,
                                                                     django_assert_num_queries):
    n = bulk_notice(campaign, unit, users["unit_yubei"], entries=entries)
    url = reverse("public:notice_detail", args=[n.pk])
    # 1 the notice with campaign, issuer and replaced notice; 2 the entries; 3 the corrections of it.
    with django_assert_num_queries(3):
        html = _text(client.get(url))
    assert html.count('data-label="序号"') == entries
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content.decode() == html


@pytest.mark.parametrize("notices", [1, 12])
def test_notice_list_first_render_is_constant_and_repeat_runs_no_sql(client, campaign, users, unit, notices,
                                                                     django_assert_num_queries):
    for _ in range(notices):
        bulk_notice(campaign, unit, users["unit_yubei"], entries=3)
    url = reverse("public:notice_list")
    # 1 count for the pager; 2 the page of notices with campaign, issuer and entry count; 3 the campaigns;
    # 4 the next closing instant (the cache lives until then).
    with django_assert_num_queries(4):
        client.get(url)
    with django_assert_num_queries(0):
        client.get(url)
    filtered = url + "?scope=unit&state=open"
    with django_assert_num_queries(4):
        client.get(filtered)
    with django_assert_num_queries(0):
        client.get(filtered)


def test_closing_a_notice_moves_the_version_so_the_pages_render_afresh(client, notice, django_capture_on_commit_callbacks):
    url = reverse("public:notice_detail", args=[notice.pk])
    assert "公示中" in _text(client.get(url))
    before = services.public_version()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_notice(notice.pk, now=notice.closes_at)
    assert services.public_version() != before
    html = _text(client.get(url))
    assert "公示已结束" in html
    assert reverse("public:objection", args=[notice.pk]) not in html


@pytest.fixture
def page_timeouts(monkeypatch):
    """The lifetime each public page is cached with."""
    seen = []
    real_set = cache.set

    def spy(key, value, timeout=None, *args, **kw):
        if key.startswith("public:"):
            seen.append(timeout)
        return real_set(key, value, timeout, *args, **kw)

    monkeypatch.setattr(cache, "set", spy)
    return seen


def test_cached_page_lives_no_longer_than_the_window(client, campaign, users, unit, page_timeouts):
    n = bulk_notice(campaign, unit, users["unit_yubei"], entries=2, closes_at=timezone.now() + dt.timedelta(seconds=90))
    client.get(reverse("public:notice_detail", args=[n.pk]))
    client.get(reverse("public:notice_list"))
    assert len(page_timeouts) == 2
    assert all(0 < t <= 90 for t in page_timeouts), page_timeouts


def test_list_cache_ends_when_a_window_off_the_page_closes(client, campaign, users, unit, page_timeouts):
    soon = bulk_notice(campaign, unit, users["unit_yubei"], entries=1, closes_at=timezone.now() + dt.timedelta(seconds=45),
                       opens_at=timezone.now() - dt.timedelta(days=30))
    for _ in range(20):  # newer notices push the one closing soon onto page 2
        bulk_notice(campaign, unit, users["unit_yubei"], entries=1)
    html = _text(client.get(reverse("public:notice_list") + "?state=open"))
    assert f'href="/gs/{soon.pk}/"' not in html  # not on page 1
    assert len(page_timeouts) == 1 and 0 < page_timeouts[0] <= 45, page_timeouts


def test_page_shows_closed_once_the_instant_passes_even_before_the_sweeper(client, campaign, users, unit):
    n = bulk_notice(campaign, unit, users["unit_yubei"], entries=2, closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert n.status == Notice.Status.OPEN  # the worker has not closed it yet
    html = _text(client.get(reverse("public:notice_detail", args=[n.pk])))
    assert "公示已结束" in html and reverse("public:objection", args=[n.pk]) not in html


def test_correction_links_both_ways(client, notice, users, django_capture_on_commit_callbacks):
    staff = users["unit_yubei"]
    with django_capture_on_commit_callbacks(execute=True):
        fixed = services.open_notice(
            campaign=notice.campaign, scope=Scope.UNIT, issuer=notice.issuer,
            nominations=[e.nomination for e in notice.entries.all()], actor=staff, contact="（023）67000000",
            replaces=notice, correction_note="更正第1名推荐对象的职务。",
        )
    old_html = _text(client.get(reverse("public:notice_detail", args=[notice.pk])))
    new_html = _text(client.get(reverse("public:notice_detail", args=[fixed.pk])))
    assert reverse("public:notice_detail", args=[fixed.pk]) in old_html and "本公示已更正" in old_html
    assert "更正第1名推荐对象的职务" in new_html
