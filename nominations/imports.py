"""Excel import of nominees: the template, and the all-or-nothing import of a filled one.

The template has one sheet per category, its columns in the order of the official approval form
(重庆 附件3/附件4, 全国 附件2/附件3; DESIGN §6), dropdowns for every choice, and a sheet of filling
notes. The import validates every row first — types, dates, choices, the ID checksum, lengths
and the one-row rules of ``Nomination.clean`` — and reports row by row in Chinese; only a file
with no error is created, in one transaction, through ``services.create_nomination``. Imported
nominees are drafts; photos are uploaded later on the form.

openpyxl is imported inside the functions (STYLE 8): start-up stays fast.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from awards.models import Campaign, Category, StageKey
from awards.selectors import quota_holder_for
from core.crypto import blind_index, decrypt_bytes, encrypt_bytes
from orgs.models import Organisation, User

from . import rules, services
from .models import (
    ACTIVE_STATUSES,
    Appraisal,
    CollectiveNature,
    Gender,
    Honour,
    ImportJob,
    Leader,
    Nomination,
    Ownership,
    Rank,
)
from .rules import RuleError

log = logging.getLogger(__name__)

MAX_ROWS = 200
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPTIONS_SHEET = "选项"
UNITS_SHEET = "可选集体"
NOTES_SHEET = "填写说明"
YES, NO = "是", "否"


class ImportFileError(Exception):
    """The file as a whole cannot be read as the template: nothing is imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # a Nomination field, or appraisal:<year> / honours / leaders / admin_level
    kind: str  # text, long, date, choice, yesno, decimal, count, id, phone, org
    width: int = 12
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); the dropdown shows the labels
    strict: bool = True  # False: the dropdown suggests, other values are accepted
    note: str = ""
    example: str = ""
    options_key: str = ""  # which list of the options sheet feeds the dropdown


def _labels(choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in choices)


YES_NO = ((YES, YES), (NO, NO))
GENDERS = _labels(Gender.choices)
RANKS = _labels(Rank.choices)
APPRAISALS = _labels(Appraisal.Result.choices)
NATURES = _labels(CollectiveNature.choices)
# The dropdown offers the two kinds of enterprise; blank means "not an enterprise".
OWNERSHIPS = ((str(Ownership.STATE_OWNED), "国有企业"), (str(Ownership.PRIVATE), "民营企业"))
POLITICAL = ("中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众")
EDUCATION = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "高中及以下")
HONOUR_LEVELS = _labels(Honour.Level.choices)

# Spellings people type for the same choice.
ALIASES = {
    "ownership": {"民营（私营）企业": Ownership.PRIVATE, "私营企业": Ownership.PRIVATE, "民营": Ownership.PRIVATE, "国企": Ownership.STATE_OWNED},
    "appraisal": {
        "称职": "competent", "合格": "competent", "基本称职": "basic", "基本合格": "basic",
        "不称职": "incompetent", "不合格": "incompetent",
    },
    "honour_level": {"市级": "municipal", "厅局级": "municipal", "市(厅局)级": "municipal", "区级": "county", "县级": "county", "部级": "provincial", "省级": "provincial"},
}


def appraisal_years(campaign: Campaign) -> list[int]:
    """近5年年度考核 (重庆 一(二)2): the five years before the campaign's year."""
    return list(range(campaign.year - 5, campaign.year))


def _tail_columns(campaign: Campaign) -> list[Column]:
    target, limit = campaign.deeds_target_chars, campaign.brief_deeds_max_chars
    return [
        Column("事迹材料", "deeds", "long", 60, note=f"{target}字左右（{int(target * 0.8)}—{int(target * 1.2)}字之外，报送前须说明理由）。"),
        Column("简要事迹", "brief_deeds", "long", 40, note=f"不超过{limit}字。"),
        Column("企业所有制", "ownership", "choice", 12, choices=OWNERSHIPS, options_key="ownership",
               note="推荐对象为企业或企业人员时选择“国有企业”或“民营企业”，否则留空。"),
        Column("企业合规声明", "enterprise_compliance_declared", "yesno", 12, choices=YES_NO, options_key="yesno",
               note="企业须声明无违法用工、安全生产责任事故、拖欠工资、欠缴税款及社会保险费等情形（全国 五(二)），填“是”或“否”。"),
    ]


def columns_for(campaign: Campaign, category: str) -> list[Column]:
    """The columns of the template, in the order of the official approval form."""
    if category == Category.COLLECTIVE:
        return [
            Column("推荐集体名称", "organisation", "org", 30, required=True, options_key="units",
                   note="本单位或本单位的内设机构、下属单位，名称须与系统中的机构名称一致（见“可选集体”工作表）。",
                   example="渝北区知识产权保护中心"),
            Column("单位性质", "collective_nature", "choice", 14, choices=NATURES, options_key="nature", example="事业单位"),
            Column("行政级别", "admin_level", "text", 10,
                   note="须与系统中该机构的行政级别一致（见“可选集体”工作表）；无行政级别的填“无”或留空。", example="无"),
            Column("单位负责人", "head_name", "text", 12, example="李主任"),
            Column("职工人数", "staff_count", "count", 10, example="20"),
            Column("通讯地址", "address", "text", 30, example="重庆市渝北区……"),
            Column("班子成员", "leaders", "text", 30,
                   note="领导班子成员姓名，用“、”分隔，可在姓名后加括号注明职务，如“王五（主任）、赵六（副主任）”。",
                   example="王五（主任）、赵六（副主任）"),
            Column("承诺近5年无违纪违法", "no_violation_commitment", "yesno", 14, choices=YES_NO, options_key="yesno",
                   note="近5年内集体主要领导无违纪违法行为、领导班子成员无严重违纪违法行为、无“一票否决”情形（重庆 一(一)4），填“是”或“否”。"),
            *_tail_columns(campaign),
        ]
    years = appraisal_years(campaign)
    return [
        Column("姓名", "name", "text", 10, required=True, example="张三"),
        Column("性别", "gender", "choice", 6, choices=GENDERS, options_key="gender", example="男"),
        Column("民族", "ethnicity", "text", 8, example="汉族"),
        Column("出生年月", "birth_date", "date", 10, note="格式如 1985-06。", example="1985-06"),
        Column("政治面貌", "political_status", "choice", 12, choices=tuple((x, x) for x in POLITICAL), strict=False,
               options_key="political", example="中共党员"),
        Column("学历", "education", "choice", 12, choices=tuple((x, x) for x in EDUCATION), strict=False,
               options_key="education", example="大学本科"),
        Column("身份证号", "id_number", "id", 21, note="18位，末位校验码为X的填大写X；请保持文本格式。", example="110101199003076176"),
        Column("联系电话", "phone", "phone", 15, note="手机号码，汇总表中单独列出，不公开。", example="13800138000"),
        Column("参加工作时间", "work_start_date", "date", 12, note="格式如 2008-07。", example="2008-07"),
        Column("工作单位及职务", "post", "text", 28, example="渝北区知识产权保护中心科员"),
        Column("职级", "rank_grade", "choice", 20, choices=RANKS, options_key="rank",
               note="“处级或相当于处级”含县处级正副职和一级至四级调研员；副厅局级及以上（含一级、二级巡视员）不参加评选。",
               example=str(Rank.SECTION_STAFF.label)),
        Column("市管干部", "is_city_managed_cadre", "yesno", 10, choices=YES_NO, options_key="yesno", example=NO),
        Column("享受省部级表彰待遇", "has_model_worker_treatment", "yesno", 12, choices=YES_NO, options_key="yesno",
               note="享受省部级及以上表彰奖励获得者待遇（含省部级及以上劳动模范和先进工作者）填“是”。", example=NO),
        Column("从事相关工作年限", "years_in_field", "decimal", 10,
               note=f"从事{campaign.field_of_work}的年数，可含1位小数；原则上不少于{campaign.min_years_in_field}年。", example="6"),
        *[
            Column(f"{year}年度考核", f"appraisal:{year}", "choice", 12, choices=APPRAISALS, options_key="appraisal",
                   note="近5年年度考核结果，未参加考核的留空。", example=str(Appraisal.Result.COMPETENT.label))
            for year in years
        ],
        Column("荣誉", "honours", "text", 36,
               note="每行一项，格式“年份 级别 荣誉名称”，级别为：国家级、省部级、市（厅局）级、区县级、其他；没有的留空。",
               example=f"{campaign.year - 2} 省部级 重庆市知识产权工作先进个人"),
        *_tail_columns(campaign),
    ]


# --- the template -----------------------------------------------------------------------------


def template_filename(campaign: Campaign, category: str) -> str:
    return f"{Category(category).label}导入模板-{campaign.slug}.xlsx"


def unit_organisations(unit: Organisation) -> list[Organisation]:
    """What a unit may nominate as a collective: itself and what is under it (重庆 二(一))."""
    return list(Organisation.objects.under(unit).filter(is_active=True).order_by("path"))


def build_template(campaign: Campaign, category: str, *, unit: Organisation | None = None) -> bytes:
    """The import template of a campaign and category (with the unit's organisations when given)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = columns_for(campaign, category)
    label = str(Category(category).label)
    wb = Workbook()
    ws = wb.active
    ws.title = label

    thin = Side(style="thin", color="808080")
    head_font = Font(name="宋体", bold=True, size=11)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    required_font = Font(name="宋体", bold=True, size=11, color="C00000")

    # Lists for the dropdowns live on a hidden sheet: Excel limits an inline list to 255 characters.
    options = wb.create_sheet(OPTIONS_SHEET)
    lists: dict[str, list[str]] = {
        "gender": [x[1] for x in GENDERS],
        "rank": [x[1] for x in RANKS],
        "yesno": [YES, NO],
        "appraisal": [x[1] for x in APPRAISALS],
        "ownership": [x[1] for x in OWNERSHIPS],
        "political": list(POLITICAL),
        "education": list(EDUCATION),
        "nature": [x[1] for x in NATURES],
    }
    orgs = unit_organisations(unit) if unit is not None and category == Category.COLLECTIVE else []
    if orgs:
        lists["units"] = [o.name for o in orgs]
    ranges: dict[str, str] = {}
    for index, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=key)
        for row, value in enumerate(values, start=2):
            options.cell(row=row, column=index, value=value)
        ranges[key] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    options.sheet_state = "hidden"

    last_row = MAX_ROWS + 1
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = required_font if col.required else head_font
        cell.fill = head_fill
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        hint = ("必填。" if col.required else "") + col.note
        if hint:
            cell.comment = Comment(hint, "评选表彰系统", width=260, height=110)
        ws.column_dimensions[letter].width = col.width
        if col.kind in ("id", "phone", "date"):
            # Text, so that Excel keeps all 18 digits and the leading zeros, and no date guessing.
            for row in range(2, last_row + 1):
                ws.cell(row=row, column=index).number_format = "@"
        if col.options_key and col.options_key in ranges:
            dv = DataValidation(
                type="list", formula1=ranges[col.options_key], allow_blank=True,
                showErrorMessage=col.strict, errorStyle="stop",
                errorTitle="请从下拉列表中选择", error=f"“{col.header}”请从下拉列表中选择。",
                promptTitle=col.header, prompt=(col.note or "请从下拉列表中选择。")[:250], showInputMessage=True,
            )
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "B2"

    if orgs:
        sheet = wb.create_sheet(UNITS_SHEET)
        sheet.append(["机构名称", "行政级别", "上级机构"])
        for org in orgs:
            sheet.append([org.name, org.admin_level or "无", org.parent.name if org.parent_id and org != unit else ""])
        for letter, width in zip("ABC", (36, 12, 30), strict=True):
            sheet.column_dimensions[letter].width = width
        for cell in sheet[1]:
            cell.font = head_font
            cell.fill = head_fill

    _notes_sheet(wb.create_sheet(NOTES_SHEET, index=1), campaign, category, columns, unit=unit)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _notes_sheet(ws, campaign: Campaign, category: str, columns: list[Column], *, unit: Organisation | None) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    label = str(Category(category).label)
    target, limit = campaign.deeds_target_chars, campaign.brief_deeds_max_chars
    excluded = []
    if campaign.exclude_deputy_bureau_and_above:
        excluded.append("副厅局级或相当于副厅局级以上的单位和个人")
    if campaign.exclude_city_managed_cadres:
        excluded.append("市管干部")
    if campaign.exclude_model_worker_treatment:
        excluded.append("享受省部级及以上表彰奖励获得者待遇人员")
    notes = [
        f"本模板用于“{campaign.title}”{label}推荐对象的批量导入" + (f"（推荐单位：{unit.name}）" if unit else "") + "。",
        f"在“{label}”工作表中从第2行起每行填写一个推荐对象，空行将被忽略，一次最多导入{MAX_ROWS}个。请勿修改表头、删除列或更改工作表名称。",
        "导入为“全部导入或全部不导入”：只要有一处错误，系统就逐行列出错误（第几行、哪一列、问题是什么），不导入任何数据；请按报告修改后重新上传。",
        f"简要事迹不超过{limit}字；事迹材料{target}字左右（{int(target * 0.8)}—{int(target * 1.2)}字之外的，报送前须说明理由）。字数按字符计算，不计空格和换行。",
        "日期填写到月，格式如 1985-06；身份证号、联系电话、日期列已设为文本格式，请勿改为数字格式。",
        "带下拉列表的列请从列表中选择；“是/否”列留空视为“否”。",
    ]
    if category == Category.INDIVIDUAL:
        notes.append(f"近5年年度考核填写{appraisal_years(campaign)[0]}—{appraisal_years(campaign)[-1]}年的结果；原则上均为称职（合格）及以上且至少有1次优秀，或具有一定荣誉基础。")
        notes.append("2寸证件照不通过Excel导入：导入后请在推荐对象表单中上传照片并补充其他信息。")
    else:
        notes.append("同一单位已推荐参评先进集体的，不再推荐该集体领导（含班子成员）为先进个人（重庆 二、三）。")
    if excluded:
        notes.append("以下人员和单位不参加评选：" + "、".join(excluded) + "。")
    notes.append("导入的推荐对象为“草稿”状态，可在表单中继续修改；报送公示前须填写完整。")

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 8
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 30
    ws.append([f"{label}导入模板 · 填写说明"])
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws.merge_cells("A1:D1")
    for number, note in enumerate(notes, start=1):
        ws.append([f"{number}.", None, note])
        row = ws.max_row
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        ws.cell(row=row, column=3).alignment = wrap
    ws.append([])
    ws.append(["列名", "必填", "填写要求", "示例"])
    for cell in ws[ws.max_row]:
        cell.font = Font(name="宋体", bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5F0")
        cell.border = border
    for col in columns:
        requirement = col.note
        if col.choices and not requirement:
            requirement = "可选：" + "、".join(label for _, label in col.choices)
        elif col.choices and col.strict:
            requirement += "可选：" + "、".join(label for _, label in col.choices)
        ws.append([col.header, YES if col.required else "", requirement, col.example])
        for cell in ws[ws.max_row]:
            cell.border = border
            cell.alignment = wrap


# --- reading an uploaded file -----------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_upload(name: str, head: bytes, size: int) -> None:
    """Cheap checks before anything is stored: an .xlsx name, a zip signature, a sane size."""
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(f"文件过大（{size / 1024 / 1024:.1f} MB），导入文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    if size == 0:
        raise ImportFileError("上传的文件是空的。")
    if head.startswith(OLE_MAGIC):
        raise ImportFileError("这是旧版 Excel（.xls）或其他 Office 文件，请用本系统的导入模板填写，另存为 .xlsx 格式后上传。")
    if not name.lower().endswith(".xlsx") or not head.startswith(b"PK"):
        raise ImportFileError("请上传 .xlsx 格式的 Excel 文件（使用本系统下载的导入模板填写）。")


def _normalise_header(value) -> str:
    return re.sub(r"[\s*＊]", "", str(value or "")).replace("（必填）", "")


def read_rows(data: bytes, *, campaign: Campaign, category: str) -> list[tuple[int, dict[str, object]]]:
    """The non-empty data rows as (Excel row number, {header: value}); ``ImportFileError`` if the
    file is not the template (not a workbook, the wrong sheet, columns missing, no data)."""
    from openpyxl import load_workbook

    sniff_upload(".xlsx", data[:8], len(data))
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise ImportFileError("文件已损坏或不是 Excel（.xlsx）文件，无法读取。请用本系统下载的导入模板填写后上传。")
    try:
        wb = load_workbook(buffer, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        log.info("import: not a workbook: %r", exc)
        raise ImportFileError("文件无法作为 Excel 工作簿打开（可能是改了扩展名的 Word 文档或已损坏的文件）。请用本系统下载的导入模板填写后上传。") from exc
    try:
        label = str(Category(category).label)
        if label not in wb.sheetnames:
            others = [str(c.label) for c in Category if c != category and str(c.label) in wb.sheetnames]
            if others:
                raise ImportFileError(f"这是{others[0]}的导入模板，当前导入的是{label}。请下载并使用{label}导入模板。")
            raise ImportFileError(f"未找到工作表“{label}”。请使用本系统下载的{label}导入模板，不要更改工作表名称。")
        ws = wb[label]
        ws.reset_dimensions()  # some writers record a wrong sheet size; read to the real end
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        names = [_normalise_header(v) for v in (header or ())]
        columns = columns_for(campaign, category)
        missing = [c.header for c in columns if c.header not in names]
        if missing:
            raise ImportFileError(
                f"工作表“{label}”的表头缺少以下列：{'、'.join(missing)}。请使用本系统为本次活动下载的导入模板，不要删除列或修改表头。"
            )
        position = {c.header: names.index(c.header) for c in columns}
        result = []
        for number, values in enumerate(rows, start=2):
            values = tuple(values or ())
            record = {h: (values[i] if i < len(values) else None) for h, i in position.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in record.values()):
                continue
            result.append((number, record))
            if len(result) > MAX_ROWS:
                raise ImportFileError(f"一次最多导入{MAX_ROWS}个推荐对象，请分批导入。")
    finally:
        wb.close()
    if not result:
        raise ImportFileError(f"工作表“{label}”中没有推荐对象数据：请从第2行起每行填写一个推荐对象。")
    return result


# --- cell values -----------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*(?:月|[-./]\s*(\d{1,2})\s*日?)?\s*$")


def _date(value, *, header: str, today: dt.date) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        if isinstance(value, float):
            text = f"{value:.2f}"  # a "1985.06" typed into a number cell
        else:
            text = str(value).strip()
        if re.fullmatch(r"\d{6}", text):
            text = f"{text[:4]}-{text[4:]}"
        match = DATE.match(text)
        if not match:
            raise CellError(f"{header}格式不正确，请填写为“1985-06”这样的年月。")
        year, month, d = int(match[1]), int(match[2]), int(match[3] or 1)
        try:
            day = dt.date(year, month, d)
        except ValueError as exc:
            raise CellError(f"{header}“{text}”不是有效的日期。") from exc
    if day.year < 1930 or day > today:
        raise CellError(f"{header}“{day:%Y-%m}”不在合理范围内。")
    return day


def _choice(value, choices, *, header: str, aliases: dict | None = None, strict: bool = True) -> str:
    text = _text(value)
    if not text:
        return ""
    for stored, label in choices:
        if text in (label, stored):
            return stored
    if aliases and text in aliases:
        return str(aliases[text])
    if not strict:
        return text
    raise CellError(f"“{text}”不是可选的值，请从下拉列表中选择（{'、'.join(label for _, label in choices)}）。")


def _yesno(value, *, header: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).upper()
    if text in ("", NO, "N", "NO", "FALSE", "0", "×"):
        return False
    if text in (YES, "Y", "YES", "TRUE", "1", "√"):
        return True
    raise CellError(f"请填写“是”或“否”（现为“{_text(value)}”）。")


def _decimal(value, *, header: str) -> Decimal | None:
    if value is None or value == "":
        return None
    text = _text(value).removesuffix("年").strip() if not isinstance(value, int | float) else str(value)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(f"请填写数字，如 6 或 6.5（现为“{_text(value)}”）。") from exc
    if number < 0 or number >= 100:
        raise CellError(f"“{_text(value)}”不在合理范围内。")
    return number


def _count(value, *, header: str) -> int | None:
    if value is None or value == "":
        return None
    text = _text(value).removesuffix("人").strip()
    if not re.fullmatch(r"\d{1,7}", text):
        raise CellError(f"请填写整数人数（现为“{_text(value)}”）。")
    return int(text)


def _id_number(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        # Excel keeps 15 significant digits of a number: the last digits of an 18-digit ID are lost.
        raise CellError("身份证号被保存成了数字，末几位可能已丢失：请将该列设为文本格式后重新填写。")
    return re.sub(r"\s+", "", str(value)).upper()


HONOUR_LINE = re.compile(r"^(\d{4})\s*年?\s*[,，、]?\s*(\S+?级|其他)\s*[,，、]?\s*(.+)$")


def _honours(value, *, campaign: Campaign) -> list[dict]:
    found = []
    levels = {label: stored for stored, label in HONOUR_LEVELS} | ALIASES["honour_level"]
    for line in re.split(r"[\n；;]+", _text(value)):
        line = line.strip()
        if not line:
            continue
        match = HONOUR_LINE.match(line)
        level = levels.get(match[2].replace("(", "（").replace(")", "）")) if match else None
        if level is None:
            raise CellError(f"“{line}”格式不正确，每行一项，应为“年份 级别 荣誉名称”，如“2021 省部级 重庆市知识产权工作先进个人”；级别为：国家级、省部级、市（厅局）级、区县级、其他。")
        year = int(match[1])
        if not 1950 <= year <= campaign.year:
            raise CellError(f"“{line}”的年份不正确。")
        title = match[3].strip()
        if len(title) > 120:
            raise CellError(f"荣誉名称不超过120字（“{title[:20]}……”）。")
        found.append({"year": year, "level": level, "title": title})
    return found


LEADER = re.compile(r"^(.+?)\s*[（(]\s*(.*?)\s*[)）]$")


def _leaders(value) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for part in re.split(r"[、，,;；/\n]+", _text(value)):
        part = part.strip()
        if not part:
            continue
        match = LEADER.match(part)
        name, post = (match[1].strip(), match[2]) if match else (part, "")
        if len(name) > 40 or len(post) > 80:
            raise CellError(f"“{part[:20]}”过长：姓名不超过40字，职务不超过80字。")
        if name not in [n for n, _ in found]:
            found.append((name, post))
    return found


# --- validation ------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def format_error(error: dict) -> str:
    """“第3行【身份证号】：身份证号应为18位，且校验位正确。”"""
    if error.get("row") is None:
        return error["message"]
    column = f"【{error['column']}】" if error.get("column") else ""
    return f"第{error['row']}行{column}：{error['message']}"


@dataclass
class ParsedRow:
    row: int
    fields: dict
    appraisals: list[tuple[int, str]] = field(default_factory=list)
    honours: list[dict] = field(default_factory=list)
    leaders: list[tuple[str, str]] = field(default_factory=list)


class _Context:
    """What every row is checked against, read once for the whole file."""

    def __init__(self, *, campaign: Campaign, unit: Organisation, category: str, actor: User | None) -> None:
        self.campaign, self.unit, self.category, self.actor = campaign, unit, category, actor
        self.columns = columns_for(campaign, category)
        self.headers = {c.key: c.header for c in self.columns}
        self.today = timezone.localdate()
        self.quota = quota_holder_for(campaign, unit)
        active = Nomination.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES)
        # Blind indexes (core.crypto): the database holds only ciphertext of the ID numbers.
        self.taken_ids = set(active.exclude(id_number_index="").values_list("id_number_index", flat=True))
        self.taken_orgs = set(active.filter(category=Category.COLLECTIVE).values_list("organisation_id", flat=True))
        same_unit = active.filter(unit=unit)
        # 重庆 二、三: the leaders of a nominated collective may not be nominated by the same unit.
        self.collective_leaders = {
            name.strip(): org_name
            for name, org_name in Leader.objects.filter(nomination__in=same_unit.filter(category=Category.COLLECTIVE))
            .values_list("name", "nomination__organisation__name")
        }
        self.unit_individuals = set(same_unit.filter(category=Category.INDIVIDUAL).values_list("name", flat=True))
        self.orgs: dict[str, list[Organisation]] = {}
        if category == Category.COLLECTIVE:
            for org in unit_organisations(unit):
                self.orgs.setdefault(org.name, []).append(org)
        self.seen_ids: dict[str, int] = {}
        self.seen_orgs: dict[int, int] = {}
        self.seen_names: dict[str, int] = {}


def check_importable(campaign: Campaign, unit: Organisation) -> None:
    """What would refuse every row: the campaign, the stage's dates, the unit's place in the tree."""
    if campaign.status != Campaign.Status.OPEN:
        raise RuleError(f"“{campaign.title}”当前不在推荐阶段，不能导入。", code="campaign_closed")
    rules.check_deadline(campaign, StageKey.UNIT)
    if quota_holder_for(campaign, unit) is None:
        raise RuleError(f"{unit.name}不在“{campaign.title}”的推荐范围内。", code="out_of_scope")


def _parse(ctx: _Context, number: int, record: dict[str, object]) -> tuple[ParsedRow, list[RowError]]:
    errors: list[RowError] = []
    parsed = ParsedRow(row=number, fields={})
    for col in ctx.columns:
        value = record.get(col.header)
        try:
            if col.kind == "date":
                result = _date(value, header=col.header, today=ctx.today)
            elif col.kind == "yesno":
                result = _yesno(value, header=col.header)
            elif col.kind == "decimal":
                result = _decimal(value, header=col.header)
            elif col.kind == "count":
                result = _count(value, header=col.header)
            elif col.kind == "id":
                result = _id_number(value)
            elif col.kind == "choice":
                alias_key = "appraisal" if col.key.startswith("appraisal:") else col.key
                result = _choice(value, col.choices, header=col.header, aliases=ALIASES.get(alias_key), strict=col.strict)
            elif col.kind == "org":
                result = _text(value)
            else:
                result = _text(value)
            if col.required and result in ("", None):
                raise CellError(f"{col.header}不能为空。")
        except CellError as exc:
            errors.append(RowError(number, col.header, exc.message))
            continue
        if col.key.startswith("appraisal:"):
            if result:
                parsed.appraisals.append((int(col.key.split(":")[1]), result))
        elif col.key == "honours":
            try:
                parsed.honours = _honours(result, campaign=ctx.campaign)
            except CellError as exc:
                errors.append(RowError(number, col.header, exc.message))
        elif col.key == "leaders":
            try:
                parsed.leaders = _leaders(result)
            except CellError as exc:
                errors.append(RowError(number, col.header, exc.message))
        elif col.key == "admin_level":
            parsed.fields["_admin_level"] = result
        elif col.key == "organisation":
            parsed.fields["_organisation_name"] = result
        else:
            parsed.fields[col.key] = result
    return parsed, errors


def _check_row(ctx: _Context, parsed: ParsedRow) -> list[RowError]:
    """The rules: the one-row rules of ``Nomination.clean`` plus duplicates within the file and campaign."""
    number, headers = parsed.row, ctx.headers
    errors: list[RowError] = []
    fields = parsed.fields
    if ctx.category == Category.COLLECTIVE:
        name = fields.pop("_organisation_name", "")
        admin_level = fields.pop("_admin_level", "")
        candidates = ctx.orgs.get(name, [])
        if name and not candidates:
            errors.append(RowError(number, headers["organisation"], f"“{name}”不是{ctx.unit.name}或其内设机构、下属单位，或与系统中的机构名称不一致（见模板中的“可选集体”工作表）。"))
        elif len(candidates) > 1:
            errors.append(RowError(number, headers["organisation"], f"系统中有多个名为“{name}”的机构，无法确定是哪一个，请联系上级管理员。"))
        elif candidates:
            org = candidates[0]
            fields["organisation"] = org
            recorded = org.admin_level or "无"
            if admin_level and admin_level != recorded:
                errors.append(RowError(number, headers["admin_level"], f"与系统中该机构的行政级别“{recorded}”不一致；如系统记录有误，请联系上级管理员更正。"))
            if org.pk in ctx.seen_orgs:
                errors.append(RowError(number, headers["organisation"], f"与第{ctx.seen_orgs[org.pk]}行重复。"))
            elif org.pk in ctx.taken_orgs:
                errors.append(RowError(number, headers["organisation"], f"“{org.name}”已在本次评选表彰活动中被推荐，不能重复推荐。"))
            ctx.seen_orgs.setdefault(org.pk, number)
        clash = [n for n, _ in parsed.leaders if n in ctx.unit_individuals]
        if clash:
            errors.append(RowError(number, headers["leaders"], f"本单位已推荐班子成员{clash[0]}为先进个人，不能再推荐该集体为先进集体（同一单位内，已推荐集体的，不再推荐其班子成员为先进个人）。"))
    else:
        id_number = fields.get("id_number", "")
        if id_number and rules.valid_id_number(id_number):
            if id_number in ctx.seen_ids:
                errors.append(RowError(number, headers["id_number"], f"与第{ctx.seen_ids[id_number]}行的身份证号重复。"))
            elif blind_index(id_number) in ctx.taken_ids:
                errors.append(RowError(number, headers["id_number"], "该身份证号的推荐对象已在本次评选表彰活动中录入，不能重复推荐。"))
            ctx.seen_ids.setdefault(id_number, number)
            born = fields.get("birth_date")
            if born and (born.year, born.month) != (int(id_number[6:10]), int(id_number[10:12])):
                errors.append(RowError(number, headers["birth_date"], f"与身份证号中的出生日期（{id_number[6:10]}年{id_number[10:12]}月）不一致。"))
            gender = fields.get("gender")
            if gender and gender != (Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE):
                errors.append(RowError(number, headers["gender"], "与身份证号中的性别不一致。"))
        name = fields.get("name", "")
        if name:
            if name in ctx.collective_leaders:
                errors.append(RowError(number, headers["name"], f"本单位已推荐{ctx.collective_leaders[name]}为先进集体，不能再推荐其班子成员{name}为先进个人。"))
            if not id_number and name in ctx.seen_names:
                errors.append(RowError(number, headers["name"], f"与第{ctx.seen_names[name]}行重复。"))
            ctx.seen_names.setdefault(name, number)
        born, started = fields.get("birth_date"), fields.get("work_start_date")
        if born and started and started <= born:
            errors.append(RowError(number, headers["work_start_date"], "参加工作时间应晚于出生年月。"))
    nom = Nomination(
        campaign=ctx.campaign, unit=ctx.unit, category=ctx.category, quota=ctx.quota, created_by=ctx.actor,
        **{k: v for k, v in fields.items() if not k.startswith("_")},
    )
    try:
        nom.full_clean()  # field types and lengths, and rules.check_nomination_fields through clean()
    except ValidationError as exc:
        failed = {e.column for e in errors}
        for key, messages in exc.message_dict.items():
            column = headers.get(key, "")
            if column in failed:
                continue  # one message per cell is enough
            for message in messages:
                errors.append(RowError(number, column or str(_verbose(key)), message))
    return errors


def _verbose(key: str) -> str:
    try:
        return str(Nomination._meta.get_field(key).verbose_name)
    except Exception:
        return ""


def validate_rows(
    ctx: _Context, rows: list[tuple[int, dict]], *, progress: Callable[[int], None] | None = None
) -> tuple[list[ParsedRow], list[RowError]]:
    parsed_rows, errors = [], []
    for done, (number, record) in enumerate(rows, start=1):
        parsed, row_errors = _parse(ctx, number, record)
        row_errors += _check_row(ctx, parsed)
        errors += row_errors
        parsed_rows.append(parsed)
        if progress:
            progress(done)
    return parsed_rows, errors


def _create(ctx: _Context, parsed: ParsedRow) -> Nomination:
    nom = services.create_nomination(
        campaign=ctx.campaign, unit=ctx.unit, category=ctx.category, actor=ctx.actor,
        **{k: v for k, v in parsed.fields.items() if not k.startswith("_")},
    )
    Appraisal.objects.bulk_create([Appraisal(nomination=nom, year=y, result=r) for y, r in parsed.appraisals])
    for honour in parsed.honours:
        Honour.objects.create(nomination=nom, **honour)
    for name, post in parsed.leaders:
        Leader.objects.create(nomination=nom, name=name, post=post)
    return nom


# --- the job ---------------------------------------------------------------------------------


@transaction.atomic
def start_import(*, campaign: Campaign, unit: Organisation, category: str, upload, actor: User) -> ImportJob:
    """Store the upload as a job and queue it once the job is committed."""
    check_importable(campaign, unit)
    head = upload.read(8)
    upload.seek(0)
    try:
        sniff_upload(upload.name, head, upload.size)
    except ImportFileError as exc:
        raise RuleError(exc.message, code="file") from exc
    original = upload.name[:200]
    # The sheet carries ID numbers and phones: stored encrypted (core.crypto), under a random name.
    sealed = ContentFile(encrypt_bytes(upload.read()), name=f"{uuid.uuid4().hex}.xlsx.enc")
    job = ImportJob.objects.create(
        campaign=campaign, unit=unit, category=category, file=sealed, original_name=original, created_by=actor
    )
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.delay(job_id=job.pk))
    return job


def _finish(job_id: int, *, status: str, message: str, errors: Iterable[RowError] = ()) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status, message=message[:300], errors=[e.as_dict() for e in errors], finished_at=timezone.now()
    )


def run_job(job_id: int) -> ImportJob | None:
    """Validate every row, then create all of them in one transaction, or nothing.

    Idempotent: a finished job (done or failed) is not run again; a job left running by a worker
    that died is run again from the start, which is safe because nothing of it was committed.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("campaign", "unit", "created_by").filter(pk=job_id).first()
        if job is None:
            log.warning("import job %s is gone", job_id)
            return None
        if job.is_finished:
            return job
        job.status = ImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.processed_rows = job.created_count = 0
        job.errors = []
        job.save(update_fields=["status", "started_at", "processed_rows", "created_count", "errors"])

    try:
        check_importable(job.campaign, job.unit)
        with job.file.open("rb") as handle:
            data = decrypt_bytes(handle.read())
        rows = read_rows(data, campaign=job.campaign, category=job.category)
    except (RuleError, ImportFileError) as exc:
        _finish(job.pk, status=ImportJob.Status.FAILED, message=f"未导入：{exc.message}", errors=[RowError(None, "", exc.message)])
        return ImportJob.objects.get(pk=job.pk)

    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
    ctx = _Context(campaign=job.campaign, unit=job.unit, category=job.category, actor=job.created_by)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)

    parsed_rows, errors = validate_rows(ctx, rows, progress=progress)
    if errors:
        _finish(
            job.pk, status=ImportJob.Status.FAILED, errors=errors,
            message=f"发现{len(errors)}处错误（涉及{len({e.row for e in errors})}行），未导入任何数据。请按错误报告修改后重新上传。",
        )
        return ImportJob.objects.get(pk=job.pk)

    current: ParsedRow | None = None
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ImportJob.Status.RUNNING:
                return locked  # another delivery of the same message finished it
            created = []
            for current in parsed_rows:
                created.append(_create(ctx, current))
            label = "个" if job.category == Category.COLLECTIVE else "名"
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE, created_count=len(created), created_ids=[n.pk for n in created],
                message=f"已导入{len(created)}{label}{Category(job.category).label}推荐对象（草稿）。",
                finished_at=timezone.now(),
            )
    except (RuleError, ValidationError) as exc:
        text = exc.message if isinstance(exc, RuleError) else "；".join(exc.messages)
        row = current.row if current else None
        _finish(job.pk, status=ImportJob.Status.FAILED, message=f"未导入任何数据：{text}", errors=[RowError(row, "", text)])
    return ImportJob.objects.get(pk=job.pk)


def mark_crashed(job_id: int) -> None:
    """The task gave up after its retries: say so, instead of a bar that never moves."""
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(),
        message="导入过程中发生系统错误，未导入任何数据。请稍后重新上传；如多次出现，请联系系统管理员。",
    )
