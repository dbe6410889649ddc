"""Uploads checked by what they contain, never by their name or the browser's content type.

A photo is opened with Pillow and re-encoded to JPEG, which drops EXIF and any other metadata
(location, camera, comments) and any payload hidden after the image data. Documents (minutes,
scanned forms, objection evidence) must be a PDF that pypdf can read, rewritten without its document
information and XMP metadata (author, software, dates), or a JPEG/PNG image that Pillow can read,
which is re-encoded the same way. Limits: photo 5 MB, document 10 MB, 60 megapixels.
"""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MB = 1024 * 1024
PHOTO_MAX_BYTES = 5 * MB
# A 2-inch photo is 35 × 49 mm; below 100 × 140 px it cannot be printed on the approval form.
PHOTO_MIN_SIZE = (100, 140)
# Larger photos are scaled down (aspect ratio kept): 413 × 579 px is a 2-inch photo at 300 dpi.
PHOTO_MAX_SIZE = (826, 1158)
PHOTO_FORMATS = ("JPEG", "PNG", "BMP", "WEBP")
DOCUMENT_MAX_BYTES = 10 * MB
DOCUMENT_IMAGE_FORMATS = ("JPEG", "PNG")
# No more pixels than a 60-megapixel scan: a small file must not unpack into gigabytes.
MAX_PIXELS = 60_000_000


def _open_image(upload, formats):
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload, formats=formats) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                return None
            probe.verify()
        upload.seek(0)
        image = Image.open(upload, formats=formats)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return image


def clean_photo(upload) -> ContentFile:
    """The 2-inch photo, re-encoded as a JPEG without metadata; ``ValidationError`` in Chinese otherwise."""
    from PIL import Image, ImageOps

    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片文件为%(size).1fMB，超过5MB的上限，请压缩后重新上传。") % {"size": upload.size / MB}, code="too_large"
        )
    image = _open_image(upload, PHOTO_FORMATS)
    if image is None:
        raise ValidationError(_("所选文件不是可识别的图片，请上传JPG或PNG格式的2寸彩色证件照。"), code="not_image")
    image = ImageOps.exif_transpose(image)
    min_w, min_h = PHOTO_MIN_SIZE
    if image.width < min_w or image.height < min_h:
        raise ValidationError(
            _("照片尺寸为%(w)d×%(h)d像素，过小；请上传不小于%(mw)d×%(mh)d像素的2寸证件照。")
            % {"w": image.width, "h": image.height, "mw": min_w, "mh": min_h},
            code="too_small",
        )
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    image.thumbnail(PHOTO_MAX_SIZE)
    _drop_metadata(image)
    out = io.BytesIO()
    # No exif= argument: the new file carries no metadata.
    image.save(out, "JPEG", quality=90, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _drop_metadata(image) -> None:
    # Pillow writes some of ``info`` back on save (a JPEG comment, an ICC profile, PNG text):
    # only the transparency, which is part of the picture, is kept.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}


def reencode_image(image) -> tuple[bytes, str]:
    """The pixels only, in the image's own format (JPEG or PNG): EXIF, GPS, XMP, ICC comments and
    anything appended after the image data are not carried over. Returns (bytes, extension)."""
    from PIL import ImageOps

    fmt = image.format
    image = ImageOps.exif_transpose(image)  # the orientation is applied, then the tag is dropped
    _drop_metadata(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=92, optimize=True)
        return out.getvalue(), "jpg"
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        image = image.convert("RGBA")
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), "png"


def clean_document(upload, *, max_bytes: int = DOCUMENT_MAX_BYTES):
    """Minutes, a scanned form or an objection's evidence: PDF (by its magic bytes, then read), or a
    JPG/PNG image that Pillow can read; either rewritten without metadata; at most 10 MB; renamed by
    its type."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("文件为%(size).1fMB，超过%(max)dMB的上限。") % {"size": upload.size / MB, "max": max_bytes // MB},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return _pdf_without_metadata(upload)
    image = _open_image(upload, DOCUMENT_IMAGE_FORMATS)
    if image is None:
        raise ValidationError(_("只能上传PDF、JPG或PNG格式的文件（按文件内容识别）。"), code="bad_type")
    data, ext = reencode_image(image)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}")


def _pdf_without_metadata(upload) -> ContentFile:
    """The PDF rewritten without its document information dictionary and XMP stream (who wrote it,
    with what, when): pages, images and fonts are copied as they are. A file pypdf cannot read, or
    an encrypted one, is refused."""
    import logging

    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject

    upload.seek(0)
    quiet = logging.getLogger("pypdf")
    level, quiet.level = quiet.level, logging.ERROR  # a damaged file is refused below, not logged
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise ValidationError(_("该PDF文件设置了密码或加密，请上传未加密的文件。"), code="encrypted_pdf")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer._root_object.pop(NameObject("/Metadata"), None)
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ValidationError(_("无法读取该PDF文件，请确认文件完整后重新上传。"), code="bad_pdf") from exc
    finally:
        quiet.level = level
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.pdf")
