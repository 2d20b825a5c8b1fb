"""The services every part of the bot shares, built once by the composition root (bot.app).

Telegram-free on purpose: handlers reach it through their callback context, the delivery engine and the CLI through
the application's bot_data, and no service imports it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.delivery.signal import OutboxSignal
from bot.services.access import AccessService
from bot.services.attendance import AttendanceReports, AttendanceService
from bot.services.broadcasts import BroadcastService
from bot.services.campaigns.feature import Campaigns
from bot.services.lessons import LessonService
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.stats import LessonStatsService
from bot.services.people import CohortService, PeopleService, RegistrationService, RoleService
from bot.settings import Settings
from storage.uow import Database

SERVICES_KEY = "services"


@dataclass
class MenuState:
    """The registry menus are built from (set once handlers are registered; handlers.core.registry.Registry, kept
    untyped here so this module needs no Telegram code), and the chats whose chat-scoped menu this process has set:
    a privileged person missing from it gets theirs on their next update."""

    registry: object | None = None
    set_for: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    cohorts: CohortService
    roles: RoleService
    registration: RegistrationService
    people: PeopleService
    curricula: CurriculumService
    lessons: LessonService
    lesson_stats: LessonStatsService
    outbox: OutboxSignal  # planned() after committing outbox rows: the delivery engine wakes up
    broadcasts: BroadcastService
    campaigns: Campaigns  # the campaign planner: plans, reminders, review, calendar
    attendance: AttendanceService  # sessions, check-ins, the roll
    attendance_reports: AttendanceReports
    menus: MenuState = field(default_factory=MenuState)

    @property
    def access(self) -> AccessService:
        """Who is writing (access control, menus)."""
        return AccessService(self.db)


def services_in(bot_data: Mapping[str, object]) -> Services:
    """The services an application carries (its bot_data, set by bot.app)."""
    services = bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services
