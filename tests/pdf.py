"""A real one-page PDF for upload tests: uploads are read and rewritten (core.uploads), so a file
that only starts with ``%PDF-`` is refused."""

from __future__ import annotations

import io


def minimal_pdf(**metadata: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if metadata:
        writer.add_metadata({f"/{k}": v for k, v in metadata.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = minimal_pdf()
