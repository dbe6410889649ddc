"""推荐对象汇总表: ranked, printable, contacts in their own columns, one query whatever its size."""

import io

import pytest
from openpyxl import load_workbook

from awards.models import Campaign, Quota
from awards.selectors import quota_holder_for
from nominations.exports import COLUMNS, build_summary, summary_nominations
from nominations.models import Status

from .helpers import ranked

pytestmark = pytest.mark.django_db


def _loaded(campaign):
    """The campaign as the pages load it (awards.selectors.access_campaign)."""
    return Campaign.objects.select_related("root", "office", "host_unit").prefetch_related("forms").get(pk=campaign.pk)


def _table(data: bytes, header: str = "推荐排序"):
    ws = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if header in r)
    head = rows[start]
    body = []
    for r in rows[start + 1 :]:
        if r[head.index("类别")] is None:  # the blank line before the note
            break
        body.append(dict(zip(head, r, strict=True)))
    return ws, rows, head, body


def test_summary_lists_the_nominees_in_rank_order(campaign, org):
    unit = org("渝北区知识产权保护中心")
    ranked(campaign, unit, 3)
    quota = quota_holder_for(campaign, unit)
    ws, rows, head, body = _table(build_summary(_loaded(campaign), quota=quota))
    assert head == [title for title, _ in COLUMNS]
    assert rows[1][0] == "推荐对象汇总表"
    assert [(r["推荐排序"], r["推荐对象（集体名称/姓名）"]) for r in body] == [(1, "候选01"), (2, "候选02"), (3, "候选03")]
    first = body[0]
    assert (first["类别"], first["性别"], first["职级"], first["推荐单位"]) == ("先进个人", "女", "一级至四级主任科员", "渝北区知识产权保护中心")
    assert first["简要事迹"] == "第1名的简要事迹。"
    assert (first["联系人"], first["联系电话（手机）"]) == ("候选01", "13900000002")
    assert first["出生年月"] == "1980.03"
    # Printable: A4 landscape, one page wide, the header repeated, borders, wrapped text.
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth) == ("landscape", 9, 1)
    assert ws.print_title_rows == "$5:$5"
    cell = ws.cell(row=6, column=head.index("简要事迹") + 1)
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"


def test_summary_puts_collectives_first_and_unranked_last(campaign, org, users):
    from tests.chain.helpers import collective

    unit = org("渝北区知识产权保护中心")
    ranked(campaign, unit, 2)
    col = collective(campaign, unit, users["unit_yubei"])
    type(col).objects.filter(pk=col.pk).update(status=Status.ACCEPTED)  # accepted, not ranked yet
    _, _, _, body = _table(build_summary(_loaded(campaign), quota=col.quota))
    assert [(r["类别"], r["推荐对象（集体名称/姓名）"]) for r in body[:1]] == [("先进集体", "渝北区知识产权保护中心")]
    assert [r["推荐对象（集体名称/姓名）"] for r in body[1:]] == ["候选01", "候选02"]


def test_summary_leaves_out_what_the_quota_holder_has_not_accepted(campaign, org):
    unit = org("渝北区知识产权保护中心")
    ranked(campaign, unit, 2, status=Status.SUBMITTED)
    ranked(campaign, unit, 1, status=Status.FORWARDED, start=5)
    quota = quota_holder_for(campaign, unit)
    assert [n.rank for n in summary_nominations(campaign, quota=quota)] == [5]


def test_office_summary_lists_what_was_forwarded_by_every_quota_holder(campaign, org):
    yubei, spb = org("渝北区知识产权保护中心"), org("沙坪坝区知识产权维权援助中心")
    ranked(campaign, yubei, 2, status=Status.FORWARDED)
    ranked(campaign, spb, 1, status=Status.FORWARDED)
    ranked(campaign, spb, 1, status=Status.ACCEPTED, start=2)  # not sent to the office yet
    _, rows, head, body = _table(build_summary(_loaded(campaign)))
    assert head[0] == "报送单位"
    got = [(r["报送单位"], r["推荐排序"]) for r in body]
    assert sorted(got) == sorted([("渝北区", 1), ("渝北区", 2), ("沙坪坝区", 1)])
    assert len({r[0] for r in got}) == 2 and got.index(("渝北区", 2)) == got.index(("渝北区", 1)) + 1


def test_summary_title_carries_the_campaigns_attachment_number(db, campaign):
    national = Campaign.objects.get(slug="national-2021")
    ws = load_workbook(io.BytesIO(build_summary(_loaded(national)))).active
    assert (ws["A1"].value, ws["A2"].value) == ("附件5", "推荐对象汇总表")
    ws = load_workbook(io.BytesIO(build_summary(_loaded(campaign)))).active
    assert (ws["A1"].value, ws["A2"].value) == (None, "推荐对象汇总表")  # 重庆 has no numbered summary form


@pytest.mark.parametrize("count", [3, 30])
def test_summary_for_a_quota_runs_one_query_whatever_its_size(campaign, org, count, django_assert_num_queries):
    unit = org("渝北区知识产权保护中心")
    ranked(campaign, unit, count)
    loaded = _loaded(campaign)
    quota = Quota.objects.select_related("organisation").get(pk=quota_holder_for(campaign, unit).pk)
    with django_assert_num_queries(1):  # nominees + unit, collective, quota holder, entered-by
        data = build_summary(loaded, quota=quota)
    assert len(_table(data)[3]) == count


@pytest.mark.parametrize("count", [3, 30])
def test_summary_for_the_office_runs_one_query_whatever_its_size(campaign, org, count, django_assert_num_queries):
    ranked(campaign, org("渝北区知识产权保护中心"), count, status=Status.FORWARDED)
    ranked(campaign, org("沙坪坝区知识产权维权援助中心"), count, status=Status.FORWARDED)
    loaded = _loaded(campaign)
    with django_assert_num_queries(1):  # nominees + unit, collective, quota holder, entered-by
        data = build_summary(loaded)
    assert len(_table(data)[3]) == 2 * count
