"""Cohorts, their memberships and their invites."""

from storage.cohorts.cohorts import CohortRepository, cohort_dto, format_weekdays, parse_weekdays
from storage.cohorts.invites import InviteRepository
from storage.cohorts.memberships import MembershipRepository

__all__ = [
    "CohortRepository",
    "InviteRepository",
    "MembershipRepository",
    "cohort_dto",
    "format_weekdays",
    "parse_weekdays",
]
