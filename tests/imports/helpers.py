"""Builders for import files and ranked nominations."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from awards.models import Category
from awards.selectors import quota_holder_for
from nominations.imports import appraisal_years, build_template
from nominations.models import ImportJob, Nomination, Status
from tests.chain.helpers import BRIEF, DEEDS, id_number


def person(campaign, seq: int, **overrides) -> dict:
    """A row of the individual sheet that passes every check (odd ``seq``: the ID says male)."""
    years = appraisal_years(campaign)
    row = {
        "姓名": f"李{seq}号", "性别": "男" if seq % 2 else "女", "民族": "汉族", "出生年月": "1985-06",
        "政治面貌": "中共党员", "学历": "大学本科", "身份证号": id_number(seq), "联系电话": f"1380013{seq:04d}",
        "参加工作时间": "2008-07", "工作单位及职务": "渝北区知识产权保护中心科员", "职级": "一级至四级主任科员",
        "市管干部": "否", "享受省部级表彰待遇": "否", "从事相关工作年限": 6,
        **{f"{year}年度考核": ("优秀" if i == 0 else "称职（合格）") for i, year in enumerate(years)},
        "荣誉": f"{campaign.year - 2} 省部级 重庆市知识产权工作先进个人\n{campaign.year - 3} 区县级 渝北区优秀公务员",
        "事迹材料": DEEDS, "简要事迹": BRIEF, "企业所有制": None, "企业合规声明": "否",
    }
    row.update(overrides)
    return row


def collective_row(name: str, **overrides) -> dict:
    row = {
        "推荐集体名称": name, "单位性质": "事业单位", "行政级别": "无", "单位负责人": "李主任", "职工人数": 20,
        "通讯地址": "重庆市渝北区", "班子成员": "王五（主任）、赵六（副主任）", "承诺近5年无违纪违法": "是",
        "事迹材料": DEEDS, "简要事迹": BRIEF, "企业所有制": None, "企业合规声明": "否",
    }
    row.update(overrides)
    return row


def workbook(campaign, category: str, rows: list[dict], *, unit=None, drop: str | None = None) -> bytes:
    """The system's own template, filled in as a user would (optionally with a column deleted)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(build_template(campaign, category, unit=unit)))
    ws = wb[str(Category(category).label)]
    headers = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(row=r, column=headers.index(header) + 1, value=value)
    if drop:
        ws.delete_cols(headers.index(drop) + 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word document: a zip, but not a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>推荐对象</w:t></w:r></w:p></w:body></w:document>')
    return out.getvalue()


def job_for(campaign, unit, user, data: bytes, *, category: str = Category.INDIVIDUAL, name: str = "推荐对象.xlsx") -> ImportJob:
    return ImportJob.objects.create(
        campaign=campaign, unit=unit, category=category, created_by=user, original_name=name,
        file=SimpleUploadedFile("upload.xlsx", data),
    )


def ranked(campaign, unit, count: int, *, status: str = Status.ACCEPTED, category: str = Category.INDIVIDUAL, start: int = 1):
    """``count`` nominations of ``unit`` already screened and ranked 1..count, in reverse creation order."""
    quota = quota_holder_for(campaign, unit)
    noms = [
        Nomination(
            campaign=campaign, unit=unit, quota=quota, category=category, status=status, rank=count - i + start - 1,
            unit_rank=i + 1, name=f"候选{count - i:02d}", gender="female", birth_date=dt.date(1980, 1 + i % 12, 1),
            post=f"{unit.name}干部{i}", rank_grade="section_staff", phone=f"1390000{i:04d}",
            brief_deeds=f"第{count - i}名的简要事迹。",
        )
        for i in range(count)
    ]
    return Nomination.objects.bulk_create(noms)


def queued(callbacks: list) -> list:
    """The on-commit callbacks but the cache version bumps every write adds (core.versions)."""
    return [c for c in callbacks if not hasattr(c, "version_name")]
