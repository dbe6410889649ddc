"""Personal numbers in free text and in log records: recognised and masked (PIPL 第五十一条).

``mask_id``/``mask_phone`` are the masks every page uses (nominations.masking re-exports them);
``mask_text`` finds 18-character ID numbers, 11-digit mobiles and other long digit runs (landlines)
in any text; ``PersonalDataFilter`` applies it to every log record before a handler writes it.
"""

from __future__ import annotations

import logging
import re

# GB 11643: 17 digits and a check character (digit or X); not part of a longer number.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
# Mainland mobiles: 11 digits starting 13–19, optionally +86; not part of a longer number.
MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")
# Landlines and other contact numbers typed into a free-text field: 7 or more digits.
LONG_DIGITS_RE = re.compile(r"(?<![0-9])[0-9][0-9\- ]{5,}[0-9](?![0-9])")


def mask_id(value: str) -> str:
    """身份证号 shown as 5001**********123X: the first 4 and last 4 characters only."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Phone shown as 138****8000: the first 3 and last 4 characters only."""
    value = (value or "").strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Every ID number and mobile in ``text`` masked; other runs of 7+ digits masked like a phone."""
    if not text:
        return text or ""
    text = ID_NUMBER_RE.sub(lambda m: mask_id(m[0]), text)
    text = MOBILE_RE.sub(lambda m: mask_phone(m[0]), text)
    return LONG_DIGITS_RE.sub(lambda m: mask_phone(m[0]) if sum(c.isdigit() for c in m[0]) >= 7 else m[0], text)


def _mask_log(text: str) -> str:
    # Logs keep long technical numbers (timestamps, byte counts): only IDs and mobiles are masked.
    return MOBILE_RE.sub(lambda m: mask_phone(m[0]), ID_NUMBER_RE.sub(lambda m: mask_id(m[0]), text))


class PersonalDataFilter(logging.Filter):
    """No personal data in logs (等保2.0 / PIPL): masks ID numbers and mobiles in the message and its
    arguments, and in the formatted exception text. Installed on every handler (config LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as is, masked
            message = str(record.msg)
        masked = _mask_log(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _mask_log(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root logger by default), once each."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
