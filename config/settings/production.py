"""Production: PostgreSQL and Redis from the environment, HTTPS only.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``REDIS_URL``, ``FIELD_ENCRYPTION_KEY``
(``<key id>:<base64 of 32 random bytes>``, e.g. ``k2026:$(openssl rand -base64 32)``; see core/crypto.py).
Behind a TLS-terminating proxy that sets ``X-Forwarded-Proto``.
"""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
# ID numbers and phones are encrypted with it; no fallback derived from SECRET_KEY in production.
FIELD_ENCRYPTION_KEY = os.environ["FIELD_ENCRYPTION_KEY"]
ALLOWED_HOSTS = [h for h in os.environ["ALLOWED_HOSTS"].split(",") if h]
CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind one TLS-terminating proxy unless told otherwise.
PUBLICITY_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 1))
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
