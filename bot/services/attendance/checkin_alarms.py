"""Check-ins over time: the alarms that close them and change their codes, the outbox rows these plan for the
opener's chat (the new code, the closing summary), and, at send time, what such a row shows or why it is skipped.
No Telegram here; the alarms themselves are set by `handlers.attendance.alarms`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.services.attendance.checkins import CheckinService
from bot.services.attendance.common import Alarm, AttendanceSettings, CheckinView
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError
from storage.attendance.dto import CheckinDTO
from storage.dto import DeliveryDTO, NewDelivery
from storage.uow import Database, UnitOfWork

DUE_SLACK = dt.timedelta(seconds=1)  # an alarm a hair early still counts
CODE_KIND, CLOSED_KIND = "ci_code", "ci_closed"  # outbox kinds: the rotated code, the closing summary


@dataclass(frozen=True, slots=True)
class CheckinNotice:
    """What an outbox row of a check-in shows (in the opener's language), or why it is skipped."""

    view: CheckinView | None
    locale: str | None = None
    skip: str | None = None


class SentMessage(Protocol):
    """What the delivery engine reports of a sent item (`bot.delivery.engine.Sent`)."""

    @property
    def message_id(self) -> int | None: ...

    @property
    def extra(self) -> Mapping[str, Any]: ...


class CheckinOutboxRecords:
    """What sending a check-in's outbox row changes, in the delivery engine's transaction: the `on_sent` of the
    check-in kinds (their Telegram side, `handlers.attendance.kinds`, only renders)."""

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: SentMessage, now: dt.datetime) -> None:
        if delivery.kind != CODE_KIND:  # the closing summary changes nothing
            return
        # The new photo is the check-in message from now on (counts and closing edit it).
        assert delivery.chat_id is not None and sent.message_id is not None
        await uow.checkins.set_display(int(sent.extra["checkin"]), delivery.chat_id, sent.message_id)


class AttendanceService(CheckinService):
    """Sessions, the roll, check-ins (inherited) and their alarms: the one attendance service handlers and others
    use."""

    def __init__(self, db: Database, settings: AttendanceSettings | None = None, clock: Clock = utc_now) -> None:
        super().__init__(db, settings, clock)
        self.on_planned: Callable[[], None] = lambda: None  # the delivery engine's wake-up

    async def alarms(self) -> list[Alarm]:
        """When each unclosed check-in closes and next changes its code (rebuilt from the database at start)."""
        async with self._db.unit_of_work() as uow:
            unclosed = await uow.checkins.unclosed()
        alarms = []
        for checkin in unclosed:
            alarms.append(Alarm("close", checkin.id, checkin.closes_at))
            if checkin.rotate_minutes is not None and checkin.code_expires_at < checkin.closes_at:
                alarms.append(Alarm("rotate", checkin.id, checkin.code_expires_at))
        return alarms

    async def rotate_due(self, checkin_id: int) -> bool:
        """The alarm of a rotating check-in: a new code and link, shown to the opener through the outbox."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            checkin = await uow.checkins.by_id(checkin_id)
            if checkin is None or not checkin.is_open(now) or checkin.rotate_minutes is None:
                return False
            if now + DUE_SLACK < checkin.code_expires_at:
                return False
            await uow.checkins.rotate(checkin_id, await self._new_code(uow, now), self._token(), now)
            generation = checkin.generation + 1
            planned = await self._plan(uow, checkin, CODE_KIND, f"{CODE_KIND}:{checkin_id}:{generation}", generation)
            await uow.commit()
        if planned:
            self.on_planned()
        return True

    async def close_due(self, checkin_id: int) -> bool:
        """The closing alarm: closed, and the opener gets the summary through the outbox."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            checkin = await uow.checkins.by_id(checkin_id)
            if checkin is None or checkin.closed_at is not None or now + DUE_SLACK < checkin.closes_at:
                return False
            await uow.checkins.close(checkin_id, now)
            planned = await self._plan(uow, checkin, CLOSED_KIND, f"{CLOSED_KIND}:{checkin_id}", checkin.generation)
            await uow.commit()
        if planned:
            self.on_planned()
        return True

    async def notice(self, kind: str, payload: str, person_id: int | None, chat_id: int | None) -> CheckinNotice:
        """Send or skip, decided from the database at send time: a check-in closed meanwhile, or whose code changed
        again, has nothing to show."""
        if chat_id is None:
            return CheckinNotice(None, skip="person deleted their data")
        data = json.loads(payload)
        try:
            view = await self.display(int(data["checkin"]))
        except DomainError:
            return CheckinNotice(None, skip="check-in deleted")
        if kind == CODE_KIND:
            if not view.checkin.is_open(self._clock()):
                return CheckinNotice(None, skip="check-in closed")
            if view.checkin.generation != int(data["generation"]):
                return CheckinNotice(None, skip="code changed meanwhile")
        locale = None
        if person_id is not None:
            async with self._db.unit_of_work() as uow:
                person = await uow.people.by_id(person_id)
            locale = person.locale if person else None
        return CheckinNotice(view, locale or None)

    async def _plan(self, uow: UnitOfWork, checkin: CheckinDTO, kind: str, key: str, generation: int) -> bool:
        """One outbox row for the opener's chat (the one showing the code); False when there is none."""
        if checkin.chat_id is None:
            return False
        session = await uow.sessions.by_id(checkin.session_id)
        now = self._clock()
        item = NewDelivery(
            key=key,
            kind=kind,
            person_id=checkin.opened_by,
            chat_id=checkin.chat_id,
            cohort_id=session.cohort_id if session else None,
            due_at=now,
            expires_at=checkin.closes_at if kind == CODE_KIND else now + dt.timedelta(hours=6),
            ref=str(checkin.id),
            payload=json.dumps({"checkin": checkin.id, "generation": generation}),
        )
        return await uow.deliveries.plan([item], now) > 0
