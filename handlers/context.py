"""The typed callback context: the services and the principal that access control resolved for this update."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.delivery.signal import OutboxSignal
from bot.services.access import Principal
from bot.services.attendance import AttendanceService
from bot.services.attendance_reports import AttendanceReports
from bot.services.broadcasts import BroadcastService
from bot.services.campaign_feature import Campaigns
from bot.services.cohorts import CohortService, RoleService
from bot.services.lessons import LessonService
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.stats import LessonStatsService
from bot.services.people import PeopleService
from bot.services.registration import RegistrationService
from bot.settings import Settings
from storage.uow import Database

if TYPE_CHECKING:
    from handlers.registry import Registry

SERVICES_KEY = "services"


@dataclass
class MenuState:
    """The registry menus are built from (set once handlers are registered), and the chats whose chat-scoped menu
    this process has set: a privileged person missing from it gets theirs on their next update."""

    registry: Registry | None = None
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


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    principal_value: Principal | None = None

    @property
    def services(self) -> Services:
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    @property
    def registry(self) -> Registry:
        registry = self.services.menus.registry
        if registry is None:
            raise RuntimeError("registry read before handlers were registered")
        return registry

    @property
    def principal(self) -> Principal:
        """Set by access control (group -1) before any handler runs."""
        if self.principal_value is None:
            raise RuntimeError("principal read before access control ran")
        return self.principal_value


BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
