"""Settings shared by all machines; what differs between them comes from the environment."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-local-only-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "config.apps.ShopAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "documents",
    "shop",
    "courses",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before django-otp's: a session it ends leaves the anonymous user that django-otp wraps.
    "shop.accounts.sessions.SessionAgeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

# What the shop's pages may load and do (django-csp 4): only the shop's own files, no inline or
# eval script and no inline style (the templates and Django's admin need neither), never in a
# frame, forms only to the shop (and, added per response by config.security, Stripe's checkout
# page its buy buttons redirect to); browsers report what the policy blocked to /csp-report/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-report/",
    }
}
# Browser features no page of the shop uses, switched off for every page (and what it embeds).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth",
        "magnetometer", "gyroscope", "accelerometer", "display-capture", "browsing-topics",
    )
}  # fmt: skip

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
                "shop.context_processors.publisher",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Persistent connections: opening one per request costs more than most pages do.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web process write to the same file; wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "shop:sign_in"

# Staff sign into the admin with a password and, with ADMIN_SECOND_FACTOR, the code of their
# authenticator app (config/admin_site.py; `manage.py enrol_staff_totp <username>`). Only the
# local demo turns it off; production refuses to start without it.
ADMIN_SECOND_FACTOR = env_bool("ADMIN_SECOND_FACTOR", True)
OTP_TOTP_ISSUER = "Karriere & Wirtschaft – Shop-Verwaltung"
# Whoever may look at the admin's device list sees no one's key or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django-axes first: it refuses a locked-out login before the password is checked. It only
# watches authenticate(), i.e. the admin's password form; customers sign in by link (ModelBackend).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A username that failed AXES_FAILURE_LIMIT times from one address is locked there for the
# cool-off, even with the right password. Username and address together: a stranger who knows a
# staff name locks out only their own address, never the staff member at the office. Stored in
# the database, not the cache: the lock holds across a Redis restart or flush, staff see the
# attempts in the admin ("Zugriffsversuche") and `manage.py axes_reset_username <name>` lifts one.
# The address is the one the rate limits see (TRUSTED_PROXY_COUNT): behind a proxy, REMOTE_ADDR
# would make every lock the name's alone.
AXES_CLIENT_IP_CALLABLE = "plumbing.limits.client_address"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ADMIN_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.admin_site.locked_out"
# Failed attempts are what the lock needs; a log of every successful sign-in (customers' too,
# with their IP address) is not.
AXES_DISABLE_ACCESS_LOG = True
# Its start-up banner would open the output of every manage.py command and worker.
AXES_VERBOSE = False

# German unless the visitor chose English with the switch in the footer (config/language.py says
# why the browser's Accept-Language is not asked). Translations: locale/, see the README.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Bought files live here; nothing under it is served directly, downloads go through signed views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise one .eml file per message in a folder.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Karriere & Wirtschaft <shop@example.com>"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "config.email_backends.EmlFolderBackend"
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: Redis when REDIS_URL is set. Without it the first run needs no server at all: the worker
# and the web process pass messages through a folder.
REDIS_URL = os.environ.get("REDIS_URL", "")
# One cache for all web processes where there is a Redis (the catalog fragment lives there).
CACHES = {
    "default": {"BACKEND": "config.redis_cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Page parts that change only with a deploy (header, footer): each process keeps its own.
    "page_chrome": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if not REDIS_URL:
    BROKER_DIR = VAR_DIR / "broker"
    BROKER_DIR.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "shop")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "requeue-unfulfilled-orders": {
        "task": "shop.tasks.requeue_unfulfilled_orders",
        "schedule": timedelta(minutes=2),
    },
    "remind-missing-ebook-wishes": {
        "task": "shop.tasks.remind_missing_wishes",
        "schedule": timedelta(hours=1),
    },
    "resend-missing-withdrawal-confirmations": {
        "task": "shop.tasks.resend_missing_withdrawal_confirmations",
        "schedule": timedelta(minutes=1),
    },
    "send-due-course-lessons": {
        "task": "courses.tasks.send_due_lessons",
        "schedule": timedelta(minutes=5),
    },
}

# Stripe. STRIPE_API_BASE points stripe-python at a Stripe-compatible server (tests, offline demo).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300

# The shop's own rules.
PUBLISHER_NAME = os.environ.get("PUBLISHER_NAME", "Karriere & Wirtschaft Verlag")
SHOP_CURRENCY = "eur"
# Signed in: a customer for a week from their last visit, staff for a working day from signing
# in (shop/accounts/sessions.py).
CUSTOMER_SESSION_AGE = timedelta(days=int(os.environ.get("CUSTOMER_SESSION_DAYS", "7")))
STAFF_SESSION_AGE = timedelta(hours=int(os.environ.get("STAFF_SESSION_HOURS", "8")))
SESSION_COOKIE_AGE = int(CUSTOMER_SESSION_AGE.total_seconds())
DOWNLOAD_LINK_MAX_AGE = timedelta(hours=int(os.environ.get("DOWNLOAD_LINK_MAX_AGE_HOURS", "24")))
# The "lesson done" link in a lesson e-mail works without signing in, so only this long.
LESSON_DONE_LINK_MAX_AGE = timedelta(
    days=int(os.environ.get("LESSON_DONE_LINK_MAX_AGE_DAYS", "30"))
)
# The one-time sign-in link is a Django token bound to last_login; this is how long it lives.
PASSWORD_RESET_TIMEOUT = 60 * 60
FULFILMENT_GRACE = timedelta(seconds=int(os.environ.get("FULFILMENT_GRACE_SECONDS", "300")))
# A custom eBook still without the reader's wish this long after payment gets one reminder.
EBOOK_WISH_REMINDER_AFTER = timedelta(days=2)
# KI-Berater: access continues this long after a renewal payment failed, while Stripe retries it;
# buyers of a custom eBook or a series read it free for this long after their payment.
ADVISER_GRACE_PERIOD = timedelta(days=int(os.environ.get("ADVISER_GRACE_DAYS", "7")))
ADVISER_GRANT_PERIOD = timedelta(days=int(os.environ.get("ADVISER_GRANT_DAYS", "365")))
# A cancel-button notice that named no fitting Abo-Nummer and is still not confirmed by its
# link after this long is listed for staff (admin "Kündigungen", "Bestätigung ausstehend").
CANCELLATION_CONFIRMATION_DUE = timedelta(hours=48)
# The newsletter's double opt-in: how long a confirmation link works, and how soon the same
# address may be sent another (a form submitted again and again must not flood an inbox).
NEWSLETTER_CONFIRMATION_MAX_AGE = timedelta(days=7)
NEWSLETTER_CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)
# The statutory withdrawal period (§ 355 Abs. 2 BGB), counted in days after the contract.
WITHDRAWAL_PERIOD_DAYS = int(os.environ.get("WITHDRAWAL_PERIOD_DAYS", "14"))
# How long the link that confirms a withdrawal from the contract's own address works.
WITHDRAWAL_OWNER_LINK_MAX_AGE = timedelta(
    days=int(os.environ.get("WITHDRAWAL_OWNER_LINK_MAX_AGE_DAYS", "30"))
)

# Rate limits of the public forms (plumbing/limits.py), counted in the shared cache: per client
# (its address, see TRUSTED_PROXY_COUNT) for every form that sends e-mail and for checkouts and
# subscriptions, per e-mail address for the forms that write to it. "3/15m 10/1d": three in 15
# minutes and ten a day.
RATE_LIMITS = {
    "form_post": os.environ.get("RATE_LIMIT_FORM_POSTS", "20/10m"),
    "checkout": os.environ.get("RATE_LIMIT_CHECKOUTS", "10/10m"),
    "sign_in": os.environ.get("RATE_LIMIT_SIGN_IN", "3/15m 10/1d"),
    "subscribe": os.environ.get("RATE_LIMIT_SUBSCRIBE", "3/15m 10/1d"),
    "cancel_notice": os.environ.get("RATE_LIMIT_CANCEL_NOTICE", "3/1d"),
    "withdrawal": os.environ.get("RATE_LIMIT_WITHDRAWAL", "3/1d"),
}
# How many proxies the shop stands behind (gunicorn behind nginx: 1). With none, the client is
# REMOTE_ADDR; behind them, the address the nearest trusted proxy put into X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# German VAT per product category: electronic publications (§ 12 Abs. 2 Nr. 14 UStG) and e-learning.
VAT_RATES = {"publication": Decimal("7"), "elearning": Decimal("19")}
# The seller on every invoice. The defaults are placeholders: set the real ones in production.
INVOICE_SELLER = {
    "name": os.environ.get("INVOICE_SELLER_NAME", PUBLISHER_NAME),
    "address": os.environ.get("INVOICE_SELLER_ADDRESS", "Musterstraße 1\n12345 Musterstadt"),
    "vat_id": os.environ.get("INVOICE_SELLER_VAT_ID", "DE000000000"),
    "tax_number": os.environ.get("INVOICE_SELLER_TAX_NUMBER", ""),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every step of every render at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
