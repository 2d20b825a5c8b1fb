"""A trainee's posting calendar: every occurrence of the posts of their plans (owned or as a teammate), by month
or all of them for the .ics export, with what happened to each and the month's occasions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.campaigns.occasions import Occasion, month_occasions
from bot.services.campaigns.recurrence import occurrences
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.campaigns.dto import OccurrenceDTO, PlanDTO, PostDTO
from storage.uow import Database

YEARS = (2000, 2075)  # months the calendar can show (the Hijri table ends in 2077)


@dataclass(frozen=True, slots=True)
class Entry:
    at: dt.datetime  # UTC
    local: dt.datetime  # in the plan's cohort zone
    plan: PlanDTO
    post: PostDTO
    record: OccurrenceDTO | None


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    today: dt.date
    entries: list[Entry]
    occasions: tuple[Occasion, ...]
    plans: list[PlanDTO]
    owned: list[PlanDTO]
    zone: str


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = month_index(year, month) + delta
    return index // 12, index % 12 + 1


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def months_ahead(today: dt.date, month: tuple[int, int]) -> int:
    """How many months after today's month `month` is (negative: before it)."""
    return month_index(*month) - month_index(today.year, today.month)


class CalendarService:
    def __init__(self, db: Database, default_zone: str, clock: Clock = utc_now) -> None:
        self._db = db
        self._default_zone = default_zone
        self._clock = clock

    async def _entries(self, telegram_id: int) -> tuple[list[PlanDTO], int, list[Entry], str]:
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            if person is None or not person.is_registered:
                raise DomainError(Problem.PERSON_NOT_FOUND)
            plans = await uow.campaigns.plans_for_person(person.id)
            cohorts = {c.id: c for c in await uow.cohorts.by_ids(sorted({p.cohort_id for p in plans}))}
            posts = await uow.campaigns.posts_of_plans([p.id for p in plans])
            records = {
                (r.post_id, r.occurs_at): r for r in await uow.campaigns.occurrences_of_plans([p.id for p in plans])
            }
        by_id = {p.id: p for p in plans}
        entries: list[Entry] = []
        for post in posts:
            plan = by_id[post.plan_id]
            zone = cohorts[plan.cohort_id].timezone if plan.cohort_id in cohorts else self._default_zone
            for moment in occurrences(post.starts_at, zone, post.repeat, post.repeat_until):
                local = moment.astimezone(ZoneInfo(zone))
                entries.append(Entry(moment, local, plan, post, records.get((post.id, moment))))
        entries.sort(key=lambda e: (e.at, e.post.id))
        zone = next(iter(cohorts.values())).timezone if cohorts else self._default_zone
        return plans, person.id, entries, zone

    async def month(self, telegram_id: int, year: int | None = None, month: int | None = None) -> Month:
        """One month (the current one by default) of the person's posts."""
        plans, person_id, entries, zone = await self._entries(telegram_id)
        today = self._clock().astimezone(ZoneInfo(zone)).date()
        year, month = (year or today.year), (month or today.month)
        if not (1 <= month <= 12 and YEARS[0] <= year <= YEARS[1]):
            raise DomainError(Problem.NOT_ALLOWED)
        chosen = [e for e in entries if (e.local.year, e.local.month) == (year, month)]
        owned = [p for p in plans if p.owner_id == person_id]
        return Month(year, month, today, chosen, month_occasions(year, month), plans, owned, zone)

    async def everything(self, telegram_id: int) -> list[Entry]:
        """Every occurrence of every plan of the person, for the .ics export."""
        return (await self._entries(telegram_id))[2]
