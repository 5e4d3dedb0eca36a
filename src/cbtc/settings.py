"""cbtc settings. Everything comes from environment variables; see .env.example and docs/deploy.md.

CBTC_MODE selects the defaults:
- ``production`` (the default): a secret key must be given, HTTPS-only cookies, HSTS, MFA required.
- ``demo``: secret key generated into the data folder, plain HTTP on localhost, MFA may be relaxed.
- ``test``: like demo, with a fast password hasher; used by the test suite only.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from cbtc.config import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    generated_secret_key,
)

MODE = env_choice("CBTC_MODE", ("production", "demo", "test"), "production")
IS_PRODUCTION = MODE == "production"

DATA_DIR = Path(env_str("CBTC_DATA_DIR", str(Path.cwd() / "data"))).resolve()

if IS_PRODUCTION:
    SECRET_KEY = env_str("CBTC_SECRET_KEY")
else:
    SECRET_KEY = env_str("CBTC_SECRET_KEY", "") or generated_secret_key(DATA_DIR)

DEBUG = env_bool("CBTC_DEBUG", default=False)
ALLOWED_HOSTS = env_list("CBTC_ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CBTC_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "cbtc.audit",
    "cbtc.network",
    "cbtc.clients",
    "cbtc.consent",
    "cbtc.screening",
    "cbtc.referrals",
    "cbtc.care",
    "cbtc.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cbtc.web.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cbtc.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Deny by default: a route without a declared access policy answers 401/403.
    "cbtc.web.policy.AccessPolicyMiddleware",
    # Must come last so that it sees the final user; axes locks accounts out after repeated failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cbtc.urls"
WSGI_APPLICATION = "cbtc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cbtc.web.context.site_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite in the data folder is for the demo and tests; production must name its database explicitly.
DEFAULT_SQLITE = None if IS_PRODUCTION else f"sqlite:///{DATA_DIR / 'cbtc.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so the audit chain head cannot be read twice.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "network.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if MODE == "test":
    # Argon2 is deliberately slow; tests create many users. Production and demo keep argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

# Lockout after repeated failures (django-axes): per user name, so one person's typos cannot lock out a
# whole clinic behind one NAT address.
AXES_FAILURE_LIMIT = env_int("CBTC_LOGIN_FAILURE_LIMIT", 5, minimum=3)
AXES_COOLOFF_TIME = env_int("CBTC_LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cbtc.web.views_auth.lockout_response"
AXES_VERBOSE = False
# axes.W006 wants the IP in the lockout key. We lock by user name alone on purpose: many staff share one
# clinic or mobile-network address, and an IP lock would lock out all of them after one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The covering indexes (Index.include) are PostgreSQL's; SQLite builds them without the extra columns.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# TOTP second factor for roles that see client data. The demo may relax it (CBTC_REQUIRE_MFA=false).
REQUIRE_MFA = env_bool("CBTC_REQUIRE_MFA", default=IS_PRODUCTION)
OTP_TOTP_ISSUER = env_str("CBTC_MFA_ISSUER", "cbtc")

# Sessions: short idle timeout, absolute lifetime (checked in the policy middleware).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("CBTC_SESSION_IDLE_MINUTES", 30, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout slides with activity
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env_int("CBTC_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- HTTP security --------------------------------------------------------------------------------
SECURE = env_bool("CBTC_SECURE", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("CBTC_BEHIND_PROXY", default=IS_PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("CBTC_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not IS_PRODUCTION:
    # WhiteNoise warns about a missing folder before the first collectstatic; the data folder is ours.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if MODE != "test"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = MODE == "test"

# --- Product settings -----------------------------------------------------------------------------
DIRECTORY_PAGE_SIZE = env_int("CBTC_DIRECTORY_PAGE_SIZE", 25, minimum=5)
API_MAX_PAGE_SIZE = 100
CLIENT_PAGE_SIZE = env_int("CBTC_CLIENT_PAGE_SIZE", 25, minimum=5)

# --- Client registry ------------------------------------------------------------------------------
# Keys that encrypt identifying client details and key the blind index live in a file outside the database
# (docs/confidentiality.md). Production must name it; demo and test generate one into the data folder.
CLIENT_KEY_FILE = env_str("CBTC_KEY_FILE", "" if IS_PRODUCTION else str(DATA_DIR / "keys.json")) or None
# Which UIC scheme new codes use (docs/uic-schemes.md), and an optional folder of extra scheme definitions.
CBTC_UIC_SCHEME = env_str("CBTC_UIC_SCHEME", "ph-doh")
CBTC_UIC_DEFINITIONS_DIR = env_str("CBTC_UIC_DEFINITIONS_DIR", "") or None
# Below this age a parent's or guardian's consent is also required, unless the legal setting says a minor
# may consent alone (CBTC_MINORS_CONSENT_ALONE=true).
MINOR_AGE = env_int("CBTC_MINOR_AGE", 18, minimum=1)
MINORS_CONSENT_ALONE = env_bool("CBTC_MINORS_CONSENT_ALONE", default=False)
# Duplicate candidates scoring at least this (0-100) are shown before a registration is saved.
DUPLICATE_THRESHOLD = env_int("CBTC_DUPLICATE_THRESHOLD", 85, minimum=50)

# Referrals: hours the receiving service has to answer (and, once accepted without an appointment, for the client
# to attend), by urgency; after that the referral shows as overdue to both services. An appointment is overdue
# REFERRAL_ATTEND_GRACE_HOURS after its time. Open referrals expire REFERRAL_EXPIRE_DAYS after they fell due.
REFERRAL_DUE_HOURS = {
    "emergency": env_int("CBTC_REFERRAL_DUE_HOURS_EMERGENCY", 4, minimum=1),
    "urgent": env_int("CBTC_REFERRAL_DUE_HOURS_URGENT", 24, minimum=1),
    "soon": env_int("CBTC_REFERRAL_DUE_HOURS_SOON", 72, minimum=1),
    "routine": env_int("CBTC_REFERRAL_DUE_HOURS_ROUTINE", 168, minimum=1),
}
REFERRAL_ATTEND_GRACE_HOURS = env_int("CBTC_REFERRAL_ATTEND_GRACE_HOURS", 24, minimum=1)
REFERRAL_EXPIRE_DAYS = env_int("CBTC_REFERRAL_EXPIRE_DAYS", 30, minimum=1)

# Episodes of care have no maximum length (standard 4.6): a review reminder falls due every EPISODE_REVIEW_DAYS.
# "Lost to follow-up" may be recorded only after EPISODE_LOST_AFTER_DAYS without any contact.
EPISODE_REVIEW_DAYS = env_int("CBTC_EPISODE_REVIEW_DAYS", 90, minimum=7)
EPISODE_LOST_AFTER_DAYS = env_int("CBTC_EPISODE_LOST_AFTER_DAYS", 60, minimum=7)
# Worklists: an outcome profile falls due OUTCOME_REVIEW_DAYS after the last (TOP's six-monthly review); an open
# episode with nothing recorded for NO_CONTACT_DAYS is flagged; a risky ending is followed up by a recovery
# check-in within CHECK_IN_WINDOW_DAYS.
OUTCOME_REVIEW_DAYS = env_int("CBTC_OUTCOME_REVIEW_DAYS", 182, minimum=28)
NO_CONTACT_DAYS = env_int("CBTC_NO_CONTACT_DAYS", 21, minimum=1)
CHECK_IN_WINDOW_DAYS = env_int("CBTC_CHECK_IN_WINDOW_DAYS", 90, minimum=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cbtc.audit.context.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("CBTC_LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes logs user names on failure; names are not client data, but keep it quiet.
        "axes": {"level": "WARNING"},
    },
}
