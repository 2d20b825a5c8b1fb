"""Posting reminders: planned into the outbox from the posts (the schedule of record), and what people do with them.

Rows are keyed per (post, occurrence, recipient, reminder kind), so planning twice, or again after a restart, adds
nothing. A rolling horizon is planned: at start, on every delivery tick and at once when a post or a team changes.
Rows are never rewritten when a post changes: each one is checked again when it is sent (`load`), and one whose post
moved, whose recipient left the team or whose occurrence was done meanwhile is recorded as skipped with the reason.
Done and Skip close what is still pending for that occurrence, for everyone on the team.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.services.campaigns.recurrence import includes, occurrences
from bot.services.campaigns.rules import SNOOZE, SNOOZES_MAX
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.campaigns.dto import Mark, OccurrenceDTO, PlanDTO, PlannablePost, PostDTO, ProofKind
from storage.dto import CohortDTO, CohortStatus, DeliveryDTO, NewDelivery, PersonDTO
from storage.uow import Database, UnitOfWork

POST_REMIND = "post_remind"
PLAN_NOTE = "plan_note"
HORIZON = dt.timedelta(hours=48)
REPLAN_MARGIN = dt.timedelta(hours=1)  # a post's horizon is extended once it is this close to running out
AT, LEAD = "at", "lead"
CLOSED_BY_ID = 500
MARK_SLACK = dt.timedelta(minutes=5)  # Done or Skip is taken this long before the first reminder could come
NOTE_EXPIRY = dt.timedelta(days=3)  # a comment is news for a few days, not only for the delivery grace window


# The largest occurrence time a button may carry (a forged larger one would overflow `from_stamp`): the year 3000.
STAMP_MAX = 32_503_680_000


def stamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def from_stamp(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def occurrence_prefix(post_id: int, at: dt.datetime) -> str:
    return f"cr:{post_id}:{stamp(at)}:"


def reminder_key(post_id: int, at: dt.datetime, person_id: int, tag: str) -> str:
    """tag: "at", "lead<minutes>" or "z<n>" (the n-th snooze)."""
    return f"{occurrence_prefix(post_id, at)}{person_id}:{tag}"


def first_reminder(post: PostDTO, at: dt.datetime) -> dt.datetime:
    """The earliest moment a reminder for the occurrence at `at` goes out: the lead reminder's, or the post's."""
    return at - dt.timedelta(minutes=post.lead_minutes or 0)


class ReminderGone(Exception):
    """Nothing to send any more; `reason` is recorded (in English, for the logs and /lessonstats-style reports)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Reminder:
    person: PersonDTO
    cohort: CohortDTO
    plan: PlanDTO
    post: PostDTO
    occurs_at: dt.datetime
    tag: str
    remaining: dt.timedelta | None = None  # for a lead reminder: how long until the post, when it is sent

    @property
    def is_lead(self) -> bool:
        return self.tag.startswith(LEAD)

    @property
    def is_snooze(self) -> bool:
        return self.tag.startswith("z")


@dataclass(frozen=True, slots=True)
class Marked:
    first: bool  # False: the occurrence had a record already (which one: `record`)
    record: OccurrenceDTO | None
    by_name: str | None  # who marked it, when it was someone else


def note(
    key: str, person_id: int, chat_id: int, cohort_id: int, now: dt.datetime, payload: dict[str, object]
) -> NewDelivery:
    """A message about a plan (a trainer's comment, an approved proof, a new teammate) through the outbox."""
    return NewDelivery(
        key=key,
        kind=PLAN_NOTE,
        person_id=person_id,
        chat_id=chat_id,
        cohort_id=cohort_id,
        due_at=now,
        expires_at=now + NOTE_EXPIRY,
        ref=f"plan:{payload.get('plan', '')}",
        payload=json.dumps(payload),
    )


class ReminderService:
    def __init__(self, db: Database, grace: dt.timedelta, clock: Clock = utc_now) -> None:
        self._db = db
        self.grace = grace
        self._clock = clock
        self.on_planned: Callable[[], None] = lambda: None

    # ---------------------------------------------------------------------------------------- planning

    async def plan_due(self, now: dt.datetime | None = None) -> int:
        """Extend every post's horizon that is running out; after downtime the gap is planned too (rows past their
        grace window are then recorded as missed by the engine, as lessons are)."""
        now = now or self._clock()
        before = now + HORIZON - REPLAN_MARGIN
        async with self._db.unit_of_work() as uow:
            posts = await uow.campaigns.posts_to_plan(before=before)
            added = await self._plan(uow, posts, now, catch_up=True, bookmarks=len(posts) <= CLOSED_BY_ID)
            if len(posts) > CLOSED_BY_ID:
                await uow.campaigns.bump_planned_until(before, now + HORIZON)  # one statement for them all
            await uow.commit()
        if added:
            self.on_planned()
        return added

    async def plan_posts(self, uow: UnitOfWork, post_ids: Sequence[int], now: dt.datetime) -> int:
        """Right after a change, within the caller's transaction (it commits, then calls `on_planned`)."""
        posts = await uow.campaigns.posts_to_plan(before=now, post_ids=post_ids)
        return await self._plan(uow, posts, now, catch_up=False)

    async def _plan(
        self,
        uow: UnitOfWork,
        posts: Sequence[PlannablePost],
        now: dt.datetime,
        *,
        catch_up: bool,
        bookmarks: bool = True,
    ) -> int:
        if not posts:
            return 0
        end = now + HORIZON
        teams = await uow.campaigns.teammates_of(sorted({p.post.plan_id for p in posts}))
        people = {p.owner_id for p in posts} | {person for team in teams.values() for person in team}
        reachable = await uow.campaigns.reachable(sorted(people))
        afters = {p.post.id: self._after(p.post, now, catch_up) for p in posts}
        if len(posts) > CLOSED_BY_ID:  # many posts (a start, a horizon rolling on): one range query, not IN lists
            closed = await uow.campaigns.closed_between(min(afters.values()), end)
        else:
            closed = await uow.campaigns.closed(list(afters))
        items: list[NewDelivery] = []
        for item in posts:
            post = item.post
            after = afters[post.id]
            recipients = [reachable[p] for p in (item.owner_id, *teams.get(post.plan_id, [])) if p in reachable]
            for moment in occurrences(
                post.starts_at, item.timezone, post.repeat, post.repeat_until, after=after, through=end
            ):
                if (post.id, moment) in closed:
                    continue
                due_times = [(AT, moment)]
                if post.lead_minutes:
                    lead_at = moment - dt.timedelta(minutes=post.lead_minutes)
                    if catch_up or lead_at >= now:
                        due_times.append((f"{LEAD}{post.lead_minutes}", lead_at))
                for tag, due in due_times:
                    items += [
                        NewDelivery(
                            key=reminder_key(post.id, moment, person.person_id, tag),
                            kind=POST_REMIND,
                            person_id=person.person_id,
                            chat_id=person.telegram_id,
                            cohort_id=item.cohort_id,
                            due_at=due,
                            expires_at=due + self.grace,
                            ref=f"post:{post.id}",
                            payload=json.dumps({"post": post.id, "at": stamp(moment), "tag": tag}),
                        )
                        for person in recipients
                    ]
        added = await uow.deliveries.plan(items, now)
        if bookmarks:
            await uow.campaigns.set_planned_until([p.post.id for p in posts], end)
        return added

    @staticmethod
    def _after(post: PostDTO, now: dt.datetime, catch_up: bool) -> dt.datetime:
        """Where planning starts: after a change, now; otherwise the bookmark (or the post's creation), so that
        what fell due while the bot was down gets its rows too (the engine records them as missed past grace)."""
        if not catch_up:
            return now
        return post.planned_until or post.created_at - dt.timedelta(seconds=1)

    # ---------------------------------------------------------------------------------------- sending

    async def load(self, delivery: DeliveryDTO) -> Reminder:
        """What a reminder shows now; raises ReminderGone when it should not go out any more."""
        data = json.loads(delivery.payload)
        if delivery.person_id is None:
            raise ReminderGone("person deleted their data")
        post_id, at, tag = int(data["post"]), from_stamp(int(data["at"])), str(data["tag"])
        async with self._db.unit_of_work() as uow:
            post = await uow.campaigns.post(post_id)
            plan = None if post is None else await uow.campaigns.plan(post.plan_id)
            if post is None or plan is None:
                raise ReminderGone("post deleted")
            cohort = await uow.cohorts.by_id(plan.cohort_id)
            person = await uow.people.by_id(delivery.person_id)
            member = await uow.memberships.get(delivery.person_id, plan.cohort_id)
            record = await uow.campaigns.occurrence(post_id, at)
        if cohort is None or cohort.status is not CohortStatus.ACTIVE:
            raise ReminderGone("cohort ended")
        if person is None or member is None or person.id not in plan.members():
            raise ReminderGone("no longer on the team")
        if not includes(post.starts_at, cohort.timezone, post.repeat, post.repeat_until, at):
            raise ReminderGone("post changed")
        now = self._clock()
        if tag.startswith(LEAD) and (tag != f"{LEAD}{post.lead_minutes}" or at <= now):
            raise ReminderGone("post changed" if tag != f"{LEAD}{post.lead_minutes}" else "post time passed")
        if record is not None:
            raise ReminderGone("post already done" if record.state is Mark.DONE else "post skipped")
        return Reminder(person, cohort, plan, post, at, tag, remaining=at - now if tag.startswith(LEAD) else None)

    # ------------------------------------------------------------------------------------ what people do

    async def _occurrence(
        self, uow: UnitOfWork, telegram_id: int, post_id: int, at: dt.datetime
    ) -> tuple[PersonDTO, PlanDTO, PostDTO, str]:
        person = await uow.people.by_telegram_id(telegram_id)
        if person is None or not person.is_registered:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        post = await uow.campaigns.post(post_id)
        plan = None if post is None else await uow.campaigns.plan(post.plan_id)
        if post is None or plan is None:
            raise DomainError(Problem.POST_NOT_FOUND)
        if person.id not in plan.members():
            raise DomainError(Problem.NOT_ALLOWED)
        cohort = await uow.cohorts.by_id(plan.cohort_id)
        zone = cohort.timezone if cohort else "UTC"
        if not includes(post.starts_at, zone, post.repeat, post.repeat_until, at):
            raise DomainError(Problem.OCCURRENCE_GONE)
        return person, plan, post, zone

    async def mark(self, telegram_id: int, post_id: int, at: dt.datetime, state: Mark) -> Marked:
        """Done or Skip from a reminder (owner or teammate); the first mark counts, pending reminders close."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            person, plan, post, zone = await self._occurrence(uow, telegram_id, post_id, at)
            opens = first_reminder(post, at)
            if now < opens - MARK_SLACK:  # no reminder for it could have come yet: a forged or mistaken press
                raise DomainError(Problem.OCCURRENCE_NOT_YET, at=at.isoformat(), zone=zone)
            first = await uow.campaigns.mark(
                post_id=post.id, plan_id=plan.id, occurs_at=at, state=state, by_id=person.id, now=now
            )
            record = await uow.campaigns.occurrence(post.id, at)
            by_name = None
            if not first and record is not None and record.by_id not in (None, person.id):
                by_name = (await uow.campaigns.names([record.by_id])).get(record.by_id or 0)
            if first:
                reason = "post marked done" if state is Mark.DONE else "post skipped"
                await uow.campaigns.close_reminders(occurrence_prefix(post.id, at), reason, now)
            await uow.commit()
        return Marked(first, record, by_name)

    async def snooze(self, telegram_id: int, post_id: int, at: dt.datetime) -> tuple[dt.datetime, str] | None:
        """The same reminder again in an hour, for this person: (when, the cohort's zone); None after SNOOZES_MAX."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            person, plan, post, zone = await self._occurrence(uow, telegram_id, post_id, at)
            record = await uow.campaigns.occurrence(post.id, at)
            if record is not None:
                raise DomainError(Problem.OCCURRENCE_GONE, closed=record.state.value)
            prefix = f"{occurrence_prefix(post.id, at)}{person.id}:z"
            count = await uow.campaigns.count_keys(prefix)
            if count >= SNOOZES_MAX:
                return None
            due = now + SNOOZE
            await uow.deliveries.plan(
                [
                    NewDelivery(
                        key=f"{prefix}{count + 1}",
                        kind=POST_REMIND,
                        person_id=person.id,
                        chat_id=telegram_id,
                        cohort_id=plan.cohort_id,
                        due_at=due,
                        expires_at=due + self.grace,
                        ref=f"post:{post.id}",
                        payload=json.dumps({"post": post.id, "at": stamp(at), "tag": f"z{count + 1}"}),
                    )
                ],
                now,
            )
            await uow.commit()
        self.on_planned()
        return due, zone

    async def add_proof(self, telegram_id: int, post_id: int, at: dt.datetime, kind: ProofKind, value: str) -> bool:
        """A link or a screenshot for an occurrence marked done; False when it is not (or no longer) done."""
        async with self._db.unit_of_work() as uow:
            await self._occurrence(uow, telegram_id, post_id, at)
            record = await uow.campaigns.occurrence(post_id, at)
            if record is None or record.state is not Mark.DONE:
                return False
            await uow.campaigns.set_proof(record.id, kind, value, self._clock())
            await uow.commit()
        return True
