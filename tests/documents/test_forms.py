"""The per-nominee forms: opened again with python-docx and pdftotext/pypdf, and checked against the record."""

from __future__ import annotations

import re
import statistics
import time

import pytest

from documents import selectors
from documents.forms import collective_approval, consultation, individual_approval, initial_review
from documents.grid import PHOTO
from nominations.models import Consultation, Nomination

from .conftest import COLLECTIVE_MARK, glyph_warnings
from .helpers import (
    PAGE_NUMBER,
    assert_cjk_embedded,
    assert_docx_a4,
    docx_document,
    docx_text,
    flat,
    pdf_flat,
    pdf_page_size_mm,
    pdf_pages,
    pdffonts,
    render_page,
)

pytestmark = pytest.mark.django_db


def fetch(nom: Nomination) -> Nomination:
    """As the views and the batch read it: one query set with everything the forms print."""
    return selectors.with_form_data(Nomination.objects.filter(pk=nom.pk)).get()


def test_individual_approval_pdf_holds_the_record_in_cjk_glyphs(package, weasy_log, pages_dir):
    nom = fetch(package["first"])
    data = individual_approval.pdf(individual_approval.context(nom))
    text = pdf_flat(data)
    for expected in ("附件4", "重庆市知识产权保护工作先进个人推荐审批表", "林雨桐", "渝北区知识产权保护中心",
                     "推荐排序", "第2位", "一式3份", "所在单位意见", "评选表彰工作领导小组审批意见"):
        assert expected in text, expected
    assert text.count("（盖章）") == 3  # unit, district, leading group
    assert flat(nom.deeds) in text  # the whole 1000 characters, across the page break
    assert pdf_page_size_mm(data) == (210.0, 297.0)
    assert_cjk_embedded(data)
    fonts = pdffonts(data)
    assert "Forms-Serif-SC" in fonts and "Forms-Sans-SC-Bold" in fonts  # documents/fonts/, not the 27 MB collections
    assert "Noto-" not in fonts
    assert glyph_warnings(weasy_log) == []
    png = render_page(data, pages_dir / "individual_approval_p2", page=2)
    assert png.stat().st_size > 20_000


def test_individual_approval_docx_is_a4_and_holds_the_record(package):
    nom = fetch(package["first"])
    data = individual_approval.docx(individual_approval.context(nom))
    assert_docx_a4(data)
    text = flat(docx_text(data))
    for expected in ("附件4", "林雨桐", "渝北区知识产权保护中心", "第2位", "2022年被重庆市知识产权局授予",
                     "2021年度：优秀", "500112198506010114"[:6], "（盖章）", "一式3份"):
        assert expected in text, expected
    assert flat(nom.deeds) in text


def test_photo_keeps_its_aspect_ratio_in_both_formats(package):
    nom = fetch(package["first"])  # the builders' photo is 330 × 480 px
    ctx = individual_approval.context(nom)
    cell = next(c for row in ctx["grid"].rows for c in row.cells if c.kind == PHOTO)
    w, h = cell.photo_size_mm
    assert h <= 47.0 and w <= 33.0
    assert h / w == pytest.approx(480 / 330, rel=0.01)
    shapes = docx_document(individual_approval.docx(ctx)).inline_shapes
    assert len(shapes) == 1
    assert shapes[0].height / shapes[0].width == pytest.approx(480 / 330, rel=0.01)


def test_collective_approval_pdf_and_docx(package, weasy_log):
    nom = fetch(package["collective"])
    ctx = collective_approval.context(nom)
    pdf = pdf_flat(collective_approval.pdf(ctx))
    docx = collective_approval.docx(ctx)
    assert_docx_a4(docx)
    for text in (pdf, flat(docx_text(docx))):
        for expected in ("附件3", "重庆市知识产权保护工作先进集体推荐审批表", "渝北区知识产权保护中心", "第1位",
                         "■事业单位", "□机关", "李主任", "20人", "行政级别", "无"):
            assert expected in text, expected
        assert f"{COLLECTIVE_MARK}第001句" in text and flat(nom.deeds) in text
    assert glyph_warnings(weasy_log) == []


def test_consultation_form_has_a_row_per_department_with_answer_and_date(package, weasy_log, users):
    nom = fetch(package["first"])
    ctx = consultation.context(nom)
    rows = consultation.department_rows(nom)
    assert [r[0] for r in rows] == ["组织人事", "纪检监察"]
    assert rows[0] == ("组织人事", "渝北区委组织部", "无异议", "2026年9月15日")
    pdf = consultation.pdf(ctx)
    docx = consultation.docx(ctx)
    assert_docx_a4(docx)
    for text in (pdf_flat(pdf), flat(docx_text(docx))):
        for expected in ("附件5", "推荐对象征求意见表", "林雨桐", "渝北区知识产权保护中心副主任", "第2位",
                         "组织人事（渝北区委组织部）", "纪检监察（渝北区纪委监委）", "无异议",
                         "2026年9月15日",
                         "快速维权通道"):
            assert expected in text, expected
    assert glyph_warnings(weasy_log) == []


def test_consultation_form_prints_a_blank_row_for_a_required_department_not_yet_answered(package):
    nom = package["first"]
    Consultation.objects.filter(nomination=nom, department="discipline").delete()
    rows = consultation.department_rows(fetch(nom))
    assert rows[1] == ("纪检监察", "", "", "")


def test_initial_review_form_in_national_numbering(national_nominee, weasy_log):
    nom = fetch(national_nominee)
    ctx = initial_review.context(nom)
    assert ctx["meta"].attachment_number == "附件1"
    for text in (pdf_flat(initial_review.pdf(ctx)), flat(docx_text(initial_review.docx(ctx)))):
        for expected in ("附件1", "推荐对象初审表", "何海燕", nom.unit.name, "第1位", "长期坚守知识产权保护一线",
                         "省级评选机构初审意见", "不超过300字"):
            assert expected in text, expected
    assert glyph_warnings(weasy_log) == []


def test_national_approval_forms_use_the_national_numbers_and_copies(national_nominee):
    nom = fetch(national_nominee)
    ctx = individual_approval.context(nom)
    assert (ctx["meta"].attachment_number, ctx["meta"].title, ctx["meta"].copies_text) == (
        "附件3", "全国知识产权系统先进个人推荐审批表", "一式5份")
    assert [r.cells[0].text for r in ctx["grid"].rows[-3:]] == ["所在单位意见", "省级评选机构意见", "评选表彰工作领导小组审批意见"]
    assert consultation.context(nom)["meta"].attachment_number == "附件4"
    text = flat(docx_text(individual_approval.docx(ctx)))
    assert "全国知识产权系统先进个人推荐审批表" in text and "省部级" in text and "人力资源社会保障部国家知识产权局制" in text


def test_empty_fields_print_as_blanks_never_none(campaign, users, org, weasy_log):
    from tests.chain.helpers import individual

    nom = individual(campaign, org("渝北区人民法院"), users["unit_yubei"], seq=31, appraisals=False, name="空白测",
                     ethnicity="", birth_date=None, political_status="", education="", phone="", post="",
                     rank_grade="", years_in_field=None, photo=None, brief_deeds="", deeds="")
    nom = fetch(nom)
    for module in (individual_approval, consultation, initial_review):
        ctx = module.context(nom)
        for text in (pdf_flat(module.pdf(ctx)), flat(docx_text(module.docx(ctx)))):
            assert "空白测" in text
            assert "None" not in text
    assert glyph_warnings(weasy_log) == []


def test_long_deeds_flow_across_pages_without_losing_text(package):
    nom = fetch(package["second"])  # 1000 characters of numbered sentences
    pages = pdf_pages(individual_approval.pdf(individual_approval.context(nom)))
    with_deeds = [i for i, page in enumerate(pages) if "审判庭第" in page]
    assert len(with_deeds) >= 2, "the deeds should run over a page break"
    text = flat(PAGE_NUMBER.sub("", "".join(pages)))
    numbers = [int(n) for n in re.findall(r"审判庭第(\d{3})句", text)]
    assert numbers == list(range(1, max(numbers) + 1))
    assert flat(nom.deeds) in text


def test_one_approval_form_renders_fast_enough(package, capsys):
    """Prints the timing (-s): about 0.2 s with libharfbuzz-subset, about 2.7 s without."""
    nom = fetch(package["first"])
    ctx = individual_approval.context(nom)
    individual_approval.pdf(ctx)  # WeasyPrint and the fonts loaded once
    pdf_times, docx_times = [], []
    for _ in range(3):
        t = time.perf_counter()
        individual_approval.pdf(ctx)
        pdf_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        individual_approval.docx(ctx)
        docx_times.append(time.perf_counter() - t)
    pdf_median, docx_median = statistics.median(pdf_times), statistics.median(docx_times)
    with capsys.disabled():
        print(f"\n先进个人推荐审批表: PDF median {pdf_median:.3f} s, DOCX median {docx_median:.3f} s (3 runs)")
    # The fast path needs Debian's libharfbuzz-subset0; without it WeasyPrint falls back to fontTools.
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None
    # Generous: the test machine is shared by several test runs at once (about 0.2 s when idle).
    assert pdf_median < 5.0



def test_docx_table_spans_read_back_as_the_paper_form(package):
    """Spans are written as w:gridSpan / w:vMerge: python-docx (as Word) reads the merged boxes back."""
    nom = fetch(package["first"])
    table = docx_document(individual_approval.docx(individual_approval.context(nom))).tables[0]
    assert len(table.columns) == 7
    photo = table.cell(0, 6)
    assert photo._tc is table.cell(2, 6)._tc and photo._tc is not table.cell(3, 6)._tc  # 3 rows high
    assert table.cell(3, 1).text == nom.id_number and table.cell(3, 1)._tc is table.cell(3, 3)._tc  # 3 columns wide
    assert table.cell(3, 5).text == "13800138000" and table.cell(3, 5)._tc is table.cell(3, 6)._tc
    assert [table.cell(r, 0).text for r in range(len(table.rows))][-3:] == [
        "所在单位意见", "区县知识产权局/市级部门意见", "评选表彰工作领导小组审批意见"]
    assert "（盖章）" in table.cell(len(table.rows) - 1, 3).text


def test_a_character_outside_the_forms_fonts_comes_from_the_full_noto_face(package, weasy_log):
    """喆 is not in GB 2312 (documents/fonts/): it is drawn from Noto Serif CJK SC, never lost."""
    nom = fetch(package["first"])
    nom.name = "王喆"
    data = individual_approval.pdf(individual_approval.context(nom))
    assert "王喆" in pdf_flat(data)
    fonts = pdffonts(data)
    assert "Forms-Serif-SC" in fonts and "Noto-Serif-CJK-SC" in fonts
    assert_cjk_embedded(data)
    assert glyph_warnings(weasy_log) == []


def test_form_pdfs_are_small_with_the_cut_fonts(package):
    """Issue 6: the two subsets of a GB 2312 cut stay small (they were ~150 KB each from the collections)."""
    nom = fetch(package["first"])
    assert len(individual_approval.pdf(individual_approval.context(nom))) < 160_000
