"""Trainers review their trainees' plans (/campaigns): progress, comments, proofs to approve; and what the
campaign planner adds to /progress and /mydata. No Telegram here; each review operation reads the actor's roles from
the database itself: a trainer of the plan's cohort or a coordinator."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.services.access import Actor, Authority, authority, require_manager, require_staff
from bot.services.campaigns.plans import PlanView, plan_view
from bot.services.campaigns.reminders import note
from bot.services.campaigns.rules import COMMENT_MAX, text_field
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.campaigns.dto import CommentDTO, Mark, OccurrenceDTO, PlanDTO, PostDTO, Reachable
from storage.dto import CohortDTO, CohortStatus, DeliveryDTO, PersonDTO, Role
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class Note:
    """A plan note as its recipient will read it (loaded when it is sent)."""

    kind: str  # comment, approved, team
    person: PersonDTO
    plan: PlanDTO
    cohort: CohortDTO
    comment: CommentDTO | None = None
    post: PostDTO | None = None
    occurrence: OccurrenceDTO | None = None
    owner_name: str = ""


@dataclass(frozen=True, slots=True)
class CohortPlans:
    """A cohort's plans as its trainer reviews them, and its trainees who are in no plan yet."""

    cohort_name: str
    plans: list[PlanView]
    without_plan: list[PersonDTO]


class NoteGone(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReviewService:
    def __init__(self, db: Database, grace: dt.timedelta, clock: Clock = utc_now) -> None:
        self._db = db
        self._grace = grace
        self._clock = clock
        self.on_planned: Callable[[], None] = lambda: None

    async def _managed_plan(self, uow: UnitOfWork, found: Authority, plan_id: int) -> PlanDTO:
        """The plan, if the actor (a trainer or coordinator: `require_staff`) manages its cohort; a trainer of another
        cohort does not learn that it exists."""
        plan = await uow.campaigns.plan(plan_id)
        if plan is None or not found.manages(plan.cohort_id):
            raise DomainError(Problem.PLAN_NOT_FOUND)
        return plan

    async def cohorts(self, actor: Actor) -> list[CohortDTO]:
        """The cohorts whose plans this trainer (or coordinator) may review; active ones first."""
        async with self._db.unit_of_work() as uow:
            manageable = (await authority(uow, actor)).manageable()
            summaries = await uow.cohorts.summaries(None if manageable is None else sorted(manageable))
        cohorts = [s.cohort for s in summaries]
        return sorted(cohorts, key=lambda c: (c.status is not CohortStatus.ACTIVE, c.name))

    async def plans(self, actor: Actor, cohort_id: int) -> list[PlanView]:
        async with self._db.unit_of_work() as uow:
            found = await require_manager(uow, actor, cohort_id)
            viewer = found.person.id if found.person else 0
            plans = await uow.campaigns.plans_in_cohorts([cohort_id])
            return [await plan_view(uow, plan, viewer, self._clock(), self._grace) for plan in plans]

    async def cohort_plans(self, actor: Actor, cohort_id: int) -> CohortPlans:
        async with self._db.unit_of_work() as uow:
            found = await require_manager(uow, actor, cohort_id)
            viewer = found.person.id if found.person else 0
            plans = await uow.campaigns.plans_in_cohorts([cohort_id])
            views = [await plan_view(uow, plan, viewer, self._clock(), self._grace) for plan in plans]
            trainees = await uow.memberships.members(cohort_id, Role.TRAINEE)
        cohort_name = next((c.name for c in await self.cohorts(actor) if c.id == cohort_id), "")
        planners = {person for view in views for person in view.plan.members()}
        return CohortPlans(cohort_name, views, [person for _m, person in trainees if person.id not in planners])

    async def plan(self, actor: Actor, plan_id: int) -> PlanView:
        async with self._db.unit_of_work() as uow:
            found = await require_staff(uow, actor)
            plan = await self._managed_plan(uow, found, plan_id)
            viewer = found.person.id if found.person else 0
            return await plan_view(uow, plan, viewer, self._clock(), self._grace)

    async def comment(self, actor: Actor, plan_id: int, text: str) -> CommentDTO:
        """A trainer's comment; the owner and the teammates are told through the outbox."""
        body = text_field(text, "comment", 1, COMMENT_MAX)
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            found = await require_staff(uow, actor)
            plan = await self._managed_plan(uow, found, plan_id)
            author = found.person.id if found.person else None
            comment = await uow.campaigns.add_comment(plan.id, author, body, now)
            reachable = await uow.campaigns.reachable(plan.members())
            payload: dict[str, object] = {"type": "comment", "plan": plan.id, "comment": comment.id}
            await _tell(uow, f"pn:comment:{comment.id}", reachable.values(), plan.cohort_id, now, payload)
            await uow.commit()
        self.on_planned()
        return comment

    async def proof(self, actor: Actor, occurrence_id: int) -> OccurrenceDTO:
        async with self._db.unit_of_work() as uow:
            found = await require_staff(uow, actor)
            record = await uow.campaigns.occurrence_by_id(occurrence_id)
            if record is None or record.proof is None:
                raise DomainError(Problem.POST_NOT_FOUND)
            await self._managed_plan(uow, found, record.plan_id)
        return record

    async def approve(self, actor: Actor, occurrence_id: int) -> bool:
        """Approve a proof (once); the trainee who sent it is told. False when it was approved already."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            found = await require_staff(uow, actor)
            record = await uow.campaigns.occurrence_by_id(occurrence_id)
            if record is None or record.proof is None:
                raise DomainError(Problem.POST_NOT_FOUND)
            plan = await self._managed_plan(uow, found, record.plan_id)
            by = found.person.id if found.person else None
            if not await uow.campaigns.approve(record.id, by, now):
                return False
            target = (await uow.campaigns.reachable([record.by_id])) if record.by_id else {}
            payload: dict[str, object] = {"type": "approved", "plan": plan.id, "occurrence": record.id}
            await _tell(uow, f"pn:approved:{record.id}", target.values(), plan.cohort_id, now, payload)
            await uow.commit()
        self.on_planned()
        return True

    # ------------------------------------------------------------------------------------ notes, figures

    async def load_note(self, delivery: DeliveryDTO) -> Note:
        data = json.loads(delivery.payload)
        if delivery.person_id is None:
            raise NoteGone("person deleted their data")
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_id(delivery.person_id)
            plan = await uow.campaigns.plan(int(data.get("plan", 0)))
            cohort = None if plan is None else await uow.cohorts.by_id(plan.cohort_id)
            if person is None or plan is None or cohort is None or person.id not in plan.members():
                raise NoteGone("no longer on the team")
            owner_name = (await uow.campaigns.names([plan.owner_id])).get(plan.owner_id, "?")
            kind = str(data.get("type"))
            if kind == "comment":
                comment = await uow.campaigns.comment(int(data["comment"]))
                if comment is None:
                    raise NoteGone("comment deleted")
                return Note(kind, person, plan, cohort, comment=comment, owner_name=owner_name)
            if kind == "approved":
                record = await uow.campaigns.occurrence_by_id(int(data["occurrence"]))
                post = None if record is None else await uow.campaigns.post(record.post_id, with_deleted=True)
                if record is None or post is None:
                    raise NoteGone("post deleted")
                return Note(kind, person, plan, cohort, post=post, occurrence=record, owner_name=owner_name)
            return Note(kind, person, plan, cohort, owner_name=owner_name)

    async def done_counts(self, uow: UnitOfWork, cohort_id: int) -> dict[int, int]:
        """Posts done per trainee of a cohort (owner and teammates of a plan each count its posts): /progress."""
        return await uow.campaigns.done_by_person(cohort_id)


def done_records(view: PlanView) -> list[OccurrenceDTO]:
    """Occurrences marked done, newest first: what a trainer looks at for proofs."""
    return sorted((r for r in view.records if r.state is Mark.DONE), key=lambda r: r.occurs_at, reverse=True)


async def _tell(
    uow: UnitOfWork,
    key: str,
    people: Iterable[Reachable],
    cohort_id: int,
    now: dt.datetime,
    payload: dict[str, object],
) -> None:
    """One plan note per person through the outbox, keyed `key:<person id>` (planned once, whatever happens)."""
    items = [note(f"{key}:{p.person_id}", p.person_id, p.telegram_id, cohort_id, now, payload) for p in people]
    await uow.deliveries.plan(items, now)
