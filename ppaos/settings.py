"""PPAOS settings. Every value that differs between machines comes from the environment;
README.md ("Settings") lists them all, and a test keeps that list complete."""

import datetime as dt
from pathlib import Path

import dj_database_url
import fontpkg_sarabun
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from ppaos.lib.env import env_bool, env_int, env_list, env_str
from ppaos.ops.checks import DEFAULT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# Off unless asked for (development only): with it off, startup refuses the default secret
# key and missing ID keys (ppaos/ops/checks.py, ppaos/registry/id_crypto.py).
DEBUG = env_bool("PPAOS_DEBUG", False)
SECRET_KEY = env_str("PPAOS_SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list("PPAOS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PPAOS_CSRF_TRUSTED_ORIGINS", [])
# Marks every page as demonstration data, so synthetic records are never mistaken for real ones.
DEMO_MODE = env_bool("PPAOS_DEMO_MODE", True)
# The province (DOPA code) this installation serves: Bangkok is 10.
HOME_PROVINCE = env_str("PPAOS_HOME_PROVINCE", "10")
# Every province (DOPA code) this installation serves; `ppaos onboard-province` prepares one.
PROVINCES = env_list("PPAOS_PROVINCES", [HOME_PROVINCE])
# Number of households above which list pages stop counting exactly (they paginate anyway).
PAGE_SIZE = env_int("PPAOS_PAGE_SIZE", 50)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI and Redoc served from the installed package (no CDN).
    "drf_spectacular_sidecar",
    "ppaos.audit",
    "ppaos.areas",
    "ppaos.accounts",
    "ppaos.registry",
    "ppaos.targeting",
    "ppaos.assessment",
    "ppaos.referrals",
    "ppaos.api",
    "ppaos.privacy",
    "ppaos.exports",
    "ppaos.community",
    "ppaos.livelihoods",
    "ppaos.dashboards",
    "ppaos.rollup",
    "ppaos.ops",
    "ppaos.demo",
    # Login throttling and two-factor authentication (README: "Security and privacy").
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "ppaos.lib.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ppaos.privacy.middleware.SecurityHeadersMiddleware",
    "ppaos.privacy.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ppaos.lib.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ppaos.privacy.middleware.TwoFactorRequiredMiddleware",
    "ppaos.privacy.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ppaos.audit.middleware.AuditContextMiddleware",
    # Last, as django-axes asks: it turns a lockout into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ppaos.urls"
WSGI_APPLICATION = "ppaos.wsgi.application"

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
                "ppaos.accounts.context_processors.ppaos",
            ],
            "builtins": ["ppaos.lib.templatetags.thai"],
            # `{% load suppression %}`: `{{ count|small_count }}` (ppaos/lib/suppression.py).
            # `{% load text %}`: `{{ help|code_spans }}` shows `backticked` parts as code.
            "libraries": {
                "suppression": "ppaos.lib.templatetags.suppression",
                "text": "ppaos.lib.templatetags.text",
            },
        },
    }
]

# Django's renderer, the select and input widgets written in Python (lib/form_renderer.py).
FORM_RENDERER = "ppaos.lib.form_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'ppaos.sqlite3'}"),
        conn_max_age=env_int("PPAOS_DB_CONN_MAX_AGE", 60),
        # A persistent connection is checked before a request reuses it, so one broken by a
        # PostgreSQL restart is replaced instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2id (argon2-cffi) for new and changed passwords; older PBKDF2 hashes still verify and
# are rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes checks the lockout before the password; ModelBackend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("PPAOS_TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("PPAOS_STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
# The Thai web font is served from the installed fontpkg-sarabun package, not a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("fonts/sarabun", Path(fontpkg_sarabun.__file__).parent / "files"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # `collectstatic` also writes gzip and Brotli copies, which WhiteNoise serves.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded files (target lists being imported, visit photos): personal data, never public.
MEDIA_ROOT = Path(env_str("PPAOS_MEDIA_ROOT", str(PROJECT_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Record-linkage bands: at or above AUTO a target record links by itself; between REVIEW and
# AUTO a person reviews the pair; below REVIEW the record is treated as a new person.
LINK_AUTO_THRESHOLD = float(env_str("PPAOS_LINK_AUTO", "0.95"))
LINK_REVIEW_THRESHOLD = float(env_str("PPAOS_LINK_REVIEW", "0.50"))
LINK_BACKEND = env_str("PPAOS_LINK_BACKEND", "duckdb")
# Background tiles for maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: none.
MAP_TILE_URL = env_str("PPAOS_MAP_TILE_URL", "")
# Credit for the background tiles, shown on every map that draws them.
MAP_TILE_ATTRIBUTION = env_str(
    "PPAOS_MAP_ATTRIBUTION", "© OpenStreetMap contributors" if MAP_TILE_URL else ""
)

# Exports of lists (ppaos/lib/exports.py): up to this many rows are answered at once; larger
# ones are written by a background task to MEDIA_ROOT/exports/, kept EXPORT_KEEP_HOURS.
EXPORT_SYNC_MAX_ROWS = env_int("PPAOS_EXPORT_SYNC_MAX_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("PPAOS_EXPORT_KEEP_HOURS", 24)
# Pseudonymised exports are k-anonymous on the quasi-identifiers each list declares
# (ppaos/lib/kanon.py): place, tenure, household size... are generalised until every
# combination has at least this many rows.
EXPORT_K = env_int("PPAOS_EXPORT_K", 5)

# Uploads (ppaos/lib/uploads.py): a file past a limit is refused with a clear message before
# it is parsed. XLSX files are zips: their unpacked size, compression ratio, number of parts,
# text table (sharedStrings) and declared sheet size are checked before opening them. Sheets
# are streamed, so only the text table is held in memory: a 50 MB upload of a plain list
# unpacks to 500-750 MB (about 15 times), hence the total's high default.
UPLOAD_MAX_ROWS = env_int("PPAOS_UPLOAD_MAX_ROWS", 1_000_000)
UPLOAD_MAX_COLUMNS = env_int("PPAOS_UPLOAD_MAX_COLUMNS", 500)
UPLOAD_MAX_CELLS = env_int("PPAOS_UPLOAD_MAX_CELLS", 50_000_000)
UPLOAD_XLSX_MAX_UNCOMPRESSED_MB = env_int("PPAOS_UPLOAD_XLSX_MAX_UNCOMPRESSED_MB", 1024)
UPLOAD_XLSX_MAX_SHARED_STRINGS_MB = env_int("PPAOS_UPLOAD_XLSX_MAX_SHARED_STRINGS_MB", 64)
UPLOAD_XLSX_MAX_RATIO = env_int("PPAOS_UPLOAD_XLSX_MAX_RATIO", 100)
UPLOAD_XLSX_MAX_ENTRIES = env_int("PPAOS_UPLOAD_XLSX_MAX_ENTRIES", 1000)
UPLOAD_CSV_MAX_FIELD_CHARS = env_int("PPAOS_UPLOAD_CSV_MAX_FIELD_CHARS", 256 * 1024)
UPLOAD_CSV_MAX_LINE_CHARS = env_int("PPAOS_UPLOAD_CSV_MAX_LINE_CHARS", 4 * 1024 * 1024)
# Uploaded target lists (MEDIA_ROOT/imports/, mode 0600) are deleted when their import ends;
# one left behind (a crashed worker) is deleted by the privacy-retention job after this long.
IMPORT_FILE_KEEP_HOURS = env_int("PPAOS_IMPORT_FILE_KEEP_HOURS", 24)

TASKS = {
    "default": {
        "BACKEND": env_str("PPAOS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = env_str("PPAOS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("PPAOS_DEFAULT_FROM_EMAIL", "ppaos@localhost")

SESSION_COOKIE_AGE = env_int("PPAOS_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_SECURE = env_bool("PPAOS_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Security and privacy (README: "Security and privacy") ------------------------------------
# Sessions end when the browser closes (shared computers in community centres), if asked.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("PPAOS_SESSION_BROWSER_CLOSE", False)
# A session idle this long ends (ppaos.privacy.middleware.IdleSessionTimeoutMiddleware); 0: never.
SESSION_IDLE_SECONDS = 60 * env_int("PPAOS_SESSION_IDLE_MINUTES", 30)
# Password-reset links by e-mail stay valid this long.
PASSWORD_RESET_TIMEOUT = 3600
# htmx reads the CSRF token from the page, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# HTTPS only, for a year, once out of debug (sent on HTTPS requests only).
SECURE_HSTS_SECONDS = env_int("PPAOS_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("PPAOS_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind that proxy, a plain-HTTP request is redirected to HTTPS; the health check stays
    # reachable on the loopback for the monitoring that calls it there.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features no page uses are switched off (ppaos.privacy.middleware sends the header).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(self), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# Content Security Policy (Django's own middleware). No page has inline scripts, event handlers,
# style attributes or <style> elements (tests keep it so): styles are static files, data-driven
# sizes and colours are SVG attributes, and htmx's indicator <style> is switched off (base.html).
# PDF templates keep their <style>: WeasyPrint renders them on the server, outside any CSP.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if MAP_TILE_URL:
    # Map tiles are images from the tile server's origin (scheme and host, before any "{").
    _CSP["img-src"].append("/".join(MAP_TILE_URL.split("{")[0].split("/")[:3]))
if env_bool("PPAOS_CSP_REPORT_ONLY", False):
    SECURE_CSP_REPORT_ONLY = _CSP
else:
    SECURE_CSP = _CSP

# Login throttling (django-axes): after N failures for one username from one address, that
# pair is locked out for a while; a success resets the count.
AXES_ENABLED = env_bool("PPAOS_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("PPAOS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("PPAOS_LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "privacy/locked_out.html"
AXES_VERBOSE = False
# Failed logins from one address, whatever the usernames, before it is refused for the
# lockout time (ppaos/privacy/throttle.py): a shared office connection stays usable.
LOGIN_ADDRESS_LIMIT = env_int("PPAOS_LOGIN_ADDRESS_LIMIT", 30)

# Throttle counts (API token, failed logins per address) live in this cache, shared by every
# process: Redis when PPAOS_REDIS_URL is set, else a database table that `migrate` creates.
REDIS_URL = env_str("PPAOS_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ppaos_cache"}
    )
}

# Two-factor authentication (django-otp, TOTP): optional for everyone; with this on, admins
# and coordinators must enrol and use it before they reach any page.
TWO_FACTOR_REQUIRED = env_bool("PPAOS_2FA_REQUIRED", False)
OTP_TOTP_ISSUER = "PPAOS"

# National IDs at rest (README "Security and privacy"): Fernet keys, comma-separated, the
# first encrypts and all decrypt (rotation: put the new key first, run `ppaos rotate-id-keys`),
# and the HMAC-SHA256 key of the lookup hash. Unset: keys derived from SECRET_KEY, and the
# system check refuses that when DEBUG is off.
ID_KEYS = env_list("PPAOS_ID_KEYS", [])
ID_HASH_KEY = env_str("PPAOS_ID_HASH_KEY", "")
# The key of the pseudonyms in pseudonymised exports (ppaos/lib/exports.py), 32+ characters,
# required when DEBUG is off (ppaos.E007). Changing it changes every pseudonym.
PSEUDONYM_KEY = env_str("PPAOS_PSEUDONYM_KEY", "")

# PDPA s.37(3): people who left the registry (every stay ended) this many days ago are
# anonymised by `ppaos privacy-retention`; legal holds and other apps' hooks can block it.
PRIVACY_RETENTION_DAYS = env_int("PPAOS_RETENTION_DAYS", 5 * 365)

# Aggregates shown to users who may not see people (researchers) hide non-zero counts below
# this (ppaos/lib/suppression.py): a count of 1–4 in a small area can identify a household.
SMALL_COUNT_THRESHOLD = env_int("PPAOS_SMALL_COUNT_THRESHOLD", 5)

# The province's Ed25519 private key (PEM) that signs its national roll-up packages
# (`ppaos rollup keygen` writes one; README "National roll-up").
ROLLUP_SIGNING_KEY_FILE = env_str("PPAOS_ROLLUP_SIGNING_KEY_FILE", "")

# Each community's yearly fund (README: "Community data book and fund"), in baht: the default
# budget of a new fund year; a district officer may set another for one year.
COMMUNITY_FUND_BUDGET = env_str("PPAOS_COMMUNITY_FUND_BUDGET", "200000")

# Logs go to standard error, one JSON object per line (ppaos/lib/logs.py) unless
# PPAOS_LOG_FORMAT=text; each request adds one line at INFO on the `ppaos.request` logger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ppaos.lib.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    # National IDs are masked in every line (ppaos/lib/redact.py), whatever logged it.
    "filters": {"redact_ids": {"()": "ppaos.lib.logs.RedactIdsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_str("PPAOS_LOG_FORMAT", "json"),
            "filters": ["redact_ids"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PPAOS_LOG_LEVEL", "WARNING")},
    "loggers": {
        "ppaos.request": {"level": env_str("PPAOS_REQUEST_LOG_LEVEL", "INFO")},
        "ppaos.ops": {"level": "INFO"},
    },
}

# Running it as a service (README: "Running it for a district office") ----------------------
# Periodic jobs (ppaos/ops/jobs.py) and when each runs: `every 15m`, `every 2h`, `daily 02:30`
# (local time) or `off`. The scheduler (`ppaos scheduler`) enqueues them; the worker runs them.
PERIODIC_JOBS = {
    "heartbeat": env_str("PPAOS_SCHEDULE_HEARTBEAT", "every 1m"),
    "refresh_dashboards": env_str("PPAOS_SCHEDULE_REFRESH_DASHBOARDS", "every 1h"),
    "referrals_overdue": env_str("PPAOS_SCHEDULE_REFERRALS_OVERDUE", "daily 06:00"),
    "privacy_retention": env_str("PPAOS_SCHEDULE_PRIVACY_RETENTION", "daily 01:30"),
    "exports_cleanup": env_str("PPAOS_SCHEDULE_EXPORTS_CLEANUP", "every 1h"),
    "backup": env_str("PPAOS_SCHEDULE_BACKUP", "daily 02:30"),
    "history_prune": env_str("PPAOS_SCHEDULE_HISTORY_PRUNE", "daily 03:30"),
}
# The nightly backup's folder (personal data: keep it private, copy it off the machine) and
# how many of the newest backups it keeps.
BACKUP_DIR = Path(env_str("PPAOS_BACKUP_DIR", str(PROJECT_DIR / "backups")))
BACKUP_KEEP = env_int("PPAOS_BACKUP_KEEP", 14)
# /health/ fails when the disk of the media or backup folder has less free space than this.
HEALTH_MIN_FREE_MB = env_int("PPAOS_HEALTH_MIN_FREE_MB", 1024)

# REST API (/api/, see README "REST API"). Token or session authentication; every endpoint
# scopes like the pages. Page size: PPAOS_PAGE_SIZE, at most 200 (`?page_size=`).
API_TOKEN_SECONDS = env_int("PPAOS_API_TOKEN_SECONDS", 24 * 3600)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ppaos.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "ppaos.api.base.Pagination",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Password guessing at /api/token/, per client address (REMOTE_ADDR: a client cannot
    # dodge it with a made-up X-Forwarded-For).
    "DEFAULT_THROTTLE_RATES": {"api_token": "20/minute"},
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PPAOS API",
    "DESCRIPTION": (
        "The registry, geography, surveys and verification of PPAOS, scoped exactly like the "
        "pages: an object outside your scope answers 404. Authenticate with "
        "`Authorization: Token <key>` (POST /api/token/) or a signed-in session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs list every endpoint and field: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ppaos.api.schema.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
