"""PPAOS settings. Every value that differs between machines comes from the environment;
README.md ("Settings") lists them all, and a test keeps that list complete."""

from pathlib import Path

import dj_database_url
import fontpkg_sarabun
from django.utils.translation import gettext_lazy as _

from ppaos.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DEBUG = env_bool("PPAOS_DEBUG", True)
SECRET_KEY = env_str("PPAOS_SECRET_KEY", "insecure-demo-key-change-me-in-production")
ALLOWED_HOSTS = env_list("PPAOS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PPAOS_CSRF_TRUSTED_ORIGINS", [])
# Marks every page as demonstration data, so synthetic records are never mistaken for real ones.
DEMO_MODE = env_bool("PPAOS_DEMO_MODE", True)
# The province (DOPA code) this installation serves: Bangkok is 10.
HOME_PROVINCE = env_str("PPAOS_HOME_PROVINCE", "10")
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
    "ppaos.audit",
    "ppaos.areas",
    "ppaos.accounts",
    "ppaos.registry",
    "ppaos.targeting",
    "ppaos.assessment",
    "ppaos.referrals",
    "ppaos.api",
    "ppaos.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ppaos.lib.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ppaos.audit.middleware.AuditContextMiddleware",
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
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'ppaos.sqlite3'}"),
        conn_max_age=env_int("PPAOS_DB_CONN_MAX_AGE", 60),
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PPAOS_LOG_LEVEL", "WARNING")},
}
