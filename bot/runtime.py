"""Start-up steps shared by `cohortbot run`, the tests and the benchmarks."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.app import ADMITTED_UPDATES, build_application, on_shutdown, on_startup, on_stop
from bot.ptb import AnyApplication
from bot.services.access import OPERATOR
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.curriculum import CurriculumError
from bot.services.people import RoleService
from bot.settings import Settings, SettingsError
from storage import migrate
from storage.uow import Database

log = logging.getLogger(__name__)


async def prepare_database(settings: Settings, *, curricula: bool = True) -> None:
    """Migrations, the configured coordinators, CURRICULUM_DIR's curricula; before the Application loads its state.

    The CLI's management commands pass `curricula=False`: they do only what they say."""
    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db.engine)
        added = await RoleService(db).seed_coordinators(settings.bot_coordinators)
        if added:
            log.info("%d coordinator(s) added from BOT_COORDINATORS", len(added))
        if curricula:
            await import_curricula(db, settings.curriculum_dir)
    finally:
        await db.dispose()


async def import_curricula(db: Database, folder: Path) -> None:
    """Import every curriculum file of the folder; any invalid file stops start-up and nothing is imported."""
    if not await asyncio.to_thread(folder.is_dir):
        log.info("no curriculum folder %s (CURRICULUM_DIR): nothing imported at start", folder)
        return
    try:
        results = await CurriculumService(db).import_folder(OPERATOR, folder)  # start-up acts as the operator
    except CurriculumError as error:
        raise SettingsError(
            f"CURRICULUM_DIR {folder}: nothing was imported; fix these problems "
            f"(check a file with `cohortbot curriculum validate FILE`):\n{error}"
        ) from None
    for path, result in results:
        found = result.curriculum
        log.info("curriculum %s v%d from %s: %s", found.slug, found.version, path, result.status.value)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """How to listen for Telegram's webhook calls; requests without the secret header are rejected."""
    assert settings.webhook_url is not None
    if settings.webhook_secret is None:
        raise SettingsError(
            "WEBHOOK_SECRET is invalid: expected 1-256 characters of A-Z a-z 0-9 _ - (required with WEBHOOK_URL)."
        )
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.get_secret_value(),
        "allowed_updates": list(ADMITTED_UPDATES),
    }


def run(settings: Settings) -> None:
    """Run until stopped: long polling, or a webhook when WEBHOOK_URL is set."""
    application = build_application(settings)
    if settings.webhook_url:
        application.run_webhook(**webhook_options(settings))
    else:
        application.run_polling(allowed_updates=list(ADMITTED_UPDATES), bootstrap_retries=-1)


class BotRunner:
    """The same lifecycle as `run_polling`, under the caller's event loop (tests, benchmarks)."""

    def __init__(self, application: AnyApplication, *, poll_timeout: float = 1.0) -> None:
        self.application = application
        self._poll_timeout = poll_timeout

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        await on_startup(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=int(self._poll_timeout), allowed_updates=list(ADMITTED_UPDATES)
        )
        await app.start()

    async def stop(self) -> None:
        app = self.application
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            await on_stop(app)
        await app.shutdown()
        await on_shutdown(app)
