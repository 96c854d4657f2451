"""Pasar's one settings file.

Every value has a local default that needs no service: SQLite, local-memory cache, files on
disk, Celery tasks inline, e-mail to the console. Production is this same file with environment
variables set (see .env.example); with DJANGO_ENV=production a missing required value stops the
start with a message naming it.
"""

import contextlib
from decimal import Decimal
from pathlib import Path

import django_stubs_ext
import environ
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # lets runtime code subscript Django's generic classes for mypy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # generated local state (database, media, static); never committed

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # optional; .env is never committed

DJANGO_ENV = env.str("DJANGO_ENV", default="local")
if DJANGO_ENV not in ("local", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'local' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # Redis is required too: with several processes behind a load balancer a local-memory cache
    # would leave every other process showing stale prices after a change.
    _required = {
        "SECRET_KEY": "a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')",
        "DATABASE_URL": "the PostgreSQL database, e.g. postgres://user:pass@host:5432/pasar",
        "ALLOWED_HOSTS": "the shop's host names, comma-separated, e.g. shop.example.com",
        "REDIS_URL": "the cache and session store, e.g. redis://host:6379/0",
    }
    _missing = [f"  {name}: {why}" for name, why in _required.items() if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables (see .env.example):\n" + "\n".join(_missing)
        )

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-only-never-use-in-production")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SHOP_NAME = env.str("SHOP_NAME", default="Pasar")
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="GBP")
# The shop's public address, for links in e-mails (which have no request to take it from).
SHOP_URL = env.str("SHOP_URL", default="http://127.0.0.1:8000")
# The running release (e.g. the git commit), part of the page cache keys so a deploy never serves
# pages rendered by the previous templates; unset, a digest of the code and templates is used.
RELEASE_ID = env.str("RELEASE_ID", default="")
# Seconds a rendered shop page may live in the cache; changes invalidate it at once anyway.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
# Each process keeps its hottest cached pages and API responses in memory for this long (seconds;
# 0: off), so a page under a flash sale's load costs one cache round trip a second per process. A
# change shows at once in the process that made it and within this time everywhere else.
PAGE_NEAR_SECONDS = env.float("PAGE_NEAR_SECONDS", default=1.0)
PAGE_NEAR_ENTRIES = env.int("PAGE_NEAR_ENTRIES", default=500)  # pages per process; ~5-30 kB each
CATALOG_PAGE_SIZE = env.int("CATALOG_PAGE_SIZE", default=24)
CATALOG_LOW_STOCK = env.int("CATALOG_LOW_STOCK", default=5)

# Product search (docs/search.md): the backend as a dotted path, and its options. The database
# backend (PostgreSQL full-text search, or SQLite FTS5 locally) needs none; OpenSearch needs a URL.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="catalog.search.backends.database.DatabaseSearchBackend")
SEARCH_BACKEND_OPTIONS = {
    "url": env.str("OPENSEARCH_URL", default=""),
    "index": env.str("OPENSEARCH_INDEX", default="pasar-products"),
    "timeout": env.float("OPENSEARCH_TIMEOUT", default=2.0),
    "retry_after": env.int("OPENSEARCH_RETRY_AFTER", default=30),
    "replicas": env.int("OPENSEARCH_REPLICAS", default=1),
}
# Edges of the search page's price ranges, in the shop's currency.
SEARCH_PRICE_RANGES = env.list("SEARCH_PRICE_RANGES", default=["2", "5", "10", "20"])

# Recommendations (docs/recommendations.md): the backend as a dotted path, and its options. The
# local model (trained by `manage.py recommendations train` and a nightly task) needs none and is
# the fallback of any other; Amazon Personalize
# (recommendations.backends.personalize.PersonalizeRecommendationBackend) takes the PERSONALIZE_*
# values that `manage.py recommendations personalize-sync` prints.
RECOMMENDATIONS_BACKEND = env.str(
    "RECOMMENDATIONS_BACKEND", default="recommendations.backends.local.LocalRecommendationBackend"
)
# With Redis, recorded views and adds to cart wait this long (seconds) in the process that recorded
# them and go to Redis together, one round trip for many; 0 sends each at once.
RECOMMENDATIONS_EVENT_HOLD_SECONDS = env.float("RECOMMENDATIONS_EVENT_HOLD_SECONDS", default=0.25)
RECOMMENDATIONS_BACKEND_OPTIONS: dict[str, object] = (
    {
        "region_name": env.str("PERSONALIZE_REGION", default="") or None,
        "recommender_arns": env.dict("PERSONALIZE_RECOMMENDER_ARNS", default={}),
        "filter_arn": env.str("PERSONALIZE_FILTER_ARN", default=""),
        "tracking_id": env.str("PERSONALIZE_TRACKING_ID", default=""),
        "timeout": env.float("PERSONALIZE_TIMEOUT", default=0.3),
        "retry_after": env.int("PERSONALIZE_RETRY_AFTER", default=30),
    }
    if RECOMMENDATIONS_BACKEND.endswith("PersonalizeRecommendationBackend")
    else {}
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc's files, served as our own static files
    "corsheaders",
    "treebeard",
    "imagekit",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "shop",
    "accounts",
    "catalog",
    "orders",
    "recommendations",
    "notifications",
]

MIDDLEWARE = [
    "shop.middleware.HealthCheckMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that can answer (CORS preflights)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "shop.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "orders.middleware.CartCountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:overview"
LOGOUT_REDIRECT_URL = "catalog:home"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the admin, and the test client's login()
    "allauth.account.auth_backends.AuthenticationBackend",
]

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
                "shop.context_processors.shop",
            ],
        },
    },
]

# Database: SQLite on disk locally; DATABASE_URL (PostgreSQL) in production.
# Connections are kept open between requests (CONN_MAX_AGE) and checked before reuse.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
        # Prepared statements: values sent apart from the SQL (server-side binding), and a
        # statement a connection runs a fifth time is prepared, so PostgreSQL parses and plans it
        # once per connection instead of on every run (a third less database CPU an order,
        # bench/README.md). Off for a pooler that cannot keep them (PgBouncer before 1.21 in
        # transaction mode; RDS Proxy pins such connections).
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: local memory locally; Redis (REDIS_URL) in production.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pasar",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pasar"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Argon2 for new and changed passwords; older hashes still check and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Accounts (docs/accounts.md): django-allauth's flows for the site, and its headless API for the
# apps at /api/v1/auth/. E-mail is the only login; it must be verified before the first sign-in.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old one once it is verified
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None  # "remember me" is the shopper's choice on the sign-in form
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SHOP_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Per IP, per key (the e-mail address) and per user; "5/m/ip" is five a minute from one address.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("ACCOUNT_RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env.str("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env.str("ACCOUNT_RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": env.str("ACCOUNT_RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password/e-mail address was changed" notes to the customer
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False  # the site keeps its own pages; the API serves the apps
HEADLESS_SERVE_SPECIFICATION = True  # the auth API's own OpenAPI document: /api/v1/auth/openapi.json
HEADLESS_SPECIFICATION_TEMPLATE_NAME = None  # its HTML page loads Redoc from a CDN; /api/docs/ is local

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
# Babel locales used to format prices and numbers for each interface language.
SHOP_LOCALES = {"en": "en_GB", "id": "id_ID"}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# Files: on disk locally; S3 behind CloudFront when AWS_STORAGE_BUCKET_NAME is set.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
with contextlib.suppress(OSError):  # collectstatic fills it; whitenoise serves it (read-only disks: set STATIC_ROOT)
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "file_overwrite": False,
        "querystring_auth": False,  # objects are public through CloudFront
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_options, "location": "media"}},
        "staticfiles": {
            "BACKEND": "storages.backends.s3.S3ManifestStaticStorage",
            "OPTIONS": {**_s3_options, "location": "static", "file_overwrite": True},
        },
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
# Thumbnails are generated when an image is saved, and their URLs are built without asking storage.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "thumbs"
IMAGEKIT_SPEC_CACHEFILE_NAMER = "catalog.images.spec_cachefile_name"

# Celery: without a broker, tasks run inline in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Task modules that autodiscovery (which looks for <app>.tasks only) does not find.
CELERY_IMPORTS = ["catalog.search.tasks"]
# Periodic work, run by `celery -A shop beat` (one beat process per deployment).
CELERY_BEAT_SCHEDULE = {
    # Cancel online orders left unpaid past their deadline; find payments without a paid order.
    "orders-reconcile": {"task": "orders.tasks.orders_reconcile_task", "schedule": 300.0},
    # Write buffered interaction events (views, adds to cart) to the database; retrain nightly.
    "recommendations-events-flush": {"task": "recommendations.tasks.events_flush_task", "schedule": 60.0},
    "recommendations-train": {"task": "recommendations.tasks.model_train_task", "schedule": 24 * 3600.0},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SHOP_NAME} <shop@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notifications (docs/notifications.md). E-mail goes through EMAIL_BACKEND; for Amazon SES set it
# to anymail.backends.amazon_ses.EmailBackend (credentials from the instance role, as for S3).
ANYMAIL = {
    "AMAZON_SES_CONFIGURATION_SET_NAME": env.str("AWS_SES_CONFIGURATION_SET", default="") or None,
    "AMAZON_SES_MESSAGE_TAG_NAME": "event",
    "AMAZON_SES_CLIENT_PARAMS": {
        "region_name": env.str("AWS_SES_REGION_NAME", default="") or None,
        "endpoint_url": env.str("AWS_SES_ENDPOINT_URL", default="") or None,
    },
}
# Who gets staff alerts (low stock, new orders): e-mail addresses, comma-separated.
SHOP_STAFF_EMAILS = env.list("SHOP_STAFF_EMAILS", default=[])
_AWS_MESSAGING_REGION = env.str("NOTIFICATIONS_AWS_REGION", default="") or None
NOTIFICATIONS_SMS_BACKEND = env.str(
    "NOTIFICATIONS_SMS_BACKEND", default="notifications.backends.console.ConsoleSmsBackend"
)
NOTIFICATIONS_SMS_BACKEND_OPTIONS = {
    "origination_identity": env.str("NOTIFICATIONS_SMS_ORIGINATION_IDENTITY", default=""),
    "configuration_set": env.str("NOTIFICATIONS_SMS_CONFIGURATION_SET", default=""),
    "region_name": _AWS_MESSAGING_REGION,
}
NOTIFICATIONS_PUSH_BACKEND = env.str(
    "NOTIFICATIONS_PUSH_BACKEND", default="notifications.backends.console.ConsolePushBackend"
)
NOTIFICATIONS_PUSH_BACKEND_OPTIONS = {
    "application_id": env.str("NOTIFICATIONS_PUSH_APPLICATION_ID", default=""),
    "region_name": _AWS_MESSAGING_REGION,
}
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
# Messages queued in a process wait this long for others and go to the broker in one task.
NOTIFICATIONS_PUBLISH_HOLD_SECONDS = env.float("NOTIFICATIONS_PUBLISH_HOLD_SECONDS", default=0.05)
NOTIFICATIONS_SWEEP_AFTER_SECONDS = 300  # a pending message this overdue lost its task; queue it again
NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = 600  # "sending" this long: the worker died mid-send
NOTIFICATIONS_CAMPAIGN_BATCH_SIZE = env.int("NOTIFICATIONS_CAMPAIGN_BATCH_SIZE", default=500)
# Campaign messages per second across all workers (SES's and the SMS account's sending rate); 0: no limit.
NOTIFICATIONS_CAMPAIGN_RATE = env.int("NOTIFICATIONS_CAMPAIGN_RATE", default=14)
# SNS webhooks (SES bounces and complaints, inbound SMS): where signing certificates may come from,
# and the topics accepted (empty: any topic, still signature-checked).
NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN = env.str(
    "NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN", default=r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"
)
NOTIFICATIONS_SNS_TOPIC_ARNS = env.list("NOTIFICATIONS_SNS_TOPIC_ARNS", default=[])
# Phone numbers typed without a country code are read as this country's (E.164 is stored).
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="GB")
CELERY_BEAT_SCHEDULE |= {
    "notifications-outbox-sweep": {"task": "notifications.tasks.outbox_sweep", "schedule": 60.0},
    "notifications-campaigns-due": {"task": "notifications.tasks.campaigns_start_due", "schedule": 60.0},
}

# Payments: the methods offered at checkout, in this order. The test card gateway (a local
# stand-in for a card provider, for the demo and tests) is on locally and off in production.
# Stripe (docs/payments.md) is offered first by default once its secret key is set.
_stripe_secret_key = env.str("STRIPE_SECRET_KEY", default="")
_stripe_webhook_secret = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Bank transfer shows the shopper the shop's account; production offers it by default once the
# account is set (a name, and an IBAN or a sort code and account number). The local demo shows the
# made-up account below.
_bank = {
    "account_name": env.str("BANK_ACCOUNT_NAME", default="" if PRODUCTION else "Pasar Demo Ltd"),
    "bank_name": env.str("BANK_NAME", default="" if PRODUCTION else "Demo Bank (not a real account)"),
    "sort_code": env.str("BANK_SORT_CODE", default="" if PRODUCTION else "00-00-00"),
    "account_number": env.str("BANK_ACCOUNT_NUMBER", default="" if PRODUCTION else "00000000"),
    "iban": env.str("BANK_IBAN", default=""),
    "bic": env.str("BANK_BIC", default=""),
}
_bank_ready = bool(_bank["account_name"] and (_bank["iban"] or (_bank["sort_code"] and _bank["account_number"])))
_payment_methods_default = (["cod"] + (["bank"] if _bank_ready else [])) if PRODUCTION else ["testcard", "cod", "bank"]
PAYMENT_METHODS = env.list(
    "PAYMENT_METHODS", default=(["stripe"] if _stripe_secret_key else []) + _payment_methods_default
)
_PAYMENT_BACKENDS_AVAILABLE = {
    "cod": {"BACKEND": "orders.backends.offline.CashOnDeliveryPaymentBackend"},
    "bank": {"BACKEND": "orders.backends.offline.BankTransferPaymentBackend", "OPTIONS": _bank},
    "testcard": {
        "BACKEND": "orders.backends.testgateway.TestCardPaymentBackend",
        "OPTIONS": {"secret": env.str("TEST_GATEWAY_SECRET", default="test-gateway-" + SECRET_KEY)},
    },
    "stripe": {
        "BACKEND": "orders.backends.stripe.StripePaymentBackend",
        "OPTIONS": {
            "secret_key": _stripe_secret_key,
            "webhook_secret": _stripe_webhook_secret,
            "api_base": env.str("STRIPE_API_BASE", default=""),  # another API address, for tests
        },
    },
}
if "stripe" in PAYMENT_METHODS and not (_stripe_secret_key and _stripe_webhook_secret):
    raise ImproperlyConfigured("PAYMENT_METHODS offers stripe: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.")
if "bank" in PAYMENT_METHODS and not _bank_ready:
    raise ImproperlyConfigured(
        "PAYMENT_METHODS offers bank: set BANK_ACCOUNT_NAME, and BANK_IBAN or BANK_SORT_CODE and BANK_ACCOUNT_NUMBER."
    )
_unknown_methods = set(PAYMENT_METHODS) - set(_PAYMENT_BACKENDS_AVAILABLE)
if _unknown_methods:
    raise ImproperlyConfigured(f"PAYMENT_METHODS names unknown methods: {', '.join(sorted(_unknown_methods))}.")
PAYMENT_BACKENDS = {code: _PAYMENT_BACKENDS_AVAILABLE[code] for code in PAYMENT_METHODS}
# Countries the shop delivers to (ISO 3166 codes).
SHOP_SHIP_TO = env.list(
    "SHOP_SHIP_TO", default=["GB", "IE", "FR", "DE", "NL", "BE", "ES", "ID", "SG", "MY", "AU", "US"]
)
# Seconds an order placement waits for a stock row another checkout holds before answering "busy".
CHECKOUT_LOCK_TIMEOUT = env.int("CHECKOUT_LOCK_TIMEOUT", default=3)
# Tax included in prices, as a percentage of the price (e.g. 20 for UK VAT); 0 shows no tax line.
SHOP_TAX_RATE = Decimal(env.str("SHOP_TAX_RATE", default="0"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # The API (docs/api.md): JSON only, one error shape for every 4xx, page pagination.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "shop.api.negotiation.FastContentNegotiation",
    "EXCEPTION_HANDLER": "shop.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per signed-in customer and per IP address for guests; checkout is stricter. "100/min" is a
    # hundred requests a minute; a client over its rate gets 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["shop.api.throttling.GuestRateThrottle", "shop.api.throttling.CustomerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "guest": env.str("API_THROTTLE_GUEST", default="300/min"),
        "customer": env.str("API_THROTTLE_CUSTOMER", default="600/min"),
        "catalogue": env.str("API_THROTTLE_CATALOGUE", default="600/min"),
        "checkout": env.str("API_THROTTLE_CHECKOUT", default="10/min"),
    },
    # Proxies in front of the application that append to X-Forwarded-For (the load balancer: 1;
    # CloudFront and the load balancer: 2); 0 takes the connection's address as the client's.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=1 if PRODUCTION else 0),
}
# Guest carts that have not changed for this many days are expired (410 with code cart_expired).
API_CART_DAYS = env.int("API_CART_DAYS", default=30)
# Seconds an Idempotency-Key is held while its order is being placed (409 for a second request).
API_IDEMPOTENCY_LOCK_SECONDS = 30
SPECTACULAR_SETTINGS = {
    "TITLE": "Pasar API",
    "DESCRIPTION": "Everything a shopper does on the website, for mobile apps. How to sign in, send tokens, "
    "page, retry and read errors: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "PaymentStatusEnum": "orders.models.Payment.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "shop.api.schema.error_responses"],
}
# CORS for web clients of the API on other origins (e.g. https://app.example.com), comma-separated.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    *default_headers,
    "x-session-token",
    "x-cart-token",
    "idempotency-key",
    "if-none-match",
)
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Idempotent-Replayed"]

# Security. Behind the load balancer TLS ends at the ALB, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
