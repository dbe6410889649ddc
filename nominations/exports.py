"""推荐对象汇总表 (national 附件5) as XLSX: in recommendation order, with contacts and mobile numbers
in their own columns — the table is not public (DESIGN §6: "按推荐顺序填写", contacts listed separately).

One query for the nominees whatever their number (plus one for the campaign's forms unless they
were prefetched). openpyxl is imported inside the function (STYLE 8).
"""

from __future__ import annotations

import io

from django.db.models import F, QuerySet
from django.utils import timezone

from awards.models import Campaign, Category, FormKey, Quota

from .models import QUOTA_STATUSES, Nomination, Status

TITLE = "推荐对象汇总表"
COLUMNS = [
    ("推荐排序", 8),
    ("类别", 10),
    ("推荐对象（集体名称/姓名）", 22),
    ("性别", 6),
    ("出生年月", 10),
    ("工作单位及职务", 26),
    ("职级", 14),
    ("推荐单位", 22),
    ("简要事迹", 60),
    ("联系人", 10),
    ("联系电话（手机）", 15),
]
OFFICE_COLUMN = ("报送单位", 16)
# The office receives what the districts and departments sent it (重庆 四(一), 全国 五(一)).
OFFICE_STATUSES = (Status.FORWARDED,)


def summary_nominations(campaign: Campaign, *, quota: Quota | None = None) -> QuerySet:
    """The ranked nominees of one quota holder (accepted or sent on), or all that reached the office."""
    qs = Nomination.objects.filter(campaign=campaign).select_related("unit", "organisation", "quota__organisation", "created_by")
    if quota is not None:
        qs = qs.filter(quota=quota, status__in=QUOTA_STATUSES)
        order = []
    else:
        qs = qs.filter(status__in=OFFICE_STATUSES)
        order = ["quota__organisation__path"]
    # "collective" sorts before "individual": collectives first, as on the official list.
    return qs.order_by(*order, "category", F("rank").asc(nulls_last=True), F("unit_rank").asc(nulls_last=True), "pk")


def attachment_number(campaign: Campaign, key: str = FormKey.SUMMARY) -> str:
    return next((f.attachment_number for f in campaign.forms.all() if f.key == key), "")


def summary_filename(campaign: Campaign, *, quota: Quota | None = None) -> str:
    who = quota.organisation.name if quota is not None else "全部"
    return f"{TITLE}-{campaign.slug}-{who}.xlsx"


def _row(nom: Nomination, *, office: bool) -> list:
    if nom.is_collective:
        person = ["", "", "", ""]
        contact = [nom.created_by.display_name if nom.created_by_id else "", nom.created_by.phone if nom.created_by_id else ""]
    else:
        person = [
            nom.get_gender_display(),
            f"{nom.birth_date:%Y.%m}" if nom.birth_date else "",
            nom.post,
            nom.get_rank_grade_display() if nom.rank_grade else "",
        ]
        contact = [nom.name, nom.phone]
    row = [
        nom.rank if nom.rank is not None else "未排序",
        str(Category(nom.category).label),
        nom.display_name,
        *person,
        nom.unit.name,
        nom.brief_deeds,
        *contact,
    ]
    return [nom.quota.organisation.name, *row] if office else row


def build_summary(campaign: Campaign, *, quota: Quota | None = None, nominations=None) -> bytes:
    """The workbook: attachment number, title, who and when, the table, the note that it is not public."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    office = quota is None
    noms = list(nominations if nominations is not None else summary_nominations(campaign, quota=quota))
    columns = ([OFFICE_COLUMN] if office else []) + COLUMNS
    width = len(columns)
    last = get_column_letter(width)

    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    body = Font(name="仿宋", size=11)
    bold = Font(name="黑体", size=11, bold=True)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap_left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    number = attachment_number(campaign)
    ws.append([number])
    ws["A1"].font = Font(name="黑体", size=14)
    ws.append([TITLE])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(name="方正小标宋简体", size=20)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 36
    who = quota.organisation.name if quota is not None else f"{campaign.office.name}（汇总）"
    ws.append([f"评选表彰活动：{campaign.title}"])
    ws.merge_cells(f"A3:{last}3")
    ws.append([f"推荐单位（盖章）：{who}", *[None] * (width - 4), f"填报日期：{timezone.localdate():%Y年%m月%d日}"])
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width - 3)
    ws.merge_cells(start_row=4, start_column=width - 2, end_row=4, end_column=width)
    for cell in (ws["A3"], ws["A4"], ws.cell(row=4, column=width - 2)):
        cell.font = body
    header_row = 5
    ws.append([title for title, _ in columns])
    for index, (_, col_width) in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=index)
        cell.font, cell.border, cell.alignment = bold, border, wrap_center
        ws.column_dimensions[get_column_letter(index)].width = col_width
    ws.row_dimensions[header_row].height = 30

    long_columns = {c for c, (title, _) in enumerate(columns, start=1) if title in ("简要事迹", "工作单位及职务", "推荐单位", "报送单位", "推荐对象（集体名称/姓名）")}
    for nom in noms:
        ws.append(_row(nom, office=office))
        for index in range(1, width + 1):
            cell = ws.cell(row=ws.max_row, column=index)
            cell.font, cell.border = body, border
            cell.alignment = wrap_left if index in long_columns else wrap_center
    if not noms:
        ws.append(["（暂无推荐对象）"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        ws.cell(row=ws.max_row, column=1).alignment = wrap_center
    ws.append([])
    ws.append(["注：1. 按推荐顺序填写，先进集体、先进个人分别排序。2. 本表列有联系人及手机号码，仅供评选表彰工作使用，不得公开。"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.cell(row=ws.max_row, column=1).font = body
    ws.cell(row=ws.max_row, column=1).alignment = wrap_left

    # Printable: A4 landscape, one page wide, the header row repeated, page numbers.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
