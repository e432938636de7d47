"""Newsroom's one settings module, configured by environment variables.

Every variable is documented in the README. Local use needs none of them: the defaults give
a SQLite database in the project and local-memory caching. With DEBUG off, SECRET_KEY is
required and the process refuses to start without it.
"""

import datetime as dt
import importlib.util
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django_prose_editor.config import html_tags
from js_asset import static_lazy

from newsroom import forwarded

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Core

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY, or DEBUG=1 for local use."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

SITE_NAME = os.environ.get("SITE_NAME", "All Israel News")
# The public address, for links in email (which has no request to build them from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_TAGLINE = os.environ.get("SITE_TAGLINE", "News and analysis from Israel and the Middle East")
SITE_LANGUAGE = "en"
# The publisher's logo in structured data: a static file and its size in pixels (keep in step
# with the file; Google wants it at most 600x60).
SITE_LOGO = {"path": "img/logo.png", "width": 600, "height": 60}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "reversion",
    "django_prose_editor",
    "django_otp",
    "accounts.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "accounts.apps.FailedLoginsConfig",  # axes
    "newsroom.page_cache",
    "articles",
    "newsletter",
    "accounts",
]

MIDDLEWARE = [
    # Forwarded headers only from the proxies FORWARDED_ALLOW_IPS names: first, so nothing
    # below (the page cache, the HTTPS decision, the client's address) sees a client's own.
    "newsroom.forwarded.ForwardedHeadersMiddleware",
    # How long the nginx front keeps a public answer: to the end of this second.
    "newsroom.microcache.MicrocacheMiddleware",
    # /healthz and /readyz, answered before host validation and the HTTPS redirect.
    "newsroom.health.HealthCheckMiddleware",
    # Cached pages for anonymous readers, answered before everything below; stored with every
    # header the middleware below adds (newsroom/page_cache/).
    "newsroom.page_cache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Addresses from before a move (WordPress permalinks, ?p=123): a 301 when nothing else
    # answers, with the security headers above like every answer; the page cache lets its
    # query addresses through (PAGE_CACHE_PASS_PARAMETERS), else it would serve /?p=123 as the
    # home page. Before the session: a redirect touches no cookie.
    "articles.old_addresses.OldAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session passed its second factor (django-otp), then the admin held back from
    # a staff member who still owes one (accounts/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Turns a login refused for too many failures into the 429 page (django-axes); last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "django.template.context_processors.csp",
                "newsroom.page_cache.context_processors.page",
                "articles.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/newsroom; SQLite by default.
# CONN_MAX_AGE keeps a connection open across requests (60 s by default: opening one per
# request costs an uncached page about a quarter of its throughput and the database more than
# twice the CPU); with CONN_HEALTH_CHECKS a kept connection is tested before a request reuses
# it, so a restarted database costs no errors. CONN_MAX_AGE=0 opens one per request.

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", default=True),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory per process; REDIS_URL (redis://host:6379/0) shares one Redis between
# processes and servers (newsroom/cache.py), which fails open: while Redis does not answer
# within REDIS_TIMEOUT seconds, the site runs without the cache, asking again every
# REDIS_RETRY_AFTER seconds.

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {
                "timeout": float(os.environ.get("REDIS_TIMEOUT", "0.05")),
                "retry_after": float(os.environ.get("REDIS_RETRY_AFTER", "2")),
            },
        }
    }
else:
    # Without Redis: each process's own memory (LOCAL_CACHE=memory), or no cache at all
    # (LOCAL_CACHE=none, the default with DEBUG on). A cache in one process's memory cannot
    # hear of a write made by another (an import or a command run beside `make run`, the other
    # gunicorn worker of `make serve`), so where several processes write, no cache is the only
    # one that shows every change on the next request.
    _local_cache = os.environ.get("LOCAL_CACHE", "none" if DEBUG else "memory")
    _LOCAL_CACHES = {
        "memory": "django.core.cache.backends.locmem.LocMemCache",
        "none": "django.core.cache.backends.dummy.DummyCache",
    }
    if _local_cache not in _LOCAL_CACHES:
        raise ImproperlyConfigured(f"LOCAL_CACHE must be 'memory' or 'none', not {_local_cache!r}.")
    CACHES = {"default": {"BACKEND": _LOCAL_CACHES[_local_cache]}}

# Background tasks: at once, in process, by default; TASKS_BACKEND=database queues them in the
# database for `manage.py db_worker` (django-tasks-db).

_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_task_backend = os.environ.get("TASKS_BACKEND", "immediate")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be 'immediate' or 'database', not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# Authentication

# Login throttling (django-axes, accounts/throttle.py): failures are counted per username and
# per client address (newsroom/client_ip.py), in the database so that every app server sees
# them. LOGIN_FAILURES_PER_USERNAME failures for one username, or LOGIN_FAILURES_PER_ADDRESS
# from one address, each within LOGIN_LOCKOUT_MINUTES of the one before, lock it for
# LOGIN_LOCKOUT_MINUTES from the last failure. The lock is checked by the first backend,
# before any password is hashed, so a flood of locked-out logins costs no PBKDF2 time.
LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("LOGIN_FAILURES_PER_USERNAME", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
for _name in ("LOGIN_FAILURES_PER_USERNAME", "LOGIN_FAILURES_PER_ADDRESS", "LOGIN_LOCKOUT_MINUTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")

AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",  # first: refuses a locked login before hashing
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_USERNAME  # the address's own limit: the handler
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
# A success clears that username's failures only (the handler), never its address's: one
# account's right password must not buy an address 20 more guesses at the others.
AXES_RESET_ON_SUCCESS = False
# Attempts refused while locked are not counted: the lock ends when it said it would, and a
# flood against a locked account writes nothing.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False  # no banner at every start; failures are still logged

# The second factor (django-otp, TOTP apps): the name apps show beside the code; keys are
# never shown in the admin's device pages.
OTP_TOTP_ISSUER = SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jerusalem")
USE_I18N = True
USE_TZ = True

# Static files and uploaded media

# Static files: collected into STATIC_ROOT by `collectstatic` with hashed, compressed copies
# (DEBUG off), and served by WhiteNoise with a far-future Cache-Control for the hashed names.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads: MEDIA_STORAGE=local keeps them in MEDIA_ROOT (one server, or a volume every server
# mounts); MEDIA_STORAGE=s3 puts them in an S3-compatible bucket (django-storages, installed
# the optional s3 extra), for app servers with nothing on local disk.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGINS = []  # the site's own
elif MEDIA_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs django-storages with boto3, the s3 extra: "
            "pip install -e '.[s3]' (or pip install 'django-storages[s3]')."
        )
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or
    # the instance's role), never from this file.
    _s3 = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        # Plain public URLs: a signed URL differs on every render, which no page cache or CDN
        # could share, and the pictures are public anyway.
        "querystring_auth": False,
        # A new upload never replaces a file (the names are served as immutable).
        "file_overwrite": False,
    }
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
    # Where pictures are served from, for the Content-Security-Policy's img-src.
    if _s3["custom_domain"]:
        MEDIA_ORIGINS = [f"https://{_s3['custom_domain']}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        _bucket, _region = _s3["bucket_name"], _s3["region_name"]
        MEDIA_ORIGINS = [f"https://{_bucket}.s3.amazonaws.com"]
        if _region:
            MEDIA_ORIGINS.append(f"https://{_bucket}.s3.{_region}.amazonaws.com")
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}.")
# Serve MEDIA_ROOT from the app itself (single server, or behind a CDN); off with object storage.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=MEDIA_STORAGE == "local")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads: images larger than this are refused before Pillow decodes them.
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", str(20 * 1024 * 1024)))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(40_000_000)))
# Widths of the resized copies served through srcset: each at most twice the one before, so
# every picture on a page, from a 4rem author photo to a full-width lead on a 3x phone, has a
# file at least as wide as it shows and at most twice that.
IMAGE_RENDITION_WIDTHS = (120, 240, 480, 800, 1200, 1600)

# The story body's rich-text editor: our extensions to django-prose-editor's toolset.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/prose-clear-formatting.js")],
        "extensions": {"ClearFormatting": html_tags([])},
    },
    {
        # An embed as the body stores it (articles/embeds.py), kept as one block.
        "js": [static_lazy("js/prose-embed.js")],
        "extensions": {"Embed": html_tags(["figure"], {"figure": ["data-embed"]})},
    },
    {
        # A library picture as the body stores it (articles/body_images.py), one block.
        "js": [static_lazy("js/prose-image.js")],
        "extensions": {"LibraryImage": html_tags(["figure"], {"figure": ["data-image"]})},
    },
]

# Security. With DEBUG off the site is HTTPS-only unless told otherwise: plain HTTP is
# redirected, cookies travel only over HTTPS, and browsers are told (HSTS) to use nothing but
# HTTPS for a year. `make serve` turns the redirect and the secure cookies off to try
# production mode on http://127.0.0.1. Sessions and CSRF only matter in the admin; public pages
# set no cookie.

# Behind a proxy that ends TLS: the request header it sets, as Django names it, and the value
# meaning HTTPS, e.g. HTTP_X_FORWARDED_PROTO,https. Set it only when that proxy always sets or
# strips the header, or a client could claim HTTPS itself.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    _header, _, _value = (part.strip() for part in _proxy_ssl_header.partition(","))
    if not re.fullmatch(r"HTTP_[A-Z0-9_]+", _header) or not _value or "," in _value:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be a header as Django names it and the value meaning "
            f"HTTPS, e.g. HTTP_X_FORWARDED_PROTO,https; it is {_proxy_ssl_header!r}."
        )
    SECURE_PROXY_SSL_HEADER = (_header, _value)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# Both are promises about the whole domain (every subdomain on HTTPS; browsers shipped with
# the name as HTTPS-only, which takes months to undo): off unless set.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (Django's own middleware): scripts, styles and everything else from
# this site only, and nothing inline (not even style attributes). Public pages need no nonce:
# their only inline <script>s are JSON-LD data blocks, which browsers never run. The admin's
# few inline blocks (the rich-text editor's import map, one <style>) carry a nonce, and Django
# puts a nonce in the header only when a page used one, so the public pages, which caches and
# CDNs share, keep one nonce-free header.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Videos in live updates play in these sites' privacy-enhanced players (articles/embeds.py).
    "frame-src": [CSP.SELF, "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
}

# Browser features no page here uses, off for every page and frame (newsroom/permissions_policy.py).
PERMISSIONS_POLICY = os.environ.get(
    "PERMISSIONS_POLICY",
    "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()",
)

# How many proxies (load balancer, CDN) in front of the app append to X-Forwarded-For; the
# client's address is that many entries from the right (newsroom/client_ip.py). 0: no proxy,
# REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# The proxies whose forwarded headers are believed (X-Forwarded-For, X-Forwarded-Proto ...):
# addresses or networks, comma-separated, or * for any peer; from anyone else those headers
# are dropped before anything reads them (newsroom/forwarded.py). gunicorn reads the same
# variable (gunicorn.conf.py). Empty by default: no proxy is believed.
FORWARDED_ALLOW_IPS = [
    entry.strip() for entry in os.environ.get("FORWARDED_ALLOW_IPS", "").split(",") if entry.strip()
]
forwarded.networks(tuple(FORWARDED_ALLOW_IPS))  # a bad entry stops here, named
if (TRUSTED_PROXY_COUNT or _proxy_ssl_header) and not FORWARDED_ALLOW_IPS:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT and SECURE_PROXY_SSL_HEADER take what a proxy says, and "
        "FORWARDED_ALLOW_IPS names no proxy, so neither would ever be believed: set it to the "
        "proxy's address (127.0.0.1 for nginx on the same host; * behind a platform's router "
        "that is the only way in)."
    )

# Email: with DEBUG on, into the outbox folder (OUTBOX_DIR, one .eml file per message, listed
# for staff at /admin/outbox/); without it, the console unless EMAIL_BACKEND says otherwise.
# EMAIL_BACKEND=smtp sends through EMAIL_HOST/EMAIL_PORT with EMAIL_HOST_USER/PASSWORD.

_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "outbox": "newsroom.outbox.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = os.environ.get("EMAIL_BACKEND", "outbox" if DEBUG else "console")
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must be 'console', 'outbox' or 'smtp', not {_email_backend!r}."
    )
OUTBOX_DIR = Path(os.environ.get("OUTBOX_DIR", BASE_DIR / "outbox"))
MAILERS = {"default": {"BACKEND": _EMAIL_BACKENDS[_email_backend]}}
if _email_backend == "smtp":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "127.0.0.1"),
        "port": int(os.environ.get("EMAIL_PORT", "587")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=True),
        "timeout": 20,
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <news@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Newsletter

NEWSLETTER_DIGEST_SUBJECT = os.environ.get(
    "NEWSLETTER_DIGEST_SUBJECT", f"{SITE_NAME}: Latest news & updates"
)
# The sender's physical or contact line, printed at the foot of every email.
NEWSLETTER_CONTACT_LINE = os.environ.get(
    "NEWSLETTER_CONTACT_LINE", f"{SITE_NAME}, Jerusalem, Israel. desk@example.com"
)
NEWSLETTER_CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link stays valid
NEWSLETTER_RESEND_INTERVAL = 5 * 60  # at most one confirmation email per mailbox per 5 min
# Seconds before each new try of a confirmation the mail server did not take; then "failed".
NEWSLETTER_CONFIRM_RETRY_DELAYS = (60, 5 * 60, 15 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
NEWSLETTER_SIGNUP_RATE = (10, 10 * 60)  # signups per client address, per 10 minutes
NEWSLETTER_BATCH_SIZE = 200  # subscribers read from the database at a time
NEWSLETTER_MAX_ATTEMPTS = 3  # deliveries that failed are retried on later runs up to this
NEWSLETTER_FIRST_DIGEST_DAYS = 7  # how far back the very first digest looks
NEWSLETTER_MAX_STORIES = 20

# Logging on stdout: for a person with DEBUG on (LOG_FORMAT=text: time, level, logger,
# message), else one JSON object per line (newsroom/jsonlog.py), an error's traceback in its
# line. The line per request is gunicorn's access log (gunicorn.conf.py), so Django's own line
# for each 4xx is left out; a 5xx is logged once, with its traceback. Under runserver, its own
# line per request (django.server) is kept.

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "newsroom.jsonlog.JSONFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
            "datefmt": "%H:%M:%S",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default handlers (console with DEBUG on, mail to ADMINS without):
        # its records go to the root's handler, once.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.request": {"level": "ERROR"},
    },
}

# Pages

HOME_PAGE_SIZE = 10  # stories under the lead: 4 beside it, the rest in "Latest stories"
LIST_PAGE_SIZE = 20  # stories per page of a section, author or tag listing (and search)
SIDEBAR_LIST_SIZE = 5
LIVE_PAGE_SIZE = 20  # updates per page of a live story, newest first
RELATED_STORIES = 4  # "Related stories" under each article
# Readers' pages poll a live story's small JSON every LIVE_POLL_SECONDS; a CDN keeps a live
# story's page and poll answer at most LIVE_CDN_SECONDS (a CDN purging by Surrogate-Key gets
# each new update at once; the page cache here always does).
LIVE_POLL_SECONDS = int(os.environ.get("LIVE_POLL_SECONDS", "15"))
LIVE_CDN_SECONDS = int(os.environ.get("LIVE_CDN_SECONDS", "10"))
POPULAR_DAYS = int(os.environ.get("POPULAR_DAYS", "7"))  # "Popular Articles": reads of N days
POPULAR_CACHE_SECONDS = int(os.environ.get("POPULAR_CACHE_SECONDS", "300"))  # ranking kept for
PREVIEW_MAX_AGE = 7 * 24 * 3600  # seconds a shared preview link works
# Search's bounds (articles/search_limits.py): searches per client address per minute that
# reach the database (past it a 429 page), and PostgreSQL's statement timeout for them.
SEARCH_RATE = (int(os.environ.get("SEARCH_RATE_PER_MINUTE", "30")), 60)
SEARCH_TIMEOUT_MS = int(os.environ.get("SEARCH_TIMEOUT_MS", "1500"))
# Reads of one story one client address counts per READ_WINDOW_SECONDS (articles/reads.py).
READ_CAP_PER_ADDRESS = int(os.environ.get("READ_CAP_PER_ADDRESS", "3"))

# Page cache: anonymous readers' pages (newsroom.page_cache), invalidated by edits
# (articles.invalidation). PAGE_CACHE_SECONDS=0 turns the app's own copy of whole pages off
# (the parts pages share are still kept, and the headers for a CDN stay).

PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_BROWSER_SECONDS = int(os.environ.get("PAGE_BROWSER_SECONDS", "0"))  # browsers revalidate
PAGE_CDN_SECONDS = int(os.environ.get("PAGE_CDN_SECONDS", "300"))  # s-maxage
PAGE_STALE_SECONDS = int(os.environ.get("PAGE_STALE_SECONDS", "30"))  # stale-while-revalidate
# Each process keeps its own copies of this many hot pages and parts, used while the shared
# clock has not moved since they were checked (newsroom/page_cache/local.py). 0: none.
PAGE_CACHE_LOCAL_ENTRIES = int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "256"))
PAGE_CACHE_SCHEDULE_CHECK_SECONDS = 3600  # the next scheduled time is read again at least this
# Requests with one of these query parameters go past the stored pages: WordPress's query
# addresses (/?p=123, ?cat=, ?tag=, ?author=), which articles.old_addresses answers with a 301
# when it knows them, inside the security middleware; a stored home page must not answer them.
PAGE_CACHE_PASS_PARAMETERS = ("p", "cat", "tag", "author")
# CDN purges: a URL template with {path} (or {url}) per page, or {tag} per Surrogate-Key tag;
# empty: no purges (pages leave the CDN after PAGE_CDN_SECONDS).
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "")
CDN_PURGE_METHOD = os.environ.get("CDN_PURGE_METHOD", "PURGE")
CDN_PURGE_TOKEN = os.environ.get("CDN_PURGE_TOKEN", "")
CDN_PURGE_TIMEOUT = 5
if CDN_PURGE_URL and not any(f"{{{name}}}" in CDN_PURGE_URL for name in ("path", "url", "tag")):
    raise ImproperlyConfigured(
        "CDN_PURGE_URL must contain {path}, {url} or {tag}, e.g. "
        f"https://cdn.example.com/purge{{path}}; it is {CDN_PURGE_URL!r}."
    )
