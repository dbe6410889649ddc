"""Spreadsheets of the proposed and the final list (openpyxl, imported inside the functions: STYLE 8).

Every export carries the caps as computed on its list and each leading-group decision that allows
going beyond an in-principle cap (DESIGN §4: "shown on the list and in every export").
"""

from __future__ import annotations

import io

from awards.models import Campaign

from . import selectors


def _cap_lines(uses, decisions) -> list[str]:
    lines = []
    for use in uses:
        line = f"{use.cap.label}（{use.cap.get_mode_display()}）：名单中{use.count}，上限{use.limit}"
        if use.allowed != use.limit:
            line += f"，经领导小组决定允许{use.allowed}"
        lines.append(line + f"；状态：{use.state}")
    for d in decisions:
        lines.append(
            f"领导小组决定：{d.cap.label}——同意{d.allowed_count}（{d.meeting}，{d.held_on:%Y-%m-%d}）：{d.reason}"
        )
    return lines


def _sheet_caps(wb, uses, decisions) -> None:
    ws = wb.create_sheet("比例使用与领导小组决定")
    _append(ws, ["比例限制", "性质", "名单中", "上限（向下取整）", "允许", "状态", "领导小组决定"])
    by_cap = {}
    for d in decisions:
        by_cap.setdefault(d.cap_id, []).append(d)
    for use in uses:
        notes = "；".join(f"{d.meeting}（{d.held_on:%Y-%m-%d}）同意{d.allowed_count}：{d.reason}" for d in by_cap.get(use.cap.pk, []))
        _append(ws, [use.cap.label, use.cap.get_mode_display(), use.count, use.limit, use.allowed, use.state, notes or "—"])
    _widths(ws, [40, 26, 10, 16, 8, 26, 60])


def _append(ws, values) -> None:
    # Translated labels are lazy objects: openpyxl takes plain strings and numbers only.
    ws.append([v if v is None or isinstance(v, int | float) else str(v) for v in values])


def _widths(ws, widths) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _title(ws, text: str, span: int) -> None:
    from openpyxl.styles import Alignment, Font

    _append(ws, [text])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=span)
    cell = ws.cell(row=ws.max_row, column=1)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center")


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def proposed_xlsx(campaign: Campaign, data: selectors.Comprehensive) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "拟表彰名单"
    header = ["类别", "拟表彰排序", "名称/姓名", "推荐单位", "报送单位", "报送排序", "同意", "弃权", "反对", "应参加表决", "平均分", "是否列入", "计入比例", "状态"]
    _title(ws, f"{campaign.title} 拟表彰对象名单", len(header))
    _append(ws, header)
    for group in data.categories:
        for row in group.rows:
            r = row.review
            _append(ws, [
                group.label, r.proposed_rank or "", row.nom.display_name, row.nom.unit.name, r.quota.organisation.name,
                r.submitter_rank, r.approve_votes, r.abstain_votes, r.reject_votes, r.eligible_voters,
                float(r.average_score) if r.average_score is not None else "",
                "列入" if r.proposed and not row.cancelled else "未列入", "、".join(row.cap_labels), row.result or "",
            ])
    _append(ws, [])
    for line in _cap_lines(data.uses, data.decisions):
        _append(ws, [line])
    _widths(ws, [10, 10, 30, 34, 20, 8, 6, 6, 6, 10, 8, 8, 30, 16])
    _sheet_caps(wb, data.uses, data.decisions)
    return _save(wb)


def final_xlsx(campaign: Campaign, data: selectors.FinalList) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表彰名单"
    header = ["类别", "序号", "名称/姓名", "单位及职务", "授予称号", "状态", "撤销原因"]
    _title(ws, f"{campaign.title} 表彰名单", len(header))
    _append(ws, header)
    for group in data.categories:
        for i, row in enumerate(group.rows, start=1):
            nom = row.nom
            _append(ws, [
                group.label, i, nom.display_name, nom.unit.name if nom.is_collective else (nom.post or nom.unit.name),
                row.title, row.result, row.review.final_reason if row.revoked else "",
            ])
    if data.cancelled:
        _append(ws, [])
        _append(ws, ["取消评选资格（不予递补）"])
        for row in data.cancelled:
            _append(ws, [row.nom.get_category_display(), "", row.nom.display_name, row.nom.unit.name, "", row.result, row.nom.cancel_reason])
    _append(ws, [])
    for line in _cap_lines(data.uses, data.decisions):
        _append(ws, [line])
    _widths(ws, [10, 6, 30, 40, 36, 16, 40])
    _sheet_caps(wb, data.uses, data.decisions)
    return _save(wb)
