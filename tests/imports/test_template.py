"""The Excel template: opens, has the headers of the approval form, dropdowns and filling notes."""

import io

import pytest
from openpyxl import load_workbook

from awards.models import Category
from nominations.imports import NOTES_SHEET, appraisal_years, build_template
from nominations.models import Appraisal, Rank

pytestmark = pytest.mark.django_db


def _list_values(wb, formula: str) -> list[str]:
    """The values a list validation offers: ``'选项'!$B$2:$B$13`` resolved on the workbook."""
    sheet, cells = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def _dropdown(wb, ws, header: str) -> list[str]:
    letter = next(c.column_letter for c in ws[1] if c.value == header)
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and any(r.min_col == r.max_col == ws[f"{letter}1"].column and r.min_row == 2 for r in dv.sqref.ranges):
            return _list_values(wb, dv.formula1)
    raise AssertionError(f"no dropdown on {header}")


def test_template_individual_has_the_approval_form_headers_in_order(campaign):
    wb = load_workbook(io.BytesIO(build_template(campaign, Category.INDIVIDUAL)))
    ws = wb["先进个人"]
    years = appraisal_years(campaign)
    assert [c.value for c in ws[1]] == [
        "姓名", "性别", "民族", "出生年月", "政治面貌", "学历", "身份证号", "联系电话", "参加工作时间", "工作单位及职务",
        "职级", "市管干部", "享受省部级表彰待遇", "从事相关工作年限", *[f"{y}年度考核" for y in years],
        "荣誉", "事迹材料", "简要事迹", "企业所有制", "企业合规声明",
    ]
    assert years == list(range(campaign.year - 5, campaign.year))
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["G"].width >= 20  # 身份证号 fits its 18 digits
    assert ws["G2"].number_format == "@"  # kept as text: Excel would round an 18-digit number
    assert wb.sheetnames[:2] == ["先进个人", NOTES_SHEET]


def test_template_individual_dropdowns_offer_the_labels(campaign):
    wb = load_workbook(io.BytesIO(build_template(campaign, Category.INDIVIDUAL)))
    ws = wb["先进个人"]
    assert _dropdown(wb, ws, "职级") == [str(label) for label in Rank.labels]
    assert _dropdown(wb, ws, "性别") == ["男", "女"]
    assert _dropdown(wb, ws, "市管干部") == ["是", "否"]
    assert _dropdown(wb, ws, "享受省部级表彰待遇") == ["是", "否"]
    for year in appraisal_years(campaign):
        assert _dropdown(wb, ws, f"{year}年度考核") == [str(label) for label in Appraisal.Result.labels]
    assert _dropdown(wb, ws, "企业所有制") == ["国有企业", "民营企业"]
    assert wb["选项"].sheet_state == "hidden"


def test_template_collective_lists_the_units_organisations(campaign, org):
    unit = org("渝北区知识产权局")
    wb = load_workbook(io.BytesIO(build_template(campaign, Category.COLLECTIVE, unit=unit)))
    ws = wb["先进集体"]
    assert [c.value for c in ws[1]] == [
        "推荐集体名称", "单位性质", "行政级别", "单位负责人", "职工人数", "通讯地址", "班子成员", "承诺近5年无违纪违法",
        "事迹材料", "简要事迹", "企业所有制", "企业合规声明",
    ]
    names = _dropdown(wb, ws, "推荐集体名称")
    assert names[0] == "渝北区知识产权局"
    assert {"渝北区知识产权保护中心", "保护科"} <= set(names)
    assert "渝北区人民法院" not in names  # under the district, not under this unit
    assert _dropdown(wb, ws, "单位性质") == ["机关", "参公单位", "事业单位", "国有企业", "国有控股企业", "社会团体", "其他"]
    assert [c.value for c in wb["可选集体"][1]] == ["机构名称", "行政级别", "上级机构"]


def test_template_notes_state_the_campaigns_limits(campaign):
    campaign.brief_deeds_max_chars = 300
    wb = load_workbook(io.BytesIO(build_template(campaign, Category.INDIVIDUAL)))
    text = "\n".join(str(c.value) for row in wb[NOTES_SHEET].iter_rows() for c in row if c.value)
    assert "简要事迹不超过300字" in text
    assert f"事迹材料{campaign.deeds_target_chars}字左右" in text
    assert "全部导入或全部不导入" in text
    assert "照片" in text
    assert "市管干部" in text  # excluded in the Chongqing rules
