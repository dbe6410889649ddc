"""The publicity notice and the draft commendation decision, after GB/T 9704-2012."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from documents import selectors
from documents.forms import decision, notice
from publicity.models import Notice, NoticeEntry, Scope
from reviews.models import Final, Meeting, Outcome, Review

from .conftest import glyph_warnings
from .helpers import (
    assert_cjk_embedded,
    assert_docx_a4,
    docx_document,
    docx_text,
    flat,
    pdf_flat,
    pdf_page_size_mm,
    pdf_text,
)

pytestmark = pytest.mark.django_db
ID_18 = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def district_notice(package, users):
    """渝北区's own publicity of its nominees; staff typed a mobile and an ID number into public fields."""
    quota = package["quota"]
    opens = timezone.make_aware(dt.datetime(2026, 9, 30, 0, 0))
    n = Notice.objects.create(
        campaign=quota.campaign, scope=Scope.DISTRICT, issuer=quota.organisation, title="渝北区知识产权保护工作先进集体和先进个人推荐对象公示",
        intro="经单位推荐、区知识产权局审核，现将推荐对象予以公示。经办人身份证号500112198001010011。",
        how_to_object="对公示对象有异议的，请以书面形式实名反映。", contact="023-67000000，13987654321",
        working_days=5, opens_at=opens, closes_at=opens + dt.timedelta(days=13), status=Notice.Status.OPEN,
        opened_by=users["district_yubei"],
    )
    for i, nom in enumerate((package["collective"], package["second"], package["first"]), start=1):
        NoticeEntry.objects.create(
            notice=n, nomination=nom, position=i, category=nom.category, name=nom.display_name,
            unit_and_post=nom.unit.name if nom.is_collective else nom.post,
            brief_deeds=nom.brief_deeds + ("（联系电话13800138000）" if i == 3 else ""),
        )
    return n


def test_notice_pdf_shows_public_fields_only(district_notice, package, weasy_log):
    data = notice.pdf(notice.context(district_notice, selectors.notice_entries(district_notice)))
    raw = pdf_text(data)
    text = pdf_flat(data)
    for expected in ("渝北区知识产权保护工作先进集体和先进个人推荐对象公示", "林雨桐", "周明远", "渝北区知识产权保护中心",
                     "渝北区知识产权保护中心副主任", "快速维权通道", "公示时间：2026年9月30日至", "渝北区", "2026年9月30日"):
        assert expected in text, expected
    assert not ID_18.search(raw) and not ID_18.search(text)
    assert not MOBILE.search(raw) and not MOBILE.search(text)
    first = package["first"]
    for private in (first.id_number, first.phone, "1985.06", "1985年6月", "中共党员", "优秀", "称职"):
        assert private not in text, private
    assert "（电话号码不予公开）" in text and "（证件号码不予公开）" in text


def test_notice_pdf_follows_gbt_9704(district_notice, weasy_log):
    data = notice.pdf(notice.context(district_notice, selectors.notice_entries(district_notice)))
    assert pdf_page_size_mm(data) == (210.0, 297.0)
    assert_cjk_embedded(data)
    assert "—1—" in flat(pdf_text(data))
    assert glyph_warnings(weasy_log) == []
    css = (selectors.__file__.rsplit("/", 1)[0] + "/static/documents/css/official.css")
    rules = open(css, encoding="utf-8").read()
    assert "margin: 37mm 26mm 35mm 28mm" in rules and "font-size: 16pt" in rules and "font-size: 22pt" in rules


def _reviews(package):
    rows = []
    for rank, nom in enumerate((package["second"], package["first"]), start=1):
        rows.append(Review.objects.create(campaign=nom.campaign, nomination=nom, quota=nom.quota, category=nom.category,
                                          submitter_rank=nom.rank, initial=Outcome.PASSED, proposed=True, proposed_rank=rank))
    coll = package["collective"]
    rows.append(Review.objects.create(campaign=coll.campaign, nomination=coll, quota=coll.quota, category=coll.category,
                                      submitter_rank=1, initial=Outcome.PASSED, proposed=True, proposed_rank=1))
    return rows


def test_decision_draft_from_the_proposed_list(package, weasy_log):
    _reviews(package)
    campaign = selectors.campaign_for_documents(package["quota"].campaign_id)
    reviews, awarded = selectors.decision_reviews(campaign)
    assert awarded is False and len(reviews) == 3
    ctx = decision.context(campaign, reviews, awarded=False)
    pdf, docx = decision.pdf(ctx), decision.docx(ctx)
    assert_docx_a4(docx)
    section = docx_document(docx).sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    for text in (pdf_flat(pdf), flat(docx_text(docx))):
        assert "代拟稿" in text
        assert "重庆市人力资源和社会保障局重庆市知识产权局关于表彰重庆市知识产权保护工作先进集体和先进个人的决定" in text
        assert "授予渝北区知识产权保护中心“重庆市知识产权保护工作先进集体”称号" in text
        assert "授予周明远等2名同志“重庆市知识产权保护工作先进个人”称号" in text
        assert "重庆市知识产权保护工作先进个人（2名）" in text
        assert text.index("周明远") < text.index("林雨桐")
        assert "渝北区人民法院知识产权审判庭法官" in text
    assert_cjk_embedded(pdf)
    assert glyph_warnings(weasy_log) == []


def test_decision_after_the_decision_lists_the_awarded_only_with_its_date(package, users):
    rows = _reviews(package)
    Review.objects.filter(pk=rows[1].pk).update(final=Final.AWARDED, award_title="重庆市知识产权保护工作先进个人")
    Meeting.objects.create(campaign=rows[1].campaign, kind=Meeting.Kind.DECISION, title="渝人社发〔2026〕1号",
                           held_on=dt.date(2026, 12, 8), summary="表彰决定", recorded_by=users["office"])
    campaign = selectors.campaign_for_documents(package["quota"].campaign_id)
    reviews, awarded = selectors.decision_reviews(campaign)
    assert awarded is True and [r.nomination.name for r in reviews] == ["林雨桐"]
    ctx = decision.context(campaign, reviews, awarded=True, decided_on=selectors.decision_date(campaign))
    text = flat(docx_text(decision.docx(ctx)))
    assert "代拟稿" not in text and "2026年12月8日" in text
    assert "授予林雨桐同志“重庆市知识产权保护工作先进个人”称号" in text and "周明远" not in text
