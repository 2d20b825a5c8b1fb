"""An iCalendar (.ics) file of posts, to import into a phone's calendar (RFC 5545, written with `icalendar`).

Each occurrence is its own event (a repeating post is expanded), so the phone shows exactly the days the bot
reminds on; times are written in UTC, which every calendar app converts to the phone's zone. An alarm goes off
at the post's lead time (or at the time itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

PRODID = "-//cohortbot//campaign planner//EN"
DURATION = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class IcsEvent:
    uid: str  # stable across exports, so a second import updates instead of duplicating
    start: dt.datetime  # aware
    summary: str
    description: str
    alarm_minutes: int | None = None  # before the start; None: at the start


def calendar_ics(events: Iterable[IcsEvent], *, name: str, now: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for item in events:
        if item.start.tzinfo is None:
            raise ValueError("naive start")
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", item.start.astimezone(dt.UTC))
        event.add("dtend", item.start.astimezone(dt.UTC) + DURATION)
        event.add("summary", item.summary)
        event.add("description", item.description)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", -dt.timedelta(minutes=item.alarm_minutes or 0))
        event.add_component(alarm)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
