"""Settings for every environment, read from environment variables.

COLEAD_ENV chooses the profile: ``development`` (default), ``test`` or ``production``.
See .env.example for every variable.
"""

import secrets
from pathlib import Path

import dj_database_url
from jinja2 import ChainableUndefined

from colead.config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # src/colead
PROJECT_DIR = BASE_DIR.parent.parent  # repository root when running from a checkout

COLEAD_ENV = env_str("COLEAD_ENV", "development")
if COLEAD_ENV not in {"development", "test", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("COLEAD_ENV must be development, test or production.")
PRODUCTION = COLEAD_ENV == "production"


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is required when COLEAD_ENV=production (or SECRET_KEY_FILE)."
        )
    # Development and the demo: a key generated once per working directory, so
    # sessions survive a restart without anyone having to invent a secret.
    key_file = Path(env_str("COLEAD_SECRET_KEY_FILE", ".colead-secret-key"))
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    try:
        key_file.write_text(key)
        key_file.chmod(0o600)
    except OSError:
        pass
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", default=COLEAD_ENV == "development")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's own widget templates, for FORM_RENDERER = TemplatesSetting (the admin's forms).
    "django.forms",
    "axes",
    # django-ninja's own Swagger UI files, so /api/v1/docs works offline under our CSP.
    "ninja",
    "colead.core",
    "colead.home",
    "colead.audit",
    "colead.org",
    "colead.accounts",
    "colead.api",
    "colead.surveys",
    "colead.insights",
    "colead.direction",
    "django_tasks",
    "django_tasks_db",
]
# The demo (`colead demo`: made-up trusts, built into an emptied database) is installed in
# development and test only, so a production server has no command that could empty its
# database. COLEAD_DEMO=false leaves it out anywhere; COLEAD_DEMO=true puts it in.
COLEAD_DEMO = env_bool("COLEAD_DEMO", default=not PRODUCTION)
if COLEAD_DEMO:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("colead.direction") + 1, "colead.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "colead.accounts.middleware.CurrentOrganisationMiddleware",
    "colead.core.middleware.SecurityHeadersMiddleware",
    # Last, so that it sees the response of a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "colead.config.urls"
WSGI_APPLICATION = "colead.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "colead.config.jinja2.environment",
            "undefined": ChainableUndefined,
            "autoescape": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "colead.home.context_processors.layout",
            ],
        },
    },
    {
        # The Django admin keeps its own templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "sqlite:///colead.sqlite3"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an import writes; IMMEDIATE avoids
    # "database is locked" when two writers race to upgrade a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Throttled failed sign-ins (django-axes): lock a username+IP pair after N failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying (one address, many accounts): sign-in from an address pauses after this
# many failures, to any accounts, within the window (colead.accounts.throttle).
COLEAD_SIGN_IN_ADDRESS_LIMIT = env_int("COLEAD_SIGN_IN_ADDRESS_LIMIT", 15)
COLEAD_SIGN_IN_ADDRESS_WINDOW = env_int("COLEAD_SIGN_IN_ADDRESS_WINDOW", 15 * 60)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "colead.accounts.throttle.sign_in_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.jinja"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Optional OpenID Connect sign-in (NHSmail / Entra ID); off unless configured.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("colead.accounts.oidc.ColeadOIDCBackend")
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_secret("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
    OIDC_CREATE_USER = False  # only people an organisation admin has given a role

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic's target; in development WhiteNoise serves straight from the finders.
STATIC_ROOT = (
    Path(env_str("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
    if PRODUCTION or env_str("STATIC_ROOT", "")
    else None
)
# Compiled NHS.UK frontend (npm run build); see package.json.
STATICFILES_DIRS = [PROJECT_DIR / "assets" / "compiled"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Console and file backends write messages out: colead's own versions of them redact the
# personal links (survey and password) as the logs do (colead.config.mail, docs/privacy.md).
_REDACTING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "colead.config.mail.RedactingConsoleBackend",
    "django.core.mail.backends.filebased.EmailBackend": "colead.config.mail.RedactingFileBackend",
}
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "colead.config.mail.RedactingConsoleBackend",
)
EMAIL_BACKEND = _REDACTING_EMAIL_BACKENDS.get(EMAIL_BACKEND, EMAIL_BACKEND)
if env_str("EMAIL_FILE_PATH", ""):
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")  # the directory the file backend writes to
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "colead <noreply@colead.invalid>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Survey tokens never reach a log line: /take/<token>/ becomes /take/[token]/
    # (colead.surveys.logging, docs/privacy.md; gunicorn.conf.py does the same for gunicorn).
    "filters": {"redact_survey_tokens": {"()": "colead.surveys.logging.RedactSurveyTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_survey_tokens"]},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_survey_tokens"],
        },
        "django.request": {"filters": ["redact_survey_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Background jobs (django-tasks). Production runs `colead db_worker` beside the web server,
# and `colead demo` starts one beside its own; development and tests otherwise run jobs at
# once in the request unless told otherwise.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env_str("COLEAD_TASKS_BACKEND", "database" if PRODUCTION else "immediate")],
    }
}

# The cache holds short-lived counters (rate limits on shared-device starts, password
# links and failed sign-ins per address). Every web worker must see the same counts, or each
# limit is multiplied by the number of workers: production defaults to the database cache
# (its table is made by `colead migrate`, see colead.core.apps). locmem is per process, for
# development and tests.
CACHE_BACKEND = env_str("CACHE_BACKEND", "database" if PRODUCTION else "locmem")
if CACHE_BACKEND not in {"database", "locmem"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CACHE_BACKEND must be database or locmem.")
CACHES = {
    "default": {
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "colead_cache",
        },
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }[CACHE_BACKEND]
}

# Import files whose text (a workbook's sheets unpacked) is larger than this are checked by a
# background job, with progress on the page, instead of in the web request (views_imports).
COLEAD_IMPORT_BACKGROUND_BYTES = env_int("COLEAD_IMPORT_BACKGROUND_BYTES", 2_000_000)

# A workforce import that would mark more than this share (per cent) of current staff as
# leavers needs a separate confirmation: a tick on its preview, --allow-leavers on the CLI.
COLEAD_IMPORT_LEAVERS_PERCENT = env_int("COLEAD_IMPORT_LEAVERS_PERCENT", 10)

# Shared-device survey starts allowed per link and client address, per window (seconds).
COLEAD_DEVICE_START_LIMIT = env_int("COLEAD_DEVICE_START_LIMIT", 30)
COLEAD_DEVICE_START_WINDOW = env_int("COLEAD_DEVICE_START_WINDOW", 600)

# The address people use to reach colead: survey invitations, device links, QR posters and
# password links are built from it. Production refuses to start without it, and
# `colead check --deploy` fails on a local one (colead.core.checks), so that a trust never
# emails its staff links to localhost. `colead demo` sets it from its own address and port.
LOCAL_BASE_URL = "http://127.0.0.1:8000"
COLEAD_BASE_URL = env_str("COLEAD_BASE_URL", "" if PRODUCTION else LOCAL_BASE_URL).strip()
if PRODUCTION and not COLEAD_BASE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "COLEAD_BASE_URL is required when COLEAD_ENV=production: the address people use to "
        "reach colead, e.g. COLEAD_BASE_URL=https://colead.example.nhs.uk. Survey invitations, "
        "device links, QR posters and password links are built from it."
    )

# Keyed digests of survey tokens (docs/privacy.md); defaults to one derived from SECRET_KEY.
SURVEY_TOKEN_KEY = env_secret("SURVEY_TOKEN_KEY") or ("survey-token:" + SECRET_KEY)

# Demo sign-in password: printed by `colead demo` and written in the README.
COLEAD_DEMO_PASSWORD = env_str("COLEAD_DEMO_PASSWORD", "colead-demo-2026")

if COLEAD_ENV == "test":
    # Fast hashing keeps the persona fixtures cheap; never used outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
