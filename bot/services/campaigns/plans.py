"""Campaign plans and their posts: what trainees build with /campaign. No Telegram here.

A plan belongs to one cohort and one owner; teammates are trainees of the same cohort. Only the owner changes the
plan and its posts; the owner and teammates get the reminders and may mark posts done. Every change is checked
against the rules in `rules` and changes nothing when refused; reminders are planned in the same
transaction as the change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.campaigns.occasions import on_day
from bot.services.campaigns.reminders import ReminderService, note
from bot.services.campaigns.rules import (
    OCCASION_TIME,
    PLANS_PER_TRAINEE,
    TEAMMATES_MAX,
    PlanFields,
    PlanStats,
    PostFields,
    check_moment,
    check_plan,
    check_post,
    plan_stats,
)
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.campaigns.dto import CommentDTO, OccurrenceDTO, PlanDTO, PostDTO, PostKind
from storage.dto import CohortDTO, CohortStatus, PersonDTO, Role
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: PlanDTO
    cohort: CohortDTO
    names: dict[int, str]  # person id → name, for the owner and the teammates
    posts: list[PostDTO]
    records: list[OccurrenceDTO]
    comments: list[CommentDTO]
    stats: PlanStats
    viewer_id: int
    removed: tuple[PostDTO, ...] = ()  # deleted posts kept for their marks (a trainer's review shows their proofs)

    @property
    def is_owner(self) -> bool:
        return self.viewer_id == self.plan.owner_id

    @property
    def zone(self) -> str:
        return self.cohort.timezone


@dataclass(frozen=True, slots=True)
class Choice:
    person_id: int
    name: str
    chosen: bool


async def plan_view(uow: UnitOfWork, plan: PlanDTO, viewer_id: int, now: dt.datetime, grace: dt.timedelta) -> PlanView:
    cohort = await uow.cohorts.by_id(plan.cohort_id)
    if cohort is None:
        raise DomainError(Problem.PLAN_NOT_FOUND)
    stored = await uow.campaigns.posts_of_plans([plan.id], with_deleted=True)
    posts = [p for p in stored if p.deleted_at is None]
    records = await uow.campaigns.occurrences_of_plans([plan.id])
    return PlanView(
        plan=plan,
        cohort=cohort,
        names=await uow.campaigns.names(plan.members()),
        posts=posts,
        records=records,
        comments=await uow.campaigns.comments([plan.id]),
        stats=plan_stats(posts, records, cohort.timezone, now, grace),
        viewer_id=viewer_id,
        removed=tuple(p for p in stored if p.deleted_at is not None),
    )


class CampaignService:
    def __init__(self, db: Database, reminders: ReminderService, clock: Clock = utc_now) -> None:
        self._db = db
        self._reminders = reminders
        self._clock = clock

    # ------------------------------------------------------------------------------------------ helpers

    async def _person(self, uow: UnitOfWork, telegram_id: int) -> PersonDTO:
        person = await uow.people.by_telegram_id(telegram_id)
        if person is None or not person.is_registered:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        return person

    async def _plan(
        self, uow: UnitOfWork, telegram_id: int, plan_id: int, *, owner: bool, lock: bool = False
    ) -> tuple[PersonDTO, PlanDTO]:
        """The person and the plan they may see (or change, `owner`); `lock` it when its limits are checked."""
        person = await self._person(uow, telegram_id)
        plan = await uow.campaigns.plan(plan_id, lock=lock)
        if plan is None or person.id not in plan.members():
            raise DomainError(Problem.PLAN_NOT_FOUND)
        if owner and plan.owner_id != person.id:
            raise DomainError(Problem.NOT_PLAN_OWNER)
        return person, plan

    async def _cohort(self, uow: UnitOfWork, cohort_id: int) -> CohortDTO:
        cohort = await uow.cohorts.by_id(cohort_id)
        if cohort is None:
            raise DomainError(Problem.PLAN_NOT_FOUND)
        return cohort

    async def _view(self, uow: UnitOfWork, person: PersonDTO, plan: PlanDTO) -> PlanView:
        return await plan_view(uow, plan, person.id, self._clock(), self._reminders.grace)

    def today(self, zone: str) -> dt.date:
        return self._clock().astimezone(ZoneInfo(zone)).date()

    # ------------------------------------------------------------------------------------------- plans

    async def trainee_cohorts(self, telegram_id: int) -> list[CohortDTO]:
        """Active cohorts the person is a trainee of: where a plan can be made."""
        async with self._db.unit_of_work() as uow:
            person = await self._person(uow, telegram_id)
            memberships = [m for m in await uow.memberships.for_person(person.id) if m.role is Role.TRAINEE]
            cohorts = await uow.cohorts.by_ids([m.cohort_id for m in memberships])
        return [c for c in cohorts if c.status is CohortStatus.ACTIVE]

    async def create(self, telegram_id: int, cohort_id: int, fields: PlanFields) -> PlanDTO:
        check_plan(fields)
        async with self._db.unit_of_work() as uow:
            await uow.people.lock(telegram_id)  # the plans counted below: one creation at a time per person
            person = await self._person(uow, telegram_id)
            membership = await uow.memberships.get(person.id, cohort_id)
            cohort = await uow.cohorts.by_id(cohort_id)
            if membership is None or membership.role is not Role.TRAINEE or cohort is None:
                raise DomainError(Problem.NOT_ALLOWED)
            if cohort.status is not CohortStatus.ACTIVE:
                raise DomainError(Problem.COHORT_ENDED, name=cohort.name)
            if await uow.campaigns.owned_count(person.id) >= PLANS_PER_TRAINEE:
                raise DomainError(Problem.PLAN_LIMIT, limit=PLANS_PER_TRAINEE)
            plan = await uow.campaigns.add_plan(
                owner_id=person.id, cohort_id=cohort_id, now=self._clock(), **dataclasses.asdict(fields)
            )
            await uow.commit()
        return plan

    async def plans(self, telegram_id: int) -> list[PlanView]:
        """The person's plans, owned and as a teammate."""
        async with self._db.unit_of_work() as uow:
            person = await self._person(uow, telegram_id)
            return [await self._view(uow, person, plan) for plan in await uow.campaigns.plans_for_person(person.id)]

    async def view(self, telegram_id: int, plan_id: int) -> PlanView:
        async with self._db.unit_of_work() as uow:
            person, plan = await self._plan(uow, telegram_id, plan_id, owner=False)
            return await self._view(uow, person, plan)

    async def update(self, telegram_id: int, plan_id: int, **changes: object) -> PlanDTO:
        """Change some of a plan's fields (owner only); checked as a whole, nothing changes when refused."""
        async with self._db.unit_of_work() as uow:
            _person, plan = await self._plan(uow, telegram_id, plan_id, owner=True, lock=True)
            current = PlanFields(**{f.name: getattr(plan, f.name) for f in dataclasses.fields(PlanFields)})
            fields = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
            check_plan(fields)
            posts = await uow.campaigns.posts_of_plans([plan.id])
            if any(post.platform not in fields.platforms for post in posts):
                raise DomainError(Problem.CAMPAIGN_PLATFORMS, in_use=True)
            await uow.campaigns.update_plan(plan.id, self._clock(), **{k: getattr(fields, k) for k in changes})
            updated = await uow.campaigns.plan(plan.id)
            await uow.commit()
        assert updated is not None
        return updated

    # --------------------------------------------------------------------------------------- teammates

    async def team_choices(self, telegram_id: int, plan_id: int) -> list[Choice]:
        """The cohort's other trainees, with whether each is on the team (chosen by button, never by username)."""
        async with self._db.unit_of_work() as uow:
            person, plan = await self._plan(uow, telegram_id, plan_id, owner=True)
            members = await uow.memberships.members(plan.cohort_id, Role.TRAINEE)
        return [
            Choice(p.id, p.full_name or "?", p.id in plan.teammates)
            for _m, p in members
            if p.id != person.id and p.is_registered
        ]

    async def toggle_teammate(self, telegram_id: int, plan_id: int, person_id: int) -> bool:
        """Add or remove a teammate; True when added. Only trainees of the plan's cohort can be added."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            owner, plan = await self._plan(uow, telegram_id, plan_id, owner=True, lock=True)
            if person_id in plan.teammates:
                await uow.campaigns.remove_teammate(plan.id, person_id)
                await uow.commit()
                return False
            mate = await uow.people.by_id(person_id)
            membership = await uow.memberships.get(person_id, plan.cohort_id)
            if (
                mate is None
                or not mate.is_registered
                or person_id == owner.id
                or membership is None
                or membership.role is not Role.TRAINEE
            ):
                raise DomainError(Problem.TEAMMATE_OTHER_COHORT)
            if len(plan.teammates) >= TEAMMATES_MAX:
                raise DomainError(Problem.TEAM_LIMIT, limit=TEAMMATES_MAX)
            await uow.campaigns.add_teammate(plan.id, person_id, now)
            posts = await uow.campaigns.posts_of_plans([plan.id])
            await self._reminders.plan_posts(uow, [p.id for p in posts], now)
            payload: dict[str, object] = {"type": "team", "plan": plan.id}
            key = f"pn:team:{plan.id}:{person_id}:{int(now.timestamp())}"
            await uow.deliveries.plan([note(key, mate.id, mate.telegram_id, plan.cohort_id, now, payload)], now)
            await uow.commit()
        self._reminders.on_planned()
        return True

    # ------------------------------------------------------------------------------------------- posts

    async def check_slot(self, telegram_id: int, plan_id: int, moment: dt.datetime, post_id: int | None = None) -> None:
        """Early feedback while a post is being added (or `post_id` moved): the moment is ahead, and its day is not
        full without that post."""
        async with self._db.unit_of_work() as uow:
            _person, plan = await self._plan(uow, telegram_id, plan_id, owner=True)
            cohort = await self._cohort(uow, plan.cohort_id)
            check_moment(moment, self._clock())
            posts = [p for p in await uow.campaigns.posts_of_plans([plan.id]) if p.id != post_id]
        probe = PostFields(moment, PostKind.CAMPAIGN, plan.platforms[0], "-")
        check_post(probe, plan.platforms, cohort.timezone, self._clock(), posts)

    async def zone_of(self, telegram_id: int, plan_id: int) -> str:
        async with self._db.unit_of_work() as uow:
            _person, plan = await self._plan(uow, telegram_id, plan_id, owner=False)
            return (await self._cohort(uow, plan.cohort_id)).timezone

    async def add_post(self, telegram_id: int, plan_id: int, fields: PostFields) -> PostDTO:
        now = self._clock()
        fields = dataclasses.replace(fields, starts_at=fields.starts_at.replace(microsecond=0))
        async with self._db.unit_of_work() as uow:
            _person, plan = await self._plan(uow, telegram_id, plan_id, owner=True, lock=True)
            cohort = await self._cohort(uow, plan.cohort_id)
            if cohort.status is not CohortStatus.ACTIVE:
                raise DomainError(Problem.COHORT_ENDED, name=cohort.name)
            others = await uow.campaigns.posts_of_plans([plan.id])
            check_post(fields, plan.platforms, cohort.timezone, now, others)
            post = await uow.campaigns.add_post(plan_id=plan.id, now=now, **dataclasses.asdict(fields))
            await self._reminders.plan_posts(uow, [post.id], now)
            await uow.commit()
        self._reminders.on_planned()
        return post

    async def post(self, telegram_id: int, post_id: int) -> tuple[PlanDTO, PostDTO, str]:
        """A post of one of the person's plans, its plan and the cohort's zone."""
        async with self._db.unit_of_work() as uow:
            post = await uow.campaigns.post(post_id)
            if post is None:
                raise DomainError(Problem.POST_NOT_FOUND)
            _person, plan = await self._plan(uow, telegram_id, post.plan_id, owner=False)
            return plan, post, (await self._cohort(uow, plan.cohort_id)).timezone

    async def update_post(self, telegram_id: int, post_id: int, **changes: object) -> PostDTO:
        """Change a post (owner only); the old reminders are checked when due and skipped if they no longer fit."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            post = await uow.campaigns.post(post_id)
            if post is None:
                raise DomainError(Problem.POST_NOT_FOUND)
            _person, plan = await self._plan(uow, telegram_id, post.plan_id, owner=True, lock=True)
            cohort = await self._cohort(uow, plan.cohort_id)
            current = PostFields(
                post.starts_at,
                post.kind,
                post.platform,
                post.idea,
                post.repeat,
                post.repeat_until,
                post.lead_minutes,
                post.occasion,
            )
            fields = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
            fields = dataclasses.replace(fields, starts_at=fields.starts_at.replace(microsecond=0))
            moved = fields.starts_at != post.starts_at
            others = [p for p in await uow.campaigns.posts_of_plans([plan.id]) if p.id != post.id]
            check_post(fields, plan.platforms, cohort.timezone, now, others, check_start=moved)
            values = {name: getattr(fields, name) for name in changes}
            await uow.campaigns.update_post(post.id, now, planned_until=None, **values)
            await self._reminders.plan_posts(uow, [post.id], now)
            updated = await uow.campaigns.post(post.id)
            await uow.commit()
        self._reminders.on_planned()
        assert updated is not None
        return updated

    async def delete_post(self, telegram_id: int, post_id: int) -> bool:
        """Delete a post and close its pending reminders. Once some occurrence was marked (done, skipped, a proof)
        the post is only hidden: that history stays in the plan's figures, /progress and the trainer's review.
        True when it was kept that way."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            post = await uow.campaigns.post(post_id)
            if post is None:
                raise DomainError(Problem.POST_NOT_FOUND)
            await self._plan(uow, telegram_id, post.plan_id, owner=True)
            await uow.campaigns.close_reminders(f"cr:{post.id}:", "post deleted", now)
            keep = await uow.campaigns.has_occurrences(post.id)
            await uow.campaigns.delete_post(post.id, now, keep=keep)
            await uow.commit()
        return keep

    async def add_occasion(self, telegram_id: int, plan_id: int, day: dt.date, index: int, idea: str) -> PostDTO:
        """One tap: a post for the day's `index`-th occasion at OCCASION_TIME, on the plan's first platform."""
        occasions = on_day(day)
        if not 0 <= index < len(occasions):
            raise DomainError(Problem.POST_NOT_FOUND)
        zone = await self.zone_of(telegram_id, plan_id)
        async with self._db.unit_of_work() as uow:
            _person, plan = await self._plan(uow, telegram_id, plan_id, owner=True)
        moment = dt.datetime.combine(day, OCCASION_TIME, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
        fields = PostFields(moment, PostKind.OCCASION, plan.platforms[0], idea, occasion=occasions[index].key)
        return await self.add_post(telegram_id, plan_id, fields)
