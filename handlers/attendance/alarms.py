"""Check-ins and the JobQueue: one alarm per open check-in for its closing and one for its next code.

The alarms only wake the service, which decides from the database; they are rebuilt from the database at start (a
check-in that closed or rotated while the bot was down is caught up at once) and after every change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from bot.context import services_in
from handlers.core.context import BotApplication, BotContext

PREFIX = "checkin-"  # job names: checkin-close:<id>, checkin-rotate:<id>
LATE_OK: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}


async def set_checkin_alarms(application: BotApplication) -> None:
    """The alarms the database asks for, replacing the ones it no longer does."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    wanted = {
        f"{PREFIX}{alarm.what}:{alarm.checkin_id}": alarm
        for alarm in await services_in(application.bot_data).attendance.alarms()
    }
    for job in job_queue.jobs():
        if job.name and job.name.startswith(PREFIX) and job.name not in wanted:
            job.schedule_removal()
    now = dt.datetime.now(dt.UTC)
    for name, alarm in wanted.items():
        current = job_queue.get_jobs_by_name(name)
        if current and current[0].next_t == alarm.when:
            continue
        for job in current:
            job.schedule_removal()
        when = max(alarm.when, now)  # overdue (the bot was down): at once
        job_queue.run_once(checkin_alarm, when, data=(alarm.what, alarm.checkin_id), name=name, job_kwargs=LATE_OK)


async def checkin_alarm(context: BotContext) -> None:
    if context.job is None:
        return
    what, checkin_id = cast(tuple[str, int], context.job.data)
    attendance = context.services.attendance
    if what == "close":
        await attendance.close_due(int(checkin_id))
    else:
        await attendance.rotate_due(int(checkin_id))
    await set_checkin_alarms(cast(BotApplication, context.application))
