"""The summary table (推荐对象汇总表): in the submitter's order, in three formats, without extra queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import selectors
from documents.forms import contact, summary
from nominations.models import Nomination, Status
from nominations.rules import char_count

from .conftest import glyph_warnings
from .helpers import assert_cjk_embedded, assert_docx_a4, docx_text, flat, pdf_flat, xlsx_rows

pytestmark = pytest.mark.django_db


def _ctx(package):
    quota = package["quota"]
    return summary.context(quota.campaign, selectors.package_nominations(quota), quota=quota)


def test_summary_xlsx_lists_each_category_in_ranking_order(package):
    sheets = xlsx_rows(summary.xlsx(_ctx(package)))
    assert list(sheets) == ["先进集体", "先进个人"]
    individuals = sheets["先进个人"]
    assert individuals[3][:3] == ["推荐排序", "姓名", "性别"]
    body = individuals[4:]
    # Ranked 1 周明远, 2 林雨桐 by the district — not in the order they were entered.
    assert [(r[0], r[1]) for r in body] == [(1, "周明远"), (2, "林雨桐")]
    row = dict(zip(individuals[3], body[1], strict=True))
    assert row["工作单位及职务"] == "渝北区知识产权保护中心副主任"
    assert "快速维权通道" in row["简要事迹"]
    assert row["手机号码"] == "13800138000"
    collectives = sheets["先进集体"]
    assert collectives[4][:3] == [1, "渝北区知识产权保护中心", "渝北区知识产权保护中心"]


def test_summary_order_follows_a_change_of_ranking(package):
    first, second = package["first"], package["second"]
    Nomination.objects.filter(pk=second.pk).update(rank=None)
    Nomination.objects.filter(pk=first.pk).update(rank=1)
    Nomination.objects.filter(pk=second.pk).update(rank=2)
    body = xlsx_rows(summary.xlsx(_ctx(package)))["先进个人"][4:]
    assert [r[1] for r in body] == ["林雨桐", "周明远"]


def test_summary_pdf_and_docx_hold_the_ranked_list(package, weasy_log):
    ctx = _ctx(package)
    pdf = summary.pdf(ctx)
    docx = summary.docx(ctx)
    assert_cjk_embedded(pdf)
    assert_docx_a4(docx, landscape=True)
    for text in (pdf_flat(pdf), flat(docx_text(docx))):
        assert "推荐对象汇总表" in text and "按推荐优先顺序填写" in text and "推荐单位（盖章）：渝北区" in text
        assert text.index("周明远") < text.index("林雨桐")
        assert "渝北区人民法院知识产权审判庭法官" in text and "审结知识产权案件312件" in text
        assert "None" not in text
    assert glyph_warnings(weasy_log) == []


def test_national_summary_is_attachment_5_with_brief_deeds_within_300(national_nominee):
    nom = national_nominee
    Nomination.objects.filter(pk=nom.pk).update(brief_deeds="坚守一线" * 100)  # 400 characters: an old record
    noms = selectors.office_nominations(nom.campaign)
    ctx = summary.context(nom.campaign, noms, quota=None)
    assert ctx["meta"].attachment_number == "附件5" and ctx["meta"].copies_text == "一式5份"
    sheets = xlsx_rows(summary.xlsx(ctx))
    header, row = sheets["先进个人"][3], sheets["先进个人"][4]
    record = dict(zip(header, row, strict=True))
    assert record["报送单位"] == "重庆市" and record["姓名"] == "何海燕"
    assert char_count(record["简要事迹"]) <= 300
    assert sheets["先进个人"][0][0] == "附件5"


def test_summary_asks_the_same_number_of_queries_for_one_and_for_three(package, campaign, users, org):
    quota = package["quota"]

    def count(ids):
        Nomination.objects.filter(quota=quota).exclude(pk__in=ids).update(status=Status.SUBMITTED)
        Nomination.objects.filter(pk__in=ids).update(status=Status.ACCEPTED)
        user = type(users["district_yubei"]).objects.get(pk=users["district_yubei"].pk)  # no cached scope
        with CaptureQueriesContext(connection) as ctx:
            campaign, fresh = selectors.access_package(user, "cq-demo", quota.pk)
            noms = selectors.package_nominations(fresh)
            summary.xlsx(summary.context(campaign, noms, quota=fresh))
        assert len(noms) == len(ids)
        return len(ctx.captured_queries)

    count([package["first"].pk])  # warms the process-wide content-type cache (guardian)
    one = count([package["first"].pk])
    three = count([package["first"].pk, package["second"].pk, package["collective"].pk])
    # As the view reads: campaign (+ stages, forms, categories, caps), the user's scope, the quota;
    # nominations (+ campaign forms, categories, appraisals, honours, consultations, notice entries).
    assert one == three


def test_contact_form_docx(package):
    ctx = contact.context(package["quota"].campaign, package["quota"])
    data = contact.docx(ctx)
    assert_docx_a4(data)
    text = flat(docx_text(data))
    assert "推荐工作联系表" in text and "渝北区" in text and "联系人" in text and "None" not in text
