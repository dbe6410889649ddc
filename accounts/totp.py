"""TOTP (RFC 6238) codes: new secrets, the otpauth:// URI, its QR code as inline SVG, checking a code."""

from __future__ import annotations

import hmac
import io
import re
import time

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import timezone

from .models import TOTPDevice

# RFC 6238 §5.2: accept one step of clock drift either way (a code lives at most 90 s).
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits, RFC 4226 §4 R6's recommended length


def provisioning_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.get_username(), issuer_name=settings.TOTP_ISSUER)


def qr_svg(text: str) -> str:
    """The QR code as an ``<svg>`` element to put straight into the page (no script, no image URL)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code this is (within the drift window), or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int((time.time() if at is None else at) // totp.interval)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept(device: TOTPDevice, code: str) -> bool:
    """True once per code: a step at or before the last accepted one is a replay and refused.

    The conditional UPDATE makes two simultaneous requests with the same code succeed at most once.
    """
    step = matching_step(device.secret, code)
    if step is None:
        return False
    won = TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step, last_used_at=timezone.now()
    )
    if won:
        device.last_used_step = step
    return bool(won)
