"""gettext catalogs per locale, the current locale in a ContextVar (set per update), and locale resolution.

Module constants are marked with `N_()` and translated where they are used: a lazy string inside a
Telegram button cannot be serialised.
"""

from __future__ import annotations

import gettext
import io
import logging
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.settings import SUPPORTED_LOCALES

DOMAIN = "cohortbot"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
RTL_LOCALES = frozenset({"ar"})

log = logging.getLogger(__name__)

_current: ContextVar[str] = ContextVar("cohortbot_locale", default="ar")


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog for a locale; compiled in memory from the .po when no fresh .mo exists."""
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    log.warning("no catalog for locale %s; showing English", locale)
    return gettext.NullTranslations()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in SUPPORTED_LOCALES else SUPPORTED_LOCALES[0])


def current_locale() -> str:
    return _current.get()


def is_rtl(locale: str | None = None) -> bool:
    return (locale or current_locale()) in RTL_LOCALES


def _(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with `_()`."""
    return message


def gettext_for(locale: str, message: str) -> str:
    """Translate for a given recipient (jobs and broadcasts use the recipient's locale, not the update's)."""
    return translations(locale).gettext(message)


def language_from_telegram(code: str | None) -> str | None:
    """Map Telegram's `language_code` ("en", "en-US", "ar") to a supported locale, if any."""
    if not code:
        return None
    try:
        language = Locale.parse(code, sep="-").language
    except (UnknownLocaleError, ValueError):
        return None
    return language if language in SUPPORTED_LOCALES else None


def resolve_locale(stored: str | None, telegram_code: str | None, default: str) -> str:
    """Stored choice first, then the Telegram app language, then the bot's default."""
    if stored in SUPPORTED_LOCALES:
        return stored
    return language_from_telegram(telegram_code) or default
