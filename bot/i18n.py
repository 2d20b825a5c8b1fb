"""gettext catalogs per locale (the .mo files `make catalogs` builds), the current locale in a ContextVar
(set per update), and locale resolution.

Module constants are marked with `N_()` and translated where they are used: a lazy string inside a
Telegram button cannot be serialised.
"""

from __future__ import annotations

import gettext
import logging
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.settings import SUPPORTED_LOCALES, SettingsError

DOMAIN = "cohortbot"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
RTL_LOCALES = frozenset({"ar"})

log = logging.getLogger(__name__)

_current: ContextVar[str] = ContextVar("cohortbot_locale", default="ar")


class CatalogsNotCompiled(SettingsError):
    """A catalog exists only as a .po: it is compiled by `make catalogs` (or the Dockerfile), never at start-up."""


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog (.mo) for a locale; English msgids when the locale has no catalog at all."""
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if not mo_path.exists():
        if po_path.exists():
            raise CatalogsNotCompiled(f"{mo_path} is missing: run `make catalogs` (pybabel compile) first")
        log.warning("no catalog for locale %s; showing English", locale)
        return gettext.NullTranslations()
    if po_path.exists() and mo_path.stat().st_mtime < po_path.stat().st_mtime:
        log.warning("%s is older than its .po; run `make catalogs` to see the latest translations", mo_path)
    with mo_path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def require_catalogs() -> None:
    """Load every supported locale's catalog now, so a missing .mo stops `cohortbot run` with one clear line."""
    for locale in SUPPORTED_LOCALES:
        translations(locale)


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
