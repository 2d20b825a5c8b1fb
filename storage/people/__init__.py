"""People and the coordinator role."""

from storage.people.coordinators import CoordinatorRepository
from storage.people.persons import PeopleRepository, person_dto

__all__ = ["CoordinatorRepository", "PeopleRepository", "person_dto"]
