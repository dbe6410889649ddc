"""Reading the generated files back: PDF (pdftotext, pypdf), DOCX (python-docx), XLSX (openpyxl)."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path


def flat(text: str) -> str:
    """Text without any whitespace: a line or page break must not hide a phrase."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        # -raw: in drawing order, so that a table cell's lines stay together.
        return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", fh.name, "-"], capture_output=True, text=True,
                              check=True).stdout


PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.M)


def pdf_flat(data: bytes) -> str:
    """The PDF's text without whitespace and without the page numbers between pages (— 2 —)."""
    return flat(PAGE_NUMBER.sub("", pdf_text(data)))


def pdf_pages(data: bytes) -> list[str]:
    return pdf_text(data).split("\f")[:-1] or [""]


def pdf_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) of every font used on any page, read with pypdf."""
    from pypdf import PdfReader

    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and font.get("/DescendantFonts"):
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return sorted(found.items())


def pdffonts(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(["pdffonts", fh.name], capture_output=True, text=True, check=True).stdout


def pdf_page_size_mm(data: bytes, index: int = 0) -> tuple[float, float]:
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(data)).pages[index].mediabox
    return round(float(box.width) * 25.4 / 72, 1), round(float(box.height) * 25.4 / 72, 1)


def assert_cjk_embedded(data: bytes) -> None:
    fonts = pdf_fonts(data)
    # Noto CJK, or the forms' cut of it (documents/fonts/: "Forms Serif SC", "Forms Sans SC").
    cjk = [name for name, embedded in fonts if embedded and any(k in name for k in ("CJK", "Noto", "Forms-"))]
    assert cjk, f"no embedded CJK font in {fonts}"
    assert all(embedded for _, embedded in fonts), f"a font is not embedded: {fonts}"


def render_page(data: bytes, out: Path, *, page: int = 1, dpi: int = 110) -> Path:
    """One page as PNG (pdftoppm), kept under $VAR_DIR/pages for a person to look at."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf = out.with_suffix(".pdf")
    pdf.write_bytes(data)
    prefix = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf), str(prefix)],
                   check=True)
    return prefix.with_suffix(".png")


def docx_document(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def docx_text(data: bytes) -> str:
    """Every paragraph in document order — in the body, in table cells (nested too) — and the footers."""
    from docx.oxml.ns import qn

    doc = docx_document(data)
    roots = [doc.element.body] + [s.footer._element for s in doc.sections]
    lines = []
    for root in roots:
        for p in root.iter(qn("w:p")):
            lines.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return "\n".join(lines)


def assert_docx_a4(data: bytes, *, landscape: bool = False) -> None:
    for section in docx_document(data).sections:
        w, h = section.page_width.mm, section.page_height.mm
        if landscape:
            w, h = h, w
        assert abs(w - 210) < 0.5 and abs(h - 297) < 0.5, (w, h)


def xlsx_rows(data: bytes) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
