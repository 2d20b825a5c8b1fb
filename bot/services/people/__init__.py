"""People: registration by invite, cohorts and their invites, the coordinator role, /mydata and /forgetme.

The services own their transactions; the DTO types the Telegram side renders are re-exported here, so handlers
never import `storage`."""

from bot.services.people.cohorts import START_RANGE, CohortService, NewCohort, start_date_allowed
from bot.services.people.invites import (
    DEFAULT_INVITE_DAYS,
    INVITE_DAYS_MAX,
    INVITE_USES_MAX,
    TRAINER_INVITE_DAYS,
    deep_link,
    invite_defaults,
)
from bot.services.people.my_data_items import PersonalData, as_json
from bot.services.people.person import PeopleService
from bot.services.people.registration import TOWN_MAX, TOWNS, InviteCheck, Joined, RegistrationService
from bot.services.people.roles import RoleService
from storage.attendance.dto import AttendanceStatus
from storage.dto import CohortDTO, CohortStatus, CohortSummary, CurriculumDTO, InviteDTO, MembershipDTO, PersonDTO, Role

__all__ = [
    "DEFAULT_INVITE_DAYS",
    "INVITE_DAYS_MAX",
    "INVITE_USES_MAX",
    "START_RANGE",
    "TOWNS",
    "TOWN_MAX",
    "TRAINER_INVITE_DAYS",
    "AttendanceStatus",
    "CohortDTO",
    "CohortService",
    "CohortStatus",
    "CohortSummary",
    "CurriculumDTO",
    "InviteCheck",
    "InviteDTO",
    "Joined",
    "MembershipDTO",
    "NewCohort",
    "PeopleService",
    "PersonDTO",
    "PersonalData",
    "RegistrationService",
    "Role",
    "RoleService",
    "as_json",
    "deep_link",
    "invite_defaults",
    "start_date_allowed",
]
