"""Settings shared by every environment; everything that differs comes from the environment.

- ``DATABASE_URL``: PostgreSQL in production; a SQLite file under ``VAR_DIR`` when unset.
- ``REDIS_URL``: Celery broker and cache; when unset, kombu's filesystem transport and a local
  file cache, so the embedded default needs no server but still runs a real worker and beat.
- ``VAR_DIR``: where the embedded database, broker folders, uploads and logs live.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var")).resolve()


def _isolate_xdist_worker() -> None:
    """A pytest-xdist worker (``dev.py test -n 2``) gets its own VAR_DIR (SQLite file, broker
    folders, file cache, media) and its own Redis database, written back to the environment so
    the processes its tests start (Celery workers, gunicorn, manage.py) share them."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or os.environ.get("AWARDS_XDIST_WORKER") == worker:
        return
    os.environ.update(VAR_DIR=str(VAR_DIR / f"xdist-{worker}"), AWARDS_XDIST_WORKER=worker)
    if os.environ.get("REDIS_URL"):
        base, _, number = os.environ["REDIS_URL"].rstrip("/").rpartition("/")
        index = int(worker.removeprefix("gw") or 0)
        os.environ["REDIS_URL"] = f"{base}/{int(number) + index}" if number.isdigit() else os.environ["REDIS_URL"]


_isolate_xdist_worker()
VAR_DIR = Path(os.environ.get("VAR_DIR", VAR_DIR)).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-key-only-for-the-embedded-default-3f9a1c")
DEBUG = env_bool("DEBUG", True)
# Field encryption of ID numbers and phones (core.crypto). Unset in development: a key derived from
# SECRET_KEY (id "dev") is used; production.py requires FIELD_ENCRYPTION_KEY.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
FIELD_ENCRYPTION_OLD_KEYS = os.environ.get("FIELD_ENCRYPTION_OLD_KEYS", "")
FIELD_BLIND_INDEX_KEY = os.environ.get("FIELD_BLIND_INDEX_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "core",
    "orgs",
    "workdays",
    "awards",
    "nominations",
    "reviews",
    "publicity",
    "documents",
    "audit",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check: every POST to a limited view counts, with or without a token.
    "core.middleware.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Second factor, absolute session limit, password expiry: before any staff view runs.
    "accounts.middleware.AccountSecurityMiddleware",
    # 三员分立: each administrator is refused the areas that are not its own (orgs/duties.py).
    "orgs.duties.SeparationOfDutiesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "publicity.context_processors.reminders",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_sqlite_default = f"sqlite:///{VAR_DIR / 'awards.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _sqlite_default), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that a separate worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_awards.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Django's cursors bind on the client and never prepare. audit.recorded's statement asks to be
    # prepared, which psycopg does only with a threshold set (Django's default, None, turns preparing
    # off); this one is never reached, so nothing else is prepared behind anyone's back.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1_000_000_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Before ModelBackend: the three administrators' model permissions are decided there alone.
    "orgs.duties.DutiesBackend",
    # ModelBackend with the request's user read through the shared cache.
    "accounts.backends.CachedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "orgs.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "orgs.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 64}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# 等保2.0 身份鉴别 (accounts.policy): sessions end after 30 minutes without a request (each request
# renews the timer) and 8 hours after the login whatever the activity. The security administrator's
# idle time (orgs.policy) applies inside this bound: the cookie age is the longest it may be.
# Rows in the database, read through the shared cache under a version each save or delete moves on.
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
# Not on every request: accounts.policy.mark_seen writes the session (and so renews its expiry) when
# the last mark is SESSION_SEEN_REFRESH_SECONDS old, so a staff page costs no session write.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_SEEN_REFRESH_SECONDS = int(os.environ.get("SESSION_SEEN_REFRESH_SECONDS", 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sent by SecurityMiddleware in every environment (production adds HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# 等保2.0 三级 身份鉴别 (GB/T 22239-2019 8.1.4.1 b): beside axes' lockout per username, POSTs to
# the login form are limited per client address and per username, and the public objection form
# per address; {view name: {"address"|"username": (requests, window seconds)}} (core.middleware).
_LOGIN_RATE_WINDOW = int(os.environ.get("LOGIN_RATE_WINDOW_SECONDS", 60))
RATE_LIMITS = {
    "login": {
        "address": (int(os.environ.get("LOGIN_RATE_PER_ADDRESS", 20)), _LOGIN_RATE_WINDOW),
        "username": (int(os.environ.get("LOGIN_RATE_PER_USERNAME", 10)), _LOGIN_RATE_WINDOW),
    },
    "public:objection": {"address": (int(os.environ.get("OBJECTION_POSTS_PER_ADDRESS", 30)), 600)},
}
RATE_LIMIT_PREFIX = os.environ.get("RATE_LIMIT_PREFIX", "")  # tests give each test its own counters
# Before every key of what is cached across requests under a version (core.versions); tests give
# each test its own, as its database changes are rolled back.
APP_CACHE_PREFIX = os.environ.get("APP_CACHE_PREFIX", "")
# How long a rendered staff page is kept (core.pagecache; any write moves its version on first); 0: off.
STAFF_PAGE_CACHE_SECONDS = int(os.environ.get("STAFF_PAGE_CACHE_SECONDS", 120))
# Each process keeps a copy of the cached pages it served, up to this size (core.localcache); 0: none.
LOCAL_PAGE_CACHE_BYTES = int(os.environ.get("LOCAL_PAGE_CACHE_BYTES", 32 * 1024 * 1024))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 8 * 3600))
# Passwords are changed at least every 90 days (0: never expire).
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", 90))
# Completed logins (both factors) one account may hold at once; the oldest ends (0: no limit).
MAX_SESSIONS_PER_USER = int(os.environ.get("MAX_SESSIONS_PER_USER", 0))
# The name authenticator apps show next to the account (TOTP second factor, every staff login).
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "评选表彰系统")

# Lockout by username, not by address: a whole bureau shares one address. Wrong second-factor
# codes count toward the same limit (accounts.views); the count resets only when both factors pass.
# The numbers here are the defaults; the security administrator's policy (/security/policy/,
# orgs.policy.current_policy()) overrides each one it sets, and axes asks the policy every time.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_COOLOFF = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", 30)))
AXES_FAILURE_LIMIT = "orgs.policy.axes_failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = "orgs.policy.axes_cooloff"
AXES_RESET_ON_SUCCESS = False
# The cool-off runs from the lockout: tries during it neither count nor restart it, so the page's
# "请于 30 分钟后再试" holds and nobody can keep a colleague locked out by retrying their username.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["code"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 403
AXES_VERBOSE = False

# guardian: no anonymous user object; the public pages never consult object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
# Uploads (minutes, scanned forms, photos) are private: never under a public URL path.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-private/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery and cache ---------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_FS_DIR = Path(os.environ.get("CELERY_FS_DIR", VAR_DIR / "celery"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # An unacknowledged message (a worker killed mid-task, an ETA or retry message held by a
    # worker) goes back to the queue after this many seconds. It must exceed the longest a message
    # can stay unacknowledged, or Redis hands a running task to a second worker: core.checks
    # compares it with every task's hard time limit plus the longest ETA/retry delay.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 7200))}
    if os.environ.get("CELERY_RESTORE_INTERVAL"):  # tests: look for overdue messages every N seconds
        CELERY_BROKER_TRANSPORT_OPTIONS.update(
            unacked_restore_interval=int(os.environ["CELERY_RESTORE_INTERVAL"]), unacked_restore_throttle=1
        )
    CACHES = {"default": {"BACKEND": "core.cache.KeptClientRedisCache", "LOCATION": REDIS_URL}}
else:
    for sub in ("out", "processed"):
        (CELERY_FS_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder for both directions: every process sends and receives through it.
        "data_folder_in": str(CELERY_FS_DIR / "out"),
        "data_folder_out": str(CELERY_FS_DIR / "out"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "store_processed": False,
        # Exchange tables (worker remote control); kombu's default is ./control in the working directory.
        "control_folder": str(CELERY_FS_DIR / "control"),
    }
    CACHES = {
        "default": {
            # add/incr atomic across processes (rate limits shared by every gunicorn worker).
            "BACKEND": "core.cache.LockedFileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Django culls a third of the entries at random past 300: the cached policy, grants and
            # version counters (core.versions) would vanish under a busy test run or site.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has limits; long tasks set their own (documents.tasks, nominations.tasks).
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# A task started by a worker that died (kill -9, power loss) is sent again by core.runs: at worker
# start for runs of dead processes on the same host, and by beat for runs silent past their limit.
TASK_RECOVERY = env_bool("TASK_RECOVERY", True)
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_heartbeat", "schedule": 60.0, "kwargs": {"source": "beat"}},
    # Catches every window whose instant passed, including while the worker was down.
    "publicity-sweep": {"task": "publicity.tasks.sweep_notices", "schedule": float(os.environ.get("SWEEP_SECONDS", 30))},
    "publicity-reminders": {"task": "publicity.tasks.send_reminders", "schedule": 3600.0},
    # Daily: audit rows older than AUDIT_RETENTION_DAYS go (never younger than 180 days).
    "audit-retention": {"task": "audit.tasks.purge_expired", "schedule": 86400.0},
    "recover-task-runs": {"task": "core.tasks.recover_task_runs", "schedule": 120.0},
    "purge-task-runs": {"task": "core.tasks.purge_task_runs", "schedule": 86400.0},
}
# Finished task runs (core.runs) are kept this long, then deleted by the daily purge-task-runs.
TASK_RUN_RETENTION_DAYS = int(os.environ.get("TASK_RUN_RETENTION_DAYS", 30))
# 网络安全法 第二十一条 / 等保2.0 三级: audit logs are kept at least six months (a system check
# refuses less; audit/retention.py).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", 180))
OBJECTION_RATE_PER_HOUR = int(os.environ.get("OBJECTION_RATE_PER_HOUR", 5))
# How many reverse proxies in front of the app append to X-Forwarded-For: the client address is
# taken that many hops from the right (0: use REMOTE_ADDR). Rate limits are per client address.
PUBLICITY_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No personal data in logs: ID numbers and mobiles are masked before any handler writes them.
    "filters": {"personal_data": {"()": "core.pii.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; its warnings (missing glyphs) still come through.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

MESSAGE_TAGS = {40: "danger"}

# axes.W006 asks to lock by address too; we lock by username on purpose (a whole bureau shares
# one address, so locking by address would lock out every colleague).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
