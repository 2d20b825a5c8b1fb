"""The delivery engine inside the Application, and the JobQueue as its alarm clock.

At start: what was in flight goes back to pending, lessons that fell due while the bot was down are planned (the
engine sends them if still within grace, else records them as skipped), and one alarm per cohort is set for its next
lesson and its next nudge. Every alarm is rebuilt from the database; none is stored anywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

from telegram.ext import JobQueue

from bot.context import services_in
from bot.delivery.engine import DeliveryEngine, DeliveryKind, EngineSettings
from bot.delivery.pacing import Limits
from bot.ptb import AnyApplication, AnyContext
from bot.services.lessons import LESSON
from bot.settings import Settings

log = logging.getLogger(__name__)

ENGINE_KEY = "delivery_engine"
TICK_SECONDS = 60  # a safety net: cohorts created from the CLI, changed settings, a lost alarm
LATE_OK: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}


def engine_settings(settings: Settings) -> EngineSettings:
    return EngineSettings(
        limits=Limits(
            per_second=settings.delivery_rate,
            chat_interval=settings.delivery_chat_interval,
            group_per_minute=settings.delivery_group_per_minute,
        ),
        max_in_flight=settings.delivery_max_in_flight,
    )


def engine_of(application: AnyApplication) -> DeliveryEngine | None:
    engine = application.bot_data.get(ENGINE_KEY)
    return engine if isinstance(engine, DeliveryEngine) else None


async def start_delivery(
    application: AnyApplication, kinds: Mapping[str, DeliveryKind], bulk_kinds: Collection[str] = ()
) -> DeliveryEngine:
    """`kinds`: every feature's outbox kinds, `bulk_kinds` those sent after personal items (collected by the
    composition root, bot.app)."""
    services = services_in(application.bot_data)
    engine = DeliveryEngine(
        services.db, application.bot, kinds, engine_settings(services.settings), bulk_kinds=bulk_kinds
    )
    application.bot_data[ENGINE_KEY] = engine
    services.outbox.connect(engine.wake)
    await engine.start()
    planned = await services.lessons.plan_due()
    planned += await services.lessons.plan_nudges()
    if planned:
        log.info("%d lesson items planned at start", planned)
    reminders = await services.campaigns.reminders.plan_due()  # the posting reminders' rolling horizon
    if reminders:
        log.info("%d campaign reminders planned at start", reminders)
    if application.job_queue is not None:
        await set_alarms(application)
        application.job_queue.run_repeating(
            tick, TICK_SECONDS, first=TICK_SECONDS, name="delivery-tick", job_kwargs=LATE_OK
        )
    return engine


async def stop_delivery(application: AnyApplication) -> None:
    engine = engine_of(application)
    if engine is not None:
        await engine.stop()


async def set_alarms(application: AnyApplication) -> None:
    """One alarm per cohort for its next lesson and one for its next nudge (replacing older ones)."""
    job_queue: JobQueue[Any] | None = application.job_queue
    if job_queue is None:
        return
    services = services_in(application.bot_data)
    wanted = {
        f"{what}-alarm:{cohort_id}": (what, when) for what, cohort_id, when in await services.lessons.next_alarms()
    }
    for job in job_queue.jobs():
        if job.name and "-alarm:" in job.name and job.name not in wanted:  # an ended cohort, a finished curriculum
            job.schedule_removal()
    for name, (what, when) in wanted.items():
        current = job_queue.get_jobs_by_name(name)
        if current and current[0].next_t == when:
            continue
        for job in current:
            job.schedule_removal()
        job_queue.run_once(alarm, when, data=what, name=name, job_kwargs=LATE_OK)


async def alarm(context: AnyContext) -> None:
    """A cohort's lesson time or nudge time: plan what is due, wake the engine, set the next alarm."""
    services = services_in(context.application.bot_data)
    what = context.job.data if context.job is not None else LESSON
    if what == LESSON:
        await services.lessons.plan_due()
    else:
        await services.lessons.plan_nudges()
    application = context.application
    engine = engine_of(application)
    if engine is not None:
        engine.wake()
    await set_alarms(application)


async def tick(context: AnyContext) -> None:
    services = services_in(context.application.bot_data)
    await services.lessons.plan_due()
    await services.lessons.plan_nudges()
    await services.campaigns.reminders.plan_due()
    application = context.application
    engine = engine_of(application)
    if engine is not None:
        engine.wake()
    await set_alarms(application)
