"""Horizontal bar charts drawn on the server as inline SVG (UI.md: charts with their numbers beside).

A chart is data: bars with a label, a value, an optional limit and a fill pattern. The geometry is
computed here, the template only draws it. Patterns (hatching, dots, grid, solid) and the numbers
written at the end of every bar make a chart readable without colour; an exceeded limit is said
in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The fills, each also told apart by its texture; the legend names them in words.
PATTERNS = {
    "hatch": "斜线",
    "dots": "圆点",
    "grid": "方格",
    "solid": "实心",
    "cross": "交叉线",
}

WIDTH = 640
LABEL_W = 190
BAR_X = LABEL_W + 6
BAR_W = 300
ROW_H = 26
BAR_H = 16
TOP = 6


@dataclass
class Bar:
    label: str
    value: int
    limit: int | None = None
    pattern: str = "hatch"
    note: str = ""  # e.g. a leading-group decision that allows more than the limit
    allowed: int | None = None

    @property
    def over(self) -> bool:
        ceiling = self.allowed if self.allowed is not None else self.limit
        return ceiling is not None and self.value > ceiling

    @property
    def state(self) -> str:
        if self.limit is None:
            return ""
        if self.value <= self.limit:
            return "未超出"
        if self.allowed is not None and self.value <= self.allowed:
            return "经领导小组决定突破"
        return "超出上限"


@dataclass
class Geometry:
    bar: Bar
    y: int
    text_y: int
    width: int
    limit_x: int | None
    value_x: int

    @property
    def track_width(self) -> int:
        return (self.limit_x - BAR_X) if self.limit_x is not None else 0


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar]
    unit: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # (pattern, meaning)

    @property
    def scale(self) -> int:
        top = max([b.value for b in self.bars] + [b.limit or 0 for b in self.bars] + [b.allowed or 0 for b in self.bars] + [1])
        return top

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_H * max(len(self.bars), 1)

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def bar_x(self) -> int:
        return BAR_X

    @property
    def bar_h(self) -> int:
        return BAR_H

    @property
    def geometry(self) -> list[Geometry]:
        scale = self.scale
        rows = []
        for i, bar in enumerate(self.bars):
            y = TOP + i * ROW_H
            width = round(BAR_W * bar.value / scale)
            limit_x = BAR_X + round(BAR_W * bar.limit / scale) if bar.limit is not None else None
            end = max(BAR_X + width, limit_x or 0)
            rows.append(Geometry(bar, y, y + BAR_H - 3, width, limit_x, end + 6))
        return rows

    @property
    def description(self) -> str:
        """The numbers in words, for screen readers (the table beside says the same)."""
        parts = []
        for bar in self.bars:
            text = f"{bar.label}{bar.value}{self.unit}"
            if bar.limit is not None:
                text += f"，上限{bar.limit}"
                if bar.state:
                    text += f"，{bar.state}"
            parts.append(text)
        return "；".join(parts) + "。"

    @property
    def has_limits(self) -> bool:
        return any(b.limit is not None for b in self.bars)

    @property
    def legend_text(self) -> str:
        return "；".join(f"{PATTERNS[p]}—{meaning}" for p, meaning in self.legend)
