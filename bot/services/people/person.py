"""A person's own settings and data: language, blocked state, /mydata and /forgetme."""

from __future__ import annotations

from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.services.people.my_data import collect
from bot.services.people.my_data_items import PersonalData
from storage.conversation_state import forget_state
from storage.dto import DeliveryState, PersonStatus
from storage.uow import Database


class PeopleService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def set_locale(self, telegram_id: int, locale: str) -> bool:
        """Store a language choice; False when nothing was stored. Nothing is stored for a stranger (no consent
        given, not a coordinator): their choice applies to the answer only, and registration asks for it first."""
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            if person is None:  # only a coordinator gets a bare row (scheduled notices use its language)
                if not await uow.coordinators.is_coordinator(telegram_id):
                    return False
                person = await uow.people.ensure(telegram_id, self._clock(), locale)
            await uow.people.set_locale(person.id, locale)
            await uow.commit()
        return True

    async def set_reachable(self, telegram_id: int, reachable: bool) -> bool:
        """The bot was blocked or unblocked in a private chat; False when the person is unknown."""
        async with self._db.unit_of_work() as uow:
            changed = await uow.people.set_status(
                telegram_id, PersonStatus.ACTIVE if reachable else PersonStatus.BLOCKED
            )
            person = await uow.people.by_telegram_id(telegram_id) if not reachable else None
            if person is not None:  # nothing queued goes to someone who blocked the bot
                await uow.deliveries.close_pending_for(
                    person.id, DeliveryState.BLOCKED, "blocked the bot", self._clock()
                )
            await uow.commit()
        return changed

    async def my_data(self, telegram_id: int) -> PersonalData:
        """Everything stored about this person, the values themselves (see bot.services.people.my_data)."""
        async with self._db.reading() as uow:
            return await collect(uow, telegram_id)

    async def forget(self, telegram_id: int) -> bool:
        """Delete everything kept about a person (README, Privacy); False if nothing was kept.

        Gone: the person row and with it (cascades) their memberships, attendance records and the roll's notes about
        them, wrong check-in codes, their own campaign plans (posts, marks, proofs, comments) and their places on
        others' teams; their saved conversations and drafts; the coordinator role; announcements they never sent.
        Kept only as anonymous counts, holding no person id, chat id or text of theirs: lesson progress and quiz
        answers, delivery rows, their done/skip marks on others' plans (the proofs they sent there go). Records
        they made about others (sessions, check-ins, roll notes, comments, approvals, sent announcements) stay
        with the people they are about, without the author.

        The last coordinator cannot leave: DomainError LAST_COORDINATOR (grant the role to someone else first)."""
        async with self._db.unit_of_work() as uow:
            if await uow.coordinators.lock_all() == [telegram_id]:
                raise DomainError(Problem.LAST_COORDINATOR)
            person = await uow.people.by_telegram_id(telegram_id)
            await uow.deliveries.forget_person(person.id if person else None, telegram_id, self._clock())
            await uow.checkins.forget_chat(telegram_id)  # a check-in message they were shown
            if person is not None:
                await uow.broadcasts.forget_sender(person.id)
                await uow.campaigns.forget_person(person.id)
                await uow.people.delete(person.id)
            revoked = await uow.coordinators.revoke(telegram_id)
            await forget_state(uow.state, telegram_id)
            await uow.commit()
        return person is not None or revoked
