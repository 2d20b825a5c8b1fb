"""What the lesson service hands to the chat layer: a lesson as a trainee sees it, today's lessons, an overview,
a quiz answer. Plain data; the handlers render it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.services.lessons.curriculum import Curriculum, Lesson
from storage.dto import CohortDTO, LessonProgressDTO


@dataclass(frozen=True, slots=True)
class LessonView:
    """One lesson as a trainee sees it, with what they have done of it."""

    cohort: CohortDTO
    curriculum: Curriculum
    number: int
    released: int
    progress: LessonProgressDTO | None
    to_send: tuple[int, ...] = ()  # quiz questions to send with this view (not sent before)
    answered: int = 0
    correct: int = 0

    @property
    def lesson(self) -> Lesson:
        return self.curriculum.lesson(self.number)

    @property
    def total(self) -> int:
        return len(self.curriculum.lessons)

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.done_at is not None


@dataclass(frozen=True, slots=True)
class Today:
    views: list[LessonView] = field(default_factory=list)
    upcoming: list[tuple[CohortDTO, dt.datetime]] = field(default_factory=list)  # not started: first lesson time
    without_curriculum: list[CohortDTO] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Overview:
    """A cohort's lessons for one trainee: how many are out, and what they did with each (by lesson id)."""

    cohort: CohortDTO
    curriculum: Curriculum
    released: int
    progress: dict[str, LessonProgressDTO]


@dataclass(frozen=True, slots=True)
class Answer:
    """A first answer to a quiz poll; `quiz_done` once every question of the lesson sent so far is answered."""

    cohort_id: int
    lesson: str
    correct: bool
    quiz_done: bool
    answered: int
    right: int
    questions: int
