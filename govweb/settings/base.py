"""Settings for every role and every deployment, read from environment variables only.

Variables (all optional in demo mode):
  GOVWEB_ROLE        public | admin | worker   which URL set this process serves
  GOVWEB_MODE        demo | production          production refuses to start without SECRET_KEY
  GOVWEB_DATA_DIR    where SQLite, media and logs live in the embedded default (./data)
  SECRET_KEY         required in production
  DATABASE_URL       e.g. postgres://user@host:5432/govweb (default: SQLite in the data dir)
  REDIS_URL          enables the Redis cache and the RQ task queue
  S3_BUCKET          enables S3-compatible media (with AWS_* / S3_ENDPOINT_URL)
  ALLOWED_HOSTS      comma separated; default accepts *.gov.cn and *.localhost
  GOVWEB_LOCAL_HOSTS 1 = serve each site as <label>.localhost (demo default), 0 = real domains
  GOVWEB_PUBLIC_PORT the public port site URLs carry (8000 in the demo, 80/443 behind nginx)
  GOVWEB_TLS         1 = behind TLS: secure cookies and HSTS
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(env("GOVWEB_DATA_DIR", BASE_DIR / "data")).resolve()

GOVWEB_ROLE = env("GOVWEB_ROLE", "public")
if GOVWEB_ROLE not in {"public", "admin", "worker"}:
    raise ImproperlyConfigured(f"GOVWEB_ROLE must be public, admin or worker, not {GOVWEB_ROLE!r}")
GOVWEB_MODE = env("GOVWEB_MODE", "demo")
if GOVWEB_MODE not in {"demo", "production"}:
    raise ImproperlyConfigured(f"GOVWEB_MODE must be demo or production, not {GOVWEB_MODE!r}")
DEMO = GOVWEB_MODE == "demo"

DEBUG = env_bool("DEBUG", False)


def _secret_key():
    key = env("SECRET_KEY")
    if key:
        return key
    if not DEMO:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (GOVWEB_MODE=production).")
    # Demo: a random key kept in the data dir so that sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

GOVWEB_LOCAL_HOSTS = env_bool("GOVWEB_LOCAL_HOSTS", DEMO)
GOVWEB_PUBLIC_PORT = int(env("GOVWEB_PUBLIC_PORT", "8000" if DEMO else "80"))
GOVWEB_TLS = env_bool("GOVWEB_TLS", False)

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", ".gov.cn,.localhost,localhost,127.0.0.1").split(",") if h.strip()]

INSTALLED_APPS = [
    "govweb.base",
    "govweb.cluster",
    "govweb.library",
    "govweb.disclosure",
    "govweb.reprint",
    "govweb.search",
    "govweb.interaction",
    "govweb.services",
    "govweb.analytics",
    "govweb.supervision",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govweb.base.middleware.RoleHostMiddleware",
    "govweb.analytics.middleware.AccessLogMiddleware",
    "govweb.base.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = {
    "public": "govweb.urls.public",
    "admin": "govweb.urls.admin",
    "worker": "govweb.urls.public",
}[GOVWEB_ROLE]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "govweb.base.context_processors.site_context",
            ],
        },
    },
]

WSGI_APPLICATION = "govweb.wsgi.application"

# Database: SQLite in WAL mode in the data dir unless DATABASE_URL says otherwise.
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "govweb.sqlite3",
            # Keep connections: opening one costs the pragmas, the mmap and a WAL checkpoint
            # when the last one closes (about half the CPU of a citizen's submission).
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA mmap_size=134217728; "
                    # With connections kept, the WAL no longer shrinks by itself.
                    "PRAGMA journal_size_limit=67108864;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "govweb",
        }
    }
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    INSTALLED_APPS.append("django_tasks_rq")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
            # Django's default of 300 entries would evict cached pages and guide bodies of a
            # city's cluster constantly (and culling scans the directory on every write).
            "OPTIONS": {"MAX_ENTRIES": int(env("GOVWEB_CACHE_MAX_ENTRIES", "200000"))},
        }
    }
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: lock an account+address out after repeated failures (R11.4).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Editors may give a page an English version (Wagtail locales, wagtail.contrib.simple_translation);
# /en/ serves it where one is live, and the Chinese page with the English interface elsewhere
# (library.models.SiteHomePage.route).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "region_name": env("S3_REGION"),
            "default_acl": None,
            "querystring_auth": False,
        },
    }
WHITENOISE_USE_FINDERS = DEMO

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Security headers on every response. The public role additionally strips anything staff-only.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY" if GOVWEB_ROLE == "public" else "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if GOVWEB_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE] if GOVWEB_ROLE == "public" else [SELF],
        "form-action": [SELF],
    }
}
if GOVWEB_ROLE == "admin":
    # The Wagtail admin uses inline styles and scripts of its own.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] = [SELF, "'unsafe-inline'"]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] = [SELF, "'unsafe-inline'"]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [SELF, "data:", "blob:"]

WAGTAIL_SITE_NAME = "govweb 政府网站集约化平台"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8001")
# Admin search with Chinese segmentation (govweb.search.admin_backend wraps Wagtail's database backend).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "govweb.search.admin_backend"}}
# Public search (govweb.search): tantivy in DATA_DIR/search unless SEARCH_URL names an
# OpenSearch cluster (https://user:password@host:9200/index); per-address rate of searches.
GOVWEB_SEARCH_URL = env("SEARCH_URL", "")
GOVWEB_SEARCH_RATE_LIMIT = env("SEARCH_RATE_LIMIT", "120/m")
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "ofd", "wps", "txt", "csv", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Alt text is required at upload (accessibility, issue 4).
WAGTAILIMAGES_IMAGE_FORM_BASE = "govweb.base.forms.AccessibleImageForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
# No third-party avatar requests from the admin (blocked by the CSP anyway; leaks e-mail hashes).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@guiyang.gov.cn")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"govweb": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False}},
}
