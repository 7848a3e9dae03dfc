"""Media Hub settings: the one place that reads the environment.

Every value has a local default so `make run` needs no variables; production
(DJANGO_DEBUG off) refuses to start without its secret key.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, *, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, *, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "local-development-only-not-secret"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mediahub",
    "accounts",
    "uploads",
    "sharing",
    "search",
    "albums",
    "trash",
    "activity",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.ApiUrlconfMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their caching), above everything that sets cookies.
    "mediahub.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "mediahub.middleware.DomainErrorMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mediahub.urls"
WSGI_APPLICATION = "mediahub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Two stores only (DESIGN.md): S3 for bytes, DynamoDB for everything else.
DATABASES: dict[str, dict[str, str]] = {}

# Users and sessions live in DynamoDB (accounts app).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env_int("MEDIAHUB_SESSION_SECONDS", default=14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Off only for a local deployment served over plain HTTP (make deploy-local).
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "uploads:list"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: this many failures per username or client address within the window.
MEDIAHUB_LOGIN_MAX_FAILURES = env_int("MEDIAHUB_LOGIN_MAX_FAILURES", default=5)
MEDIAHUB_LOGIN_WINDOW_SECONDS = env_int("MEDIAHUB_LOGIN_WINDOW_SECONDS", default=15 * 60)

# API Gateway and CloudFront terminate TLS and say so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# Static files ship inside the Lambda package and WhiteNoise serves them from
# there: one deploy step, no second bucket to keep in sync. The storage adds
# each request's script prefix, so links carry API Gateway's /<stage>/.
STATIC_URL = "/static/"
# Django Ninja's Swagger UI files for the API's docs page, served like ours (the CSP allows
# no CDN). Found without importing ninja, which loads pydantic: not at every cold start.
NINJA_STATIC = Path(importlib.util.find_spec("ninja").origin or "").parent / "static"  # type: ignore[union-attr]
STATICFILES_DIRS = [BASE_DIR / "static", NINJA_STATIC]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# AWS: one region, one optional endpoint (MiniStack locally), one bucket, one table prefix.
# mediahub/aws.py hands the same values to boto3 clients and PynamoDB models.
AWS_REGION = env("AWS_REGION", "us-east-1")
AWS_ENDPOINT_URL = env("AWS_ENDPOINT_URL") or None
MEDIAHUB_BUCKET = env("MEDIAHUB_BUCKET", "mediahub-local")
MEDIAHUB_TABLE_PREFIX = env("MEDIAHUB_TABLE_PREFIX", "mediahub-local")
MEDIAHUB_CORS_ORIGINS = env_list("MEDIAHUB_CORS_ORIGINS", default=["http://127.0.0.1:8000", "http://localhost:8000"])
# How long to wait for S3 and DynamoDB before a page answers 503 "storage is not answering":
# per connection, per read, and attempts in all (so a stalled store fails a page in about
# attempts × read timeout). Assembling a multipart upload may keep S3 busy longer.
MEDIAHUB_AWS_CONNECT_TIMEOUT = env_float("MEDIAHUB_AWS_CONNECT_TIMEOUT", default=2.0)
MEDIAHUB_AWS_READ_TIMEOUT = env_float("MEDIAHUB_AWS_READ_TIMEOUT", default=3.0)
MEDIAHUB_AWS_MAX_ATTEMPTS = env_int("MEDIAHUB_AWS_MAX_ATTEMPTS", default=2)
MEDIAHUB_AWS_ASSEMBLY_TIMEOUT = env_float("MEDIAHUB_AWS_ASSEMBLY_TIMEOUT", default=25.0)
# Where the full-content pass (SHA-256, duplicate notice) runs once an upload is ready:
# "lambda" invokes this same function asynchronously (Lambda sets AWS_LAMBDA_FUNCTION_NAME),
# "thread" a background thread of this process (runserver, management commands), "inline"
# right after the verdict, in the caller's thread (the unit tests).
LAMBDA_FUNCTION_NAME = env("AWS_LAMBDA_FUNCTION_NAME")
MEDIAHUB_CHECKSUM_RUNNER = env("MEDIAHUB_CHECKSUM_RUNNER", "lambda" if LAMBDA_FUNCTION_NAME else "thread")
if MEDIAHUB_CHECKSUM_RUNNER not in ("lambda", "thread", "inline"):
    raise ImproperlyConfigured("MEDIAHUB_CHECKSUM_RUNNER must be lambda, thread or inline.")
MEDIAHUB_PRESIGNED_URL_SECONDS = env_int("MEDIAHUB_PRESIGNED_URL_SECONDS", default=300)
# The form path goes through API Gateway and Lambda once deployed: a request tops
# out near 6 MB there, about 4.5 MB of file after base64.
MEDIAHUB_FORM_UPLOAD_MAX_BYTES = env_int("MEDIAHUB_FORM_UPLOAD_MAX_BYTES", default=4 * 1024 * 1024)
# Largest image, in pixels, the portal accepts: decoding one must fit in the function's
# memory (1 GB on the dev stage). 64 MP covers 61 MP cameras; RGBA at 64 MP is 256 MB.
MEDIAHUB_MAX_IMAGE_PIXELS = env_int("MEDIAHUB_MAX_IMAGE_PIXELS", default=64_000_000)
MEDIAHUB_PAGE_SIZE = env_int("MEDIAHUB_PAGE_SIZE", default=25)
# A filtered listing page (kind or status, no search) stops after reading this many items,
# full or not. Search reads its index instead and always fills its pages.
MEDIAHUB_LIST_MAX_READ = env_int("MEDIAHUB_LIST_MAX_READ", default=1000)
# The admin feed (the by-time index) and everybody's search postings are spread over this
# many partition keys, so no key takes every upload's write (docs/capacity.md sizes it).
# Raise it freely; after lowering it, run `manage.py search_reindex`.
MEDIAHUB_FEED_SHARDS = env_int("MEDIAHUB_FEED_SHARDS", default=8)
# Direct uploads go from the browser straight to S3; the portal only signs and verifies.
MEDIAHUB_DIRECT_UPLOAD_MAX_BYTES = env_int("MEDIAHUB_DIRECT_UPLOAD_MAX_BYTES", default=5 * 1024**3)
MEDIAHUB_MULTIPART_THRESHOLD_BYTES = env_int("MEDIAHUB_MULTIPART_THRESHOLD_BYTES", default=100 * 1024**2)
MEDIAHUB_UPLOAD_SIGNATURE_SECONDS = env_int("MEDIAHUB_UPLOAD_SIGNATURE_SECONDS", default=15 * 60)
MEDIAHUB_PENDING_UPLOAD_SECONDS = env_int("MEDIAHUB_PENDING_UPLOAD_SECONDS", default=24 * 3600)
# Changes (uploads, edits, shares, deletes) one API token may make a minute: 10 a second.
# An upload counts once, when declared (api.auth): 600 files a minute for a bulk import.
MEDIAHUB_API_WRITES_PER_MINUTE = env_int("MEDIAHUB_API_WRITES_PER_MINUTE", default=600)
# Share links that may work at once for one item (each is a row its page lists).
MEDIAHUB_SHARES_PER_ITEM = env_int("MEDIAHUB_SHARES_PER_ITEM", default=20)
# Unfinished multipart uploads one member may have at once: each may hold up to 5 GiB of
# parts for a day. The uploader sends at most 6 files at a time, so 10 leaves room for
# uploads interrupted earlier (listed on the upload page to resume or cancel).
MEDIAHUB_MAX_PENDING_UPLOADS = env_int("MEDIAHUB_MAX_PENDING_UPLOADS", default=10)
# Days a deleted item stays in the trash, restorable, before the purge removes it for good.
MEDIAHUB_TRASH_DAYS = env_int("MEDIAHUB_TRASH_DAYS", default=30)

# Media files do not go through Django's storage API: uploads/storage.py is the one
# path to S3 (see its docstring). Only static files use a Django storage.
STORAGES = {
    "staticfiles": {"BACKEND": "mediahub.static.ScriptPrefixStaticFilesStorage"},
}

# Files above this stream to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every record a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "botocore": {"level": "WARNING"},
        "pynamodb": {"level": "WARNING"},
    },
}
