"""The one place that commits: a unit of work opens a session, exposes repositories, commits on request."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.attendance.records import AttendanceRepository
from storage.attendance.sessions import CheckinRepository, SessionRepository
from storage.broadcasts import BroadcastRepository
from storage.campaigns import CampaignRepository
from storage.cohorts import CohortRepository, InviteRepository, MembershipRepository
from storage.db import READ_ONLY, create_engine, create_session_factory
from storage.lessons import CurriculumRepository, ProgressRepository, QuizRepository
from storage.outbox import DeliveryRepository
from storage.people import CoordinatorRepository, PeopleRepository
from storage.state import BotStateRepository


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> UnitOfWork:
        session = self._factory()
        self._session = session
        self.people = PeopleRepository(session)
        self.cohorts = CohortRepository(session)
        self.memberships = MembershipRepository(session)
        self.coordinators = CoordinatorRepository(session)
        self.invites = InviteRepository(session)
        self.state = BotStateRepository(session)
        self.curricula = CurriculumRepository(session)
        self.progress = ProgressRepository(session)
        self.quizzes = QuizRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.campaigns = CampaignRepository(session)
        self.sessions = SessionRepository(session)
        self.checkins = CheckinRepository(session)
        self.attendance = AttendanceRepository(session)
        self.broadcasts = BroadcastRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()  # no-op after commit; undoes anything left uncommitted
        finally:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "unit of work used outside `async with`"
        return self._session

    async def commit(self) -> None:
        await self.session.commit()


class Database:
    """Owns the process's one engine and hands out units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url)
        self._factory = create_session_factory(self.engine)
        self._read_factory = create_session_factory(self.engine.execution_options(**{READ_ONLY: True}))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._factory)

    def reading(self) -> UnitOfWork:
        """A unit of work that only reads (never commit it): on SQLite it takes no write lock, so it neither waits
        for nor blocks writers, and may run while the same task has a unit of work open."""
        return UnitOfWork(self._read_factory)

    async def dispose(self) -> None:
        await self.engine.dispose()
