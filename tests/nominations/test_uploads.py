"""core.uploads: photos and documents are checked by what they contain."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from core.uploads import clean_document, clean_photo

from .builders import PDF, jpeg_bytes, upload


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretSoftware"  # Software
    return exif.tobytes()


def test_clean_photo_reencodes_as_jpeg_without_exif():
    src = upload("me.png", jpeg_bytes(exif=_exif_with_gps()))
    assert b"SecretSoftware" in src.read()
    out = clean_photo(src)
    data = out.read()
    assert out.name.endswith(".jpg")
    assert b"SecretSoftware" not in data and b"CameraMaker" not in data
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert dict(img.getexif()) == {}


def test_clean_photo_keeps_aspect_ratio_when_scaling_down():
    out = clean_photo(upload("big.jpg", jpeg_bytes(1000, 1400)))
    img = Image.open(io.BytesIO(out.read()))
    assert img.height <= 1158
    assert abs(img.width / img.height - 1000 / 1400) < 0.01


def test_clean_photo_flattens_transparent_png_to_white():
    buf = io.BytesIO()
    Image.new("RGBA", (200, 280), (0, 0, 0, 0)).save(buf, "PNG")
    out = clean_photo(upload("t.png", buf.getvalue(), "image/png"))
    img = Image.open(io.BytesIO(out.read()))
    assert img.mode == "RGB"
    assert img.getpixel((10, 10))[0] > 240


def test_clean_photo_rejects_non_image_bytes_named_jpg():
    with pytest.raises(ValidationError, match="不是可识别的图片"):
        clean_photo(upload("photo.jpg", b"MZ\x90\x00 this is not an image at all" * 20))


def test_clean_photo_rejects_file_over_5mb():
    big = upload("photo.jpg", jpeg_bytes() + b"\0" * (6 * 1024 * 1024))
    with pytest.raises(ValidationError, match="超过5MB"):
        clean_photo(big)


def test_clean_photo_rejects_smaller_than_100_by_140():
    with pytest.raises(ValidationError, match="过小"):
        clean_photo(upload("small.jpg", jpeg_bytes(99, 200)))
    with pytest.raises(ValidationError, match="过小"):
        clean_photo(upload("small.jpg", jpeg_bytes(200, 139)))


def test_clean_photo_accepts_exactly_100_by_140():
    out = clean_photo(upload("ok.jpg", jpeg_bytes(100, 140)))
    assert Image.open(io.BytesIO(out.read())).size == (100, 140)


def test_clean_document_accepts_pdf_and_renames_it():
    doc = clean_document(upload("会议纪要.exe", PDF, "application/octet-stream"))
    assert doc.name.endswith(".pdf")


def test_clean_document_accepts_png_by_content():
    buf = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buf, "PNG")
    assert clean_document(upload("scan.pdf", buf.getvalue(), "application/pdf")).name.endswith(".png")


def test_clean_document_rejects_text_named_pdf():
    with pytest.raises(ValidationError, match="只能上传PDF、JPG或PNG"):
        clean_document(upload("minutes.pdf", b"just some text, not a pdf", "application/pdf"))


def test_clean_document_rejects_over_10mb():
    with pytest.raises(ValidationError, match="超过10MB"):
        clean_document(upload("minutes.pdf", PDF + b"\0" * (10 * 1024 * 1024 + 1), "application/pdf"))


def test_clean_document_rewrites_a_pdf_without_its_metadata():
    from pypdf import PdfReader

    from tests.pdf import minimal_pdf

    doc = clean_document(upload("会议纪要.pdf", minimal_pdf(Author="张三", Creator="WPS", Title="内部"), "application/pdf"))
    data = doc.read()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert not reader.metadata  # no author, software or title left
    assert "张三".encode("utf-16-be") not in data and b"WPS" not in data


def test_clean_document_refuses_a_damaged_or_encrypted_pdf():
    from pypdf import PdfReader, PdfWriter

    from tests.pdf import PDF

    with pytest.raises(ValidationError, match="无法读取该PDF文件"):
        clean_document(upload("minutes.pdf", b"%PDF-1.4\nnot really a document\n%%EOF\n", "application/pdf"))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(ValidationError, match="加密"):
        clean_document(upload("minutes.pdf", locked.getvalue(), "application/pdf"))
