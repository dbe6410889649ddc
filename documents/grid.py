"""A bordered form table described once and drawn twice: as HTML for WeasyPrint, and in python-docx.

Each form module builds its tables as a ``Grid`` (rows of ``Cell``s with column and row spans),
so that the PDF and the DOCX show the same boxes in the same order, like the paper form.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

# What a cell holds; the renderers draw each kind its own way.
LABEL = "label"  # a printed caption of the paper form (姓名, 主要事迹 …)
VALUE = "value"  # a short filled-in value
LONG = "long"  # running text in paragraphs (事迹): the only cell allowed to split across pages
PHOTO = "photo"  # the 2-inch photo box
OPINION = "opinion"  # an opinion block: empty space, "（盖章）" and the "年  月  日" date line
CHECKS = "checks"  # a row of options with the chosen one marked (单位性质)
HEAD = "head"  # a column heading of a list table

CHECKED, UNCHECKED = "■", "□"
DATE_LINE = "年\u3000\u3000月\u3000\u3000日"
SEAL = "（盖章）"


@dataclass(frozen=True)
class DocPhoto:
    """The nominee's photo, ready for both renderers, with its box size computed once."""

    data: bytes
    mime: str
    width_px: int
    height_px: int

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def fit(self, max_w_mm: float, max_h_mm: float) -> tuple[float, float]:
        """The largest size inside the box with the photo's own aspect ratio (never stretched)."""
        ratio = self.height_px / self.width_px
        if max_w_mm * ratio <= max_h_mm:
            return round(max_w_mm, 2), round(max_w_mm * ratio, 2)
        return round(max_h_mm / ratio, 2), round(max_h_mm, 2)

    @classmethod
    def from_field(cls, image_field) -> DocPhoto | None:
        """Read an ``ImageField``; ``None`` when empty or unreadable (the box then stays blank)."""
        if not image_field:
            return None
        from PIL import Image, ImageOps, UnidentifiedImageError

        try:
            with image_field.open("rb") as fh:
                raw = fh.read()
            image = Image.open(io.BytesIO(raw))
            image.load()
        except (OSError, ValueError, UnidentifiedImageError):
            return None
        transposed = ImageOps.exif_transpose(image)
        if image.format in ("JPEG", "PNG") and transposed.size == image.size and max(image.size) <= 1200:
            return cls(raw, Image.MIME[image.format], image.width, image.height)
        # Anything else (old uploads, rotated by EXIF, very large): one JPEG of printing size.
        transposed = transposed.convert("RGB")
        transposed.thumbnail((826, 1158))
        out = io.BytesIO()
        transposed.save(out, "JPEG", quality=90)
        return cls(out.getvalue(), "image/jpeg", transposed.width, transposed.height)


@dataclass
class Cell:
    text: str = ""
    kind: str = VALUE
    colspan: int = 1
    rowspan: int = 1
    align: str = ""  # "left" / "center"; by default labels and heads centre, values left
    photo: DocPhoto | None = None
    photo_box_mm: tuple[float, float] = (33.0, 45.0)
    options: list[tuple[str, bool]] = field(default_factory=list)  # CHECKS: (label, chosen)
    hint: str = ""  # a small printed note under a label, e.g. "（1000字左右，可附页）"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in (self.text or "").splitlines() if p.strip()]

    @property
    def halign(self) -> str:
        if self.align:
            return self.align
        if self.kind == OPINION:
            return "right"
        return "center" if self.kind in (LABEL, HEAD, PHOTO) else "left"

    @property
    def photo_size_mm(self) -> tuple[float, float] | None:
        return self.photo.fit(*self.photo_box_mm) if self.photo else None

    @property
    def options_text(self) -> str:
        return "\u3000".join(f"{CHECKED if chosen else UNCHECKED}{label}" for label, chosen in self.options)


@dataclass
class Row:
    cells: list[Cell]
    height_mm: float | None = None  # a minimum height (opinion blocks, the photo rows)
    splittable: bool = False  # only the rows with running text may break across pages


@dataclass
class Grid:
    widths_mm: list[float]
    rows: list[Row]
    head_rows: int = 0  # repeated at the top of every page (list tables)
    font_pt: float | None = None

    @property
    def head(self) -> list[Row]:
        return self.rows[: self.head_rows]

    @property
    def body(self) -> list[Row]:
        return self.rows[self.head_rows :]

    def placements(self) -> list[list[tuple[int, int, Cell]]]:
        """Per row, each cell with its (row, column) origin, skipping what spans above cover."""
        taken: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.rows):
            col = 0
            placed = []
            for cell in row.cells:
                while (r, col) in taken:
                    col += 1
                placed.append((r, col, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, col + dc))
                col += cell.colspan
            if col > len(self.widths_mm):
                raise ValueError(f"row {r} has {col} columns, the grid {len(self.widths_mm)}")
            out.append(placed)
        return out


def label(text: str, **kw) -> Cell:
    return Cell(text, LABEL, **kw)


def value(text: str, **kw) -> Cell:
    return Cell(text, VALUE, **kw)


def opinion_row(caption: str, *, widths: int, height_mm: float = 38.0) -> Row:
    """One level's opinion: caption on the left, space to write, the seal and the date line."""
    return Row([label(caption), Cell("", OPINION, colspan=widths - 1)], height_mm=height_mm)
