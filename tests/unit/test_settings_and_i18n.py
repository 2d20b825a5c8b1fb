"""Settings validation messages and locale resolution."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest

from bot import i18n
from bot.i18n import gettext_for, language_from_telegram, resolve_locale
from bot.settings import SettingsError, load_settings


def test_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///data/cohortbot.db"
    assert settings.bot_timezone == "Asia/Baghdad"
    assert settings.bot_default_locale == "ar"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TIMEZONE", "Mars/Olympus"),
        ("BOT_DEFAULT_LOCALE", "fr"),
        ("BOT_COORDINATORS", "12,abc"),
        ("DATABASE_URL", "mysql://x"),
        ("WEBHOOK_PORT", "70000"),
        ("WEBHOOK_SECRET", "has spaces"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert str(caught.value).startswith(f"{variable} is invalid: expected ")


def test_coordinators_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_COORDINATORS", " 12, 34 ")
    assert load_settings(_env_file=None).bot_coordinators == (12, 34)


def test_missing_token_explains_botfather() -> None:
    with pytest.raises(SettingsError, match="@BotFather"):
        load_settings(_env_file=None, telegram_bot_token="").require_token()


def test_locale_resolution_order() -> None:
    assert resolve_locale("en", "ar", "ar") == "en"
    assert resolve_locale(None, "en-US", "ar") == "en"
    assert resolve_locale(None, "fr", "ar") == "ar"
    assert resolve_locale(None, None, "en") == "en"
    assert language_from_telegram("not a code!") is None


def test_arabic_catalog_translates() -> None:
    assert gettext_for("ar", "Change the language") != "Change the language"
    assert gettext_for("en", "Change the language") == "Change the language"


def test_a_catalog_never_compiled_stops_with_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Catalogs are compiled by `make catalogs` (and the Dockerfile), not at start-up."""
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(i18n.LOCALES_DIR / "ar" / "LC_MESSAGES" / "cohortbot.po", folder)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with pytest.raises(i18n.CatalogsNotCompiled, match="make catalogs") as raised:
            i18n.require_catalogs()
        assert isinstance(raised.value, SettingsError)  # `cohortbot run` prints it as one line
        assert isinstance(i18n.translations("en"), gettext.NullTranslations)  # no catalog at all: English
    finally:
        i18n.translations.cache_clear()
