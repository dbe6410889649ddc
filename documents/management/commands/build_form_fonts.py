"""Rebuild documents/fonts/: the two small CJK fonts the PDF forms embed (issue 6).

    python manage.py build_form_fonts [--out DIR]   # from Debian's fonts-noto-cjk; a few minutes

Why: WeasyPrint subsets a font keeping its glyph ids, so a PDF pays for every glyph id below the
highest one it uses. The simplified-Chinese glyphs of the Noto CJK collections sit near id 63,000
of 65,535: each PDF carried two ~800 KB subsets (mostly empty glyphs) and spent ~0.1 s on each.
Cut to the SC face and the GB 2312 characters (every common character; Latin, punctuation and
symbols too), the highest id is ~15,000: the subsets are a quarter of the size and four times faster.
Anything outside (a rare character in a name) is drawn from the full Noto face, named next in the
CSS, so no text is ever lost. The outlines, metrics and OpenType features are Noto's own.

The CFF stays CID-keyed, its CIDs renumbered to equal the new glyph ids: PDF readers look the
glyphs up by CID. The fonts are renamed (OFL 1.1: a Modified Version; no Reserved Font Name).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from documents.rendering import FONT_DIR

NOTO = Path("/usr/share/fonts/opentype/noto")
# (collection, face, output file, new family)
FONTS = [
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "FormsSerifSC-Regular.otf", "Forms Serif SC"),
    ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "FormsSansSC-Bold.otf", "Forms Sans SC"),
]


def codepoints() -> set[int]:
    """GB 2312 (all 7,445 characters), and Latin, Greek, Cyrillic, symbols and CJK/full-width punctuation."""
    cps: set[int] = set()
    for lo, hi in ((0x20, 0x7F), (0xA0, 0x250), (0x391, 0x460), (0x2000, 0x2C00), (0x3000, 0x3100),
                   (0x3200, 0x3400), (0xFE30, 0xFE50), (0xFF00, 0xFFF0)):
        cps.update(range(lo, hi))
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([first, second]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return cps


def build(collection: Path, face: str, out: Path, family: str) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    font = next(f for f in TTCollection(str(collection)).fonts if f["name"].getDebugName(1) == face)
    options = subset.Options()
    options.retain_gids = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = True
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    cmap = font.getBestCmap()
    subsetter.populate(unicodes=[c for c in codepoints() if c in cmap])
    subsetter.subset(font)
    stage = out.with_suffix(".stage")
    font.save(str(stage))
    # Renumber the CIDs to the new glyph ids (only the CFF charset names them; the other tables
    # hold glyph ids and are copied as they are).
    font = TTFont(str(stage), lazy=True)
    order = [".notdef"] + [f"cid{i:05d}" for i in range(1, len(font.getGlyphOrder()))]
    top = font["CFF "].cff.topDictIndex[0]
    top.CharStrings.charStrings = dict(zip(order, top.CharStrings.charStrings.values(), strict=True))
    top.charset = list(order)
    font.setGlyphOrder(order)
    compact = family.replace(" ", "")
    for rec in font["name"].names:
        if rec.nameID in (1, 3, 4, 6, 16, 17):
            rec.string = rec.toUnicode().replace(face, family).replace(face.replace(" ", "").replace("SC", "sc"), compact)
    font.save(str(out))
    stage.unlink()
    return len(order)


class Command(BaseCommand):
    help = "Rebuild the two small CJK fonts of the PDF forms from Debian's fonts-noto-cjk."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=FONT_DIR, help="folder to write to (default documents/fonts/)")

    def handle(self, *args, out: Path, **options):
        out.mkdir(parents=True, exist_ok=True)
        for collection, face, name, family in FONTS:
            glyphs = build(NOTO / collection, face, out / name, family)
            self.stdout.write(f"{name}: {family}, {glyphs} glyphs, {(out / name).stat().st_size / 1e6:.1f} MB")
