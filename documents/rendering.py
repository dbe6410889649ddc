"""The three file formats: PDF (WeasyPrint), DOCX (python-docx), XLSX (openpyxl).

The libraries are imported inside the functions (STYLE.md 8): importing WeasyPrint costs about a
second and loads Pango; the web process must not pay that on every start-up.

Fonts. The form PDFs are set in "Forms Serif SC" (the 仿宋/宋体-style body) and "Forms Sans SC"
Bold (黑体-style headings): Noto Serif/Sans CJK SC cut to GB 2312 and shipped in documents/fonts/
(``manage.py build_form_fonts`` says how and why: a quarter of the PDF size, a third less time).
A character outside them falls back to the full faces Debian installs (fonts-noto-cjk), named
next in the CSS. The fonts are added to each thread's one FontConfiguration rather than loaded
by ``@font-face`` (WeasyPrint would copy the file into a temporary folder on every render). The
DOCX files name the fonts a bureau's Windows desktop has (仿宋, 黑体, 宋体).
"""

from __future__ import annotations

import io
import threading
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string

from .grid import CHECKS, DATE_LINE, HEAD, LABEL, LONG, OPINION, PHOTO, SEAL, Grid

CSS_DIR = Path(__file__).resolve().parent / "static" / "documents" / "css"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# DOCX fonts: what Word finds on a government desktop; Latin text and digits in Times New Roman.
DOCX_BODY = "仿宋"
DOCX_HEADING = "黑体"
DOCX_TITLE = "宋体"
DOCX_LATIN = "Times New Roman"


# --- PDF ---------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def stylesheet_text(name: str) -> str:
    return (CSS_DIR / name).read_text(encoding="utf-8")


# Per thread (Pango's font maps are not shared across threads; each forked renderer gets a copy):
# the fetcher, one FontConfiguration with the forms' fonts, and each stylesheet parsed once.
# A fresh FontConfiguration per render reloads fontconfig and reopens the fonts every time.
_local = threading.local()


def _fetcher():
    from weasyprint.urls import URLFetcher

    if getattr(_local, "fetcher", None) is None:
        _local.fetcher = URLFetcher(allowed_protocols={"data"})
    return _local.fetcher


def font_configuration():
    """This thread's FontConfiguration: the system fonts plus the two in documents/fonts/."""
    if getattr(_local, "font_config", None) is None:
        from weasyprint.text.ffi import ffi, fontconfig, pangoft2
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        fc_config = getattr(config, "_config", None)  # WeasyPrint's fontconfig handle
        if fc_config is not None:
            added = [fontconfig.FcConfigAppFontAddFile(fc_config, str(path).encode())
                     for path in sorted(FONT_DIR.glob("*.otf"))]
            if any(added):
                pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
        _local.font_config = config
    return _local.font_config


def parsed_stylesheet(name: str):
    """A parsed ``weasyprint.CSS``, once per thread (parsing forms.css cost ~15 ms a render)."""
    from weasyprint import CSS

    sheets = _local.__dict__.setdefault("stylesheets", {})
    if name not in sheets:
        sheets[name] = CSS(string=stylesheet_text(name), url_fetcher=_fetcher(), font_config=font_configuration())
    return sheets[name]


def render_pdf(template: str, context: dict, *, stylesheet: str = "forms.css") -> bytes:
    """One HTML template per form, rendered by Django and laid out by WeasyPrint.

    Only ``data:`` URLs are fetched (the photo is embedded as one): a value typed by a user can
    never make the renderer read a file or call a server.
    """
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf(
        stylesheets=[parsed_stylesheet(stylesheet)], font_config=font_configuration())


# --- DOCX --------------------------------------------------------------------------------------


class Docx:
    """A python-docx document on A4 with official fonts, and the few things the forms need."""

    def __init__(self, *, margins_mm=(25, 25, 22, 25), landscape: bool = False, size_pt: float = 12,
                 line_pt: float | None = None) -> None:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm, Pt

        self.docx = docx
        self.Mm, self.Pt = Mm, Pt
        self.document = docx.Document()
        self.size_pt = size_pt
        self.line_pt = line_pt
        section = self.document.sections[0]
        # python-docx starts from US Letter: A4 is 210 × 297 mm.
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        top, right, bottom, left = margins_mm
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
        section.footer_distance = Mm(max(bottom - 12, 8))
        self.text_width_mm = (297 if landscape else 210) - left - right
        normal = self.document.styles["Normal"]
        normal.font.size = Pt(size_pt)
        self._fonts(normal.element.get_or_add_rPr(), DOCX_BODY)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if line_pt:
            from docx.enum.text import WD_LINE_SPACING

            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(line_pt)

    # fonts ------------------------------------------------------------------------------------

    def _fonts(self, rpr, east_asia: str) -> None:
        from docx.oxml.ns import qn

        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        fonts.set(qn("w:ascii"), DOCX_LATIN)
        fonts.set(qn("w:hAnsi"), DOCX_LATIN)
        fonts.set(qn("w:eastAsia"), east_asia)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")

    def run(self, paragraph, text: str, *, font: str = DOCX_BODY, size_pt: float | None = None, bold: bool = False):
        """A run with its fonts spelled out (a copy of one prepared w:rPr: much faster than the API)."""
        from copy import deepcopy

        run = paragraph.add_run(text)
        run._r.insert(0, deepcopy(self._run_properties(font, size_pt or self.size_pt, bold)))
        return run

    @lru_cache(maxsize=64)  # noqa: B019  (one Docx per document: the cache dies with it)
    def _run_properties(self, font: str, size_pt: float, bold: bool):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        rpr = OxmlElement("w:rPr")
        fonts = OxmlElement("w:rFonts")
        for attr, name in (("w:ascii", DOCX_LATIN), ("w:hAnsi", DOCX_LATIN), ("w:eastAsia", font)):
            fonts.set(qn(attr), name)
        rpr.append(fonts)
        if bold:
            rpr.append(OxmlElement("w:b"))
        for tag in ("w:sz", "w:szCs"):
            el = OxmlElement(tag)
            el.set(qn("w:val"), str(round(size_pt * 2)))
            rpr.append(el)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr.append(lang)
        return rpr

    # paragraphs -------------------------------------------------------------------------------

    def paragraph(self, text: str = "", *, container=None, align: str = "left", font: str = DOCX_BODY,
                  size_pt: float | None = None, bold: bool = False, indent_chars: float = 0,
                  space_before_pt: float = 0, space_after_pt: float = 0, right_indent_chars: float = 0,
                  keep_with_next: bool = False):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        container = container if container is not None else self.document
        p = container.add_paragraph()
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        fmt = p.paragraph_format
        size = size_pt or self.size_pt
        if indent_chars:
            fmt.first_line_indent = self.Pt(size * indent_chars)
        if right_indent_chars:
            fmt.right_indent = self.Pt(size * right_indent_chars)
        fmt.space_before, fmt.space_after = self.Pt(space_before_pt), self.Pt(space_after_pt)
        fmt.keep_with_next = keep_with_next
        if text:
            self.run(p, text, font=font, size_pt=size_pt, bold=bold)
        return p

    def attachment_number(self, number: str) -> None:
        """附件N, top left, 黑体 3号 — as on the paper forms."""
        if number:
            self.paragraph(number, font=DOCX_HEADING, size_pt=16, space_after_pt=6)

    def title(self, text: str, *, size_pt: float = 18, font: str = DOCX_HEADING, space_after_pt: float = 10) -> None:
        for line in text.splitlines():
            self.paragraph(line, align="center", font=font, size_pt=size_pt, bold=font == DOCX_TITLE,
                           space_after_pt=0, keep_with_next=True)
        if space_after_pt:
            self.paragraph("", size_pt=6, space_after_pt=space_after_pt - 6 if space_after_pt > 6 else 0)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def page_numbers(self, *, size_pt: float = 14, outer: bool = False) -> None:
        """"— 1 —" in the footer (GB/T 9704 7.5: 4号 numerals with dashes)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        footer = self.document.sections[0].footer
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if outer else WD_ALIGN_PARAGRAPH.CENTER
        if outer:
            p.paragraph_format.right_indent = self.Pt(size_pt)
        self.run(p, "— ", font=DOCX_TITLE, size_pt=size_pt)
        run = self.run(p, "", font=DOCX_TITLE, size_pt=size_pt)
        for tag, attrs, text in (("w:fldChar", {"w:fldCharType": "begin"}, None),
                                 ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
                                 ("w:fldChar", {"w:fldCharType": "end"}, None)):
            el = OxmlElement(tag)
            for k, v in attrs.items():
                el.set(qn(k), v)
            if text:
                el.text = text
            run._element.append(el)
        self.run(p, " —", font=DOCX_TITLE, size_pt=size_pt)

    # tables -----------------------------------------------------------------------------------

    def grid(self, grid: Grid):
        """Draw a ``Grid``: bordered, spans written as w:gridSpan / w:vMerge, short rows kept on one page.

        The spans are written into the XML directly: python-docx's ``cell()`` and ``merge()`` walk
        the whole table on every call, which made one form take half a second.
        """
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
        from docx.table import _Cell

        n_cols = len(grid.widths_mm)
        table = self.document.add_table(rows=len(grid.rows), cols=n_cols)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        self._cell_margins(table, mm=1.0)
        for i, width in enumerate(grid.widths_mm):
            table.columns[i].width = self.Mm(width)
        size = grid.font_pt or self.size_pt
        # Which cell starts at each position, and which positions a span from above covers.
        origin: dict[tuple[int, int], object] = {}
        below: dict[tuple[int, int], object] = {}
        for placed in grid.placements():
            for r, c, cell in placed:
                origin[(r, c)] = cell
                for dr in range(1, cell.rowspan):
                    below[(r + dr, c)] = cell
        top, middle = WD_CELL_VERTICAL_ALIGNMENT.TOP, WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for r, (row, tr) in enumerate(zip(grid.rows, table.rows, strict=True)):
            if row.height_mm:
                tr.height = self.Mm(row.height_mm)
                tr.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            if not row.splittable:
                self._cant_split(tr)
            if r < grid.head_rows:
                self._repeat_header(tr)
            tcs = list(tr._tr.tc_lst)
            c = 0
            while c < n_cols:
                cell = origin.get((r, c)) or below.get((r, c))
                if cell is None:  # a row shorter than the grid: leave the rest as plain cells
                    c += 1
                    continue
                tc = tcs[c]
                for extra in tcs[c + 1 : c + cell.colspan]:
                    tr._tr.remove(extra)
                tc_pr = tc.get_or_add_tcPr()
                tc_pr.grid_span = cell.colspan
                wrapped = _Cell(tc, table)
                wrapped.width = self.Mm(sum(grid.widths_mm[c : c + cell.colspan]))
                if (r, c) in origin:
                    if cell.rowspan > 1:
                        tc_pr.vMerge_val = "restart"
                    wrapped.vertical_alignment = top if cell.kind in (LONG, OPINION, PHOTO) else middle
                    self._fill(wrapped, cell, size)
                else:
                    tc_pr.vMerge_val = "continue"
                c += cell.colspan
        return table

    def _fill(self, target, cell, size: float) -> None:
        first = target.paragraphs[0]
        font = DOCX_HEADING if cell.kind == HEAD else DOCX_BODY
        if cell.kind in (LABEL, HEAD):
            size = min(size, 11)
        if cell.kind == PHOTO:
            first.alignment = 1
            if cell.photo:
                w, h = cell.photo_size_mm
                first.add_run().add_picture(io.BytesIO(cell.photo.data), width=self.Mm(w), height=self.Mm(h))
            else:
                self.run(first, cell.text, size_pt=size)
            return
        if cell.kind == OPINION:
            for _ in range(4):
                self.paragraph("", container=target, size_pt=size)
            self.paragraph(SEAL, container=target, align="right", size_pt=size, right_indent_chars=4)
            self.paragraph(DATE_LINE, container=target, align="right", size_pt=size, right_indent_chars=1)
            first._element.getparent().remove(first._element)
            return
        if cell.kind == CHECKS:
            self._set_paragraph(first, cell.options_text, size, font, "left")
            return
        paragraphs = cell.paragraphs
        if cell.kind == LONG:
            for i, text in enumerate(paragraphs or [""]):
                p = first if i == 0 else target.add_paragraph()
                self._set_paragraph(p, text, size, font, "justify", indent=2)
        else:
            self._set_paragraph(first, "\n".join(paragraphs), size, font, cell.halign)
        if cell.hint:
            self.paragraph(cell.hint, container=target, align="center", size_pt=size - 2)

    def _set_paragraph(self, p, text: str, size: float, font: str, align: str, indent: float = 0) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                       "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        if indent:
            p.paragraph_format.first_line_indent = self.Pt(size * indent)
        lines = text.split("\n") if text else []
        for i, line in enumerate(lines):
            run = self.run(p, line, font=font, size_pt=size, bold=False)
            if i < len(lines) - 1:
                run.add_break()

    def _cell_margins(self, table, *, mm: float) -> None:
        """Narrow cell margins (Word's default 1.9 mm wraps the four-character captions)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        tbl_pr = table._tbl.tblPr
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(round(mm * 56.7)))
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        # CT_TblPr is a sequence: tblCellMar comes before tblLook (Word refuses misordered XML).
        look = tbl_pr.find(qn("w:tblLook"))
        if look is not None:
            look.addprevious(margins)
        else:
            tbl_pr.append(margins)

    @staticmethod
    def _cant_split(tr) -> None:
        from docx.oxml import OxmlElement

        tr._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    @staticmethod
    def _repeat_header(tr) -> None:
        from docx.oxml import OxmlElement

        tr._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

