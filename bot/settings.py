"""Typed settings, read from the environment or `.env` only when `load_settings()` is called."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LOCALES = ("ar", "en")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# What each variable expects, quoted in start-up errors.
_EXPECTED = {
    "TELEGRAM_BOT_TOKEN": "the token @BotFather gave you, like 123456:ABC-DEF...",
    "TELEGRAM_API_BASE_URL": "a URL such as https://api.telegram.org/bot",
    "TELEGRAM_API_BASE_FILE_URL": "a URL such as https://api.telegram.org/file/bot",
    "DATABASE_URL": "an SQLAlchemy async URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...",
    "BOT_TIMEZONE": "an IANA time zone such as Asia/Baghdad",
    "BOT_DEFAULT_LOCALE": "one of: " + ", ".join(SUPPORTED_LOCALES),
    "BOT_COORDINATORS": "comma-separated numeric Telegram user ids, such as 12345,67890",
    "WEBHOOK_URL": "an https URL that Telegram can reach",
    "WEBHOOK_SECRET": "1-256 characters of A-Z a-z 0-9 _ -",
    "WEBHOOK_LISTEN": "an address to listen on, such as 0.0.0.0",
    "WEBHOOK_PORT": "a port number from 1 to 65535",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "DELIVERY_RATE": "messages per second overall, a number above 0 and at most 30 (default 25)",
    "DELIVERY_CHAT_INTERVAL": "seconds between two messages to one person, at least 0.1 (default 1)",
    "DELIVERY_GROUP_PER_MINUTE": "messages per minute to one group, 1 to 20 (default 18)",
    "DELIVERY_MAX_IN_FLIGHT": "requests in flight at once, 1 to 100 (default 8)",
    "DELIVERY_GRACE_HOURS": "hours after which a missed item is skipped, above 0 (default 6)",
    "LESSON_NUDGE_TIME": "a time HH:MM for the evening nudge (default 21:00)",
    "QUIZ_DELAY_SECONDS": "seconds between a lesson and its quiz, at least 1 (default 2)",
    "LESSON_LATER_HOURS": "hours until a lesson put off with Later comes back, above 0 (default 2)",
    "CURRICULUM_DIR": "a folder path, such as curriculum (its *.yaml files are imported at start)",
    "CHECKIN_WINDOW_MINUTES": "minutes a check-in stays open, 1 to 240 (default 15)",
    "CHECKIN_LATE_MINUTES": "minutes after a session's start when check-ins turn late, 0 to 240 (default 10)",
    "CHECKIN_CODE_DIGITS": "digits in a check-in code, 4 to 6 (default 4)",
    "CHECKIN_ROTATE_MINUTES": "minutes between two codes when a check-in rotates its code, 1 to 60 (default 2)",
    "CHECKIN_ROTATE_DEFAULT": "on or off: whether a new check-in rotates its code (default off)",
    "CHECKIN_MAX_WRONG_CODES": "wrong codes one person may type per CHECKIN_WRONG_CODE_MINUTES, 1 to 50 (default 5)",
    "CHECKIN_WRONG_CODE_MINUTES": "the window of the wrong-code limit in minutes, 1 to 1440 (default 10)",
}

NO_TOKEN_MESSAGE = (
    "TELEGRAM_BOT_TOKEN is not set: open Telegram, talk to @BotFather, send /newbot, "  # noqa: S105
    "then put the token it gives you in .env as TELEGRAM_BOT_TOKEN=... (see .env.example)."
)


class SettingsError(Exception):
    """A configuration problem, with one line meant for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr = Field(default=SecretStr(""))
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_base_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = "sqlite+aiosqlite:///data/cohortbot.db"
    bot_timezone: str = "Asia/Baghdad"
    bot_default_locale: Literal["ar", "en"] = "ar"
    bot_coordinators: Annotated[tuple[int, ...], NoDecode] = ()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook must listen beyond loopback
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Seconds between flushes of conversation state; small so a crash loses little.
    persistence_interval: float = Field(default=1.0, gt=0)
    # Touched every HEARTBEAT_SECONDS while running; `cohortbot health` checks its age.
    bot_heartbeat_file: Path = Path("data/heartbeat")
    # Updates handled at once; replies never wait behind someone else's update.
    concurrent_updates: int = Field(default=32, ge=1, le=256)
    # The outbox sender's pace (Telegram: ~30/s overall, ~1/s per chat, 20/min per group) and its retry policy
    delivery_rate: float = Field(default=25.0, gt=0, le=30)
    delivery_chat_interval: float = Field(default=1.0, ge=0.1, le=60)
    delivery_group_per_minute: int = Field(default=18, ge=1, le=20)
    delivery_max_in_flight: int = Field(default=8, ge=1, le=100)
    delivery_grace_hours: float = Field(default=6.0, gt=0, le=168)
    lesson_nudge_time: dt.time = dt.time(21, 0)
    quiz_delay_seconds: float = Field(default=2.0, ge=1, le=3600)
    lesson_later_hours: float = Field(default=2.0, gt=0, le=48)
    # Every *.yaml / *.yml here is imported at start (skipped when the folder does not exist).
    curriculum_dir: Path = Path("curriculum")
    # Session check-ins: how long the code works, when "late" begins, the code's size and rotation, wrong-code limit
    checkin_window_minutes: int = Field(default=15, ge=1, le=240)
    checkin_late_minutes: int = Field(default=10, ge=0, le=240)
    checkin_code_digits: int = Field(default=4, ge=4, le=6)
    checkin_rotate_minutes: int = Field(default=2, ge=1, le=60)
    checkin_rotate_default: bool = False
    checkin_max_wrong_codes: int = Field(default=5, ge=1, le=50)
    checkin_wrong_code_minutes: int = Field(default=10, ge=1, le=1440)

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @field_validator("bot_coordinators", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            # Telegram ids are positive and below 2**52 (16 digits at most: counted before int())
            if not all(p.isascii() and p.isdigit() and len(p) <= 16 and 0 < int(p) < 2**52 for p in parts):
                raise ValueError("not numeric Telegram ids")
            return tuple(int(p) for p in parts)
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("unsupported driver")
        return value

    @field_validator("telegram_api_base_url", "telegram_api_base_file_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value or None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("bad characters")
        return value

    @field_validator("curriculum_dir")
    @classmethod
    def _folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError("not a folder")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for SQLite URLs, None for in-memory or other databases."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)

    def require_token(self) -> str:
        token = self.telegram_bot_token.get_secret_value().strip()
        if not token:
            raise SettingsError(NO_TOKEN_MESSAGE)
        return token


def load_settings(**overrides: object) -> Settings:
    """Read settings; any bad value becomes one SettingsError line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        variable = field.upper()
        expected = _EXPECTED.get(variable, first["msg"])
        raise SettingsError(f"{variable} is invalid: expected {expected}.") from None
