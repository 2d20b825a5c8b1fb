"""Builds the Application from settings. Nothing happens at import time."""

from __future__ import annotations

import datetime as dt
import logging

from telegram.ext import ApplicationBuilder, ContextTypes

from bot.attendance_wiring import attendance_settings
from bot.context import SERVICES_KEY, Services, services_in
from bot.delivery.signal import OutboxSignal
from bot.delivery.wiring import start_delivery, stop_delivery
from bot.persistence import SqlPersistence
from bot.services.attendance import AttendanceReports, AttendanceService
from bot.services.broadcasts import BroadcastService
from bot.services.campaigns.feature import build_campaigns
from bot.services.clock import Clock, utc_now
from bot.services.lessons import LessonService, LessonSettings
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.stats import LessonStatsService
from bot.services.people import CohortService, PeopleService, RegistrationService, RoleService
from bot.settings import Settings
from handlers import install as install_handlers
from handlers.core.access import ADMITTED_UPDATES
from handlers.core.context import BotApplication, BotContext
from handlers.core.feature import Features
from handlers.core.menus import publish_defaults, refresh_privileged_menus
from storage.uow import Database

log = logging.getLogger(__name__)
__all__ = ["ADMITTED_UPDATES", "build_application", "build_services", "on_shutdown", "on_startup", "on_stop"]

HEARTBEAT_SECONDS = 30
META = "meta"
BOT_USERNAME_KEY = "bot_username"
FEATURES_KEY = "features"


def lesson_settings(settings: Settings) -> LessonSettings:
    return LessonSettings(
        grace=dt.timedelta(hours=settings.delivery_grace_hours),
        nudge_time=settings.lesson_nudge_time,
        quiz_delay=dt.timedelta(seconds=settings.quiz_delay_seconds),
        later_delay=dt.timedelta(hours=settings.lesson_later_hours),
    )


def build_services(settings: Settings, db: Database, clock: Clock = utc_now) -> Services:
    curricula = CurriculumService(db, clock)
    outbox = OutboxSignal()
    lessons = LessonService(db, curricula, lesson_settings(settings), clock)
    lessons.on_planned = outbox.planned
    attendance = AttendanceService(db, attendance_settings(settings), clock)
    attendance.on_planned = outbox.planned
    broadcasts = BroadcastService(db, clock, absent=attendance.absent_from_last_session)
    broadcasts.on_planned = outbox.planned
    campaigns = build_campaigns(
        db,
        grace=dt.timedelta(hours=settings.delivery_grace_hours),
        default_zone=settings.bot_timezone,
        on_planned=outbox.planned,
        clock=clock,
    )
    lesson_stats = LessonStatsService(db, lessons, clock)
    lesson_stats.extra_done = campaigns.review.done_counts  # campaign posts done count in /progress
    return Services(
        settings=settings,
        db=db,
        cohorts=CohortService(db, clock),
        roles=RoleService(db, clock),
        registration=RegistrationService(db, clock, lessons),
        people=PeopleService(db, clock),
        curricula=curricula,
        lessons=lessons,
        lesson_stats=lesson_stats,
        outbox=outbox,
        broadcasts=broadcasts,
        campaigns=campaigns,
        attendance=attendance,
        attendance_reports=AttendanceReports(db, clock),
    )


def build_application(settings: Settings, *, db: Database | None = None, clock: Clock = utc_now) -> BotApplication:
    """The bot, wired to its database. The schema must be current (see `bot.runtime.prepare_database`)."""
    database = db or Database(settings.database_url)
    services = build_services(settings, database, clock)
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .persistence(SqlPersistence(database, update_interval=settings.persistence_interval))
        .concurrent_updates(settings.concurrent_updates)
        .post_init(on_startup)
        .post_stop(on_stop)
        .post_shutdown(on_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[FEATURES_KEY] = install_handlers(application)
    return application


def services_of(application: BotApplication) -> Services:
    return services_in(application.bot_data)


def features_of(application: BotApplication) -> Features:
    features = application.bot_data[FEATURES_KEY]
    assert isinstance(features, Features)
    return features


async def on_startup(application: BotApplication) -> None:
    """After initialize (getMe done): remember the username for the CLI, publish menus and descriptions."""
    services = services_of(application)
    async with services.db.unit_of_work() as uow:
        await uow.state.put(META, BOT_USERNAME_KEY, application.bot.username)
        await uow.commit()
    await publish_defaults(application.bot, services)
    if application.job_queue is not None:
        # Per-chat menus can be many calls: run them once the bot is answering updates, not before.
        # APScheduler skips a job more than 1 s late by default; start-up can take longer than that.
        late_ok = {"misfire_grace_time": None, "coalesce": True}
        application.job_queue.run_once(refresh_menus, 0, name="chat-menus", job_kwargs=late_ok)
        # An interval trigger whose start passed before the scheduler started waits a whole interval: beat once now.
        application.job_queue.run_once(beat, 0, name="heartbeat-first", job_kwargs=late_ok)
        application.job_queue.run_repeating(beat, HEARTBEAT_SECONDS, name="heartbeat", job_kwargs=late_ok)
    features = features_of(application)
    await start_delivery(application, features.kinds(services), features.bulk_kinds())
    await features.start(application)  # their alarms, rebuilt from the database
    log.info("bot @%s ready", application.bot.username)


async def refresh_menus(context: BotContext) -> None:
    await refresh_privileged_menus(context.bot, context.services)


async def beat(context: BotContext) -> None:
    """Prove liveness to the container's HEALTHCHECK (`cohortbot health`)."""
    path = context.services.settings.bot_heartbeat_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


async def on_stop(application: BotApplication) -> None:
    """Before the bot's connections close: the engine finishes (and records) what is in flight."""
    await stop_delivery(application)


async def on_shutdown(application: BotApplication) -> None:
    await services_of(application).db.dispose()
