"""Figures about lessons: a trainee's own progress, per-lesson statistics and the delivery report per day."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.services.access import Actor, require_manager
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.services.lessons.curriculum import Curriculum
from bot.services.lessons.outbox_rows import LESSON_KINDS
from bot.services.lessons.schedule import LessonCalendar
from bot.services.lessons.service import LessonService
from storage.dto import CohortDTO, DeliveryState, LessonProgressDTO, QuizPollDTO, Role
from storage.uow import Database, UnitOfWork

REPORT_DAYS = 14


@dataclass(frozen=True, slots=True)
class Progress:
    """One trainee in one cohort. `rank` is 1 for the best; people with equal scores share a rank."""

    cohort: CohortDTO
    total: int
    released: int
    done: int
    opened: int
    answered: int
    correct: int
    streak: int
    rank: int
    ranked: int  # trainees ranked in the cohort
    extra_done: int = 0  # campaign posts done and the like (later features add to the score)

    @property
    def score_percent(self) -> int | None:
        return None if self.answered == 0 else round(100 * self.correct / self.answered)


@dataclass(frozen=True, slots=True)
class Hardest:
    question: int
    text: str  # in the reader's language
    correct: int
    answered: int


@dataclass(frozen=True, slots=True)
class LessonStat:
    number: int
    title: str
    delivered: int
    opened: int
    done: int
    answered: int
    correct: int
    hardest: Hardest | None


@dataclass(frozen=True, slots=True)
class DayReport:
    day: dt.date
    states: Counter[DeliveryState] = field(default_factory=Counter)
    reasons: Counter[tuple[DeliveryState, str]] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.states.values())


@dataclass(frozen=True, slots=True)
class CohortStats:
    cohort: CohortDTO
    curriculum: Curriculum
    released: int
    trainees: int
    lessons: list[LessonStat]
    days: list[DayReport]


def percent(part: int, whole: int) -> int | None:
    return None if whole == 0 else round(100 * part / whole)


def streak_of(released: int, engaged: set[int]) -> int:
    """Consecutive released lessons, newest first, that were done or answered; today's may still be open."""
    number = released
    if number not in engaged:
        number -= 1  # the newest lesson can still be done today: it does not break the streak yet
    streak = 0
    while number >= 1 and number in engaged:
        streak += 1
        number -= 1
    return streak


# Other features' "done" counts per trainee of a cohort (campaign posts done …), read in the open unit of work.
ExtraDone = Callable[[UnitOfWork, int], Awaitable[dict[int, int]]]


class LessonStatsService:
    def __init__(self, db: Database, lessons: LessonService, clock: Clock = utc_now) -> None:
        self._db = db
        self._lessons = lessons
        self._clock = clock
        self.extra_done: ExtraDone | None = None  # set by build_services; adds to Progress.extra_done and the score

    async def progress(self, telegram_id: int) -> list[Progress]:
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            if person is None or not person.is_registered:
                raise DomainError(Problem.PERSON_NOT_FOUND)
            memberships = [m for m in await uow.memberships.for_person(person.id) if m.role is Role.TRAINEE]
            reports = []
            for cohort in await uow.cohorts.by_ids([m.cohort_id for m in memberships]):
                curriculum = await self._lessons.curriculum_of(cohort, uow)
                extras = await self.extra_done(uow, cohort.id) if self.extra_done else {}
                if curriculum is None and not extras.get(person.id):
                    continue  # no lessons and nothing else done yet: nothing to show
                progress = await uow.progress.for_cohort(cohort.id)
                polls = await uow.quizzes.for_cohort(cohort.id)
                trainees = [p.id for _m, p in await uow.memberships.members(cohort.id, Role.TRAINEE)]
                reports.append(self._progress(cohort, curriculum, person.id, trainees, progress, polls, extras))
        return reports

    def _progress(
        self,
        cohort: CohortDTO,
        curriculum: Curriculum | None,
        person_id: int,
        trainees: list[int],
        progress: list[LessonProgressDTO],
        polls: list[QuizPollDTO],
        extras: dict[int, int] | None = None,
    ) -> Progress:
        lessons = curriculum.lessons if curriculum is not None else ()
        released = LessonCalendar.from_cohort(cohort).released(self._clock(), len(lessons)) if lessons else 0
        numbers = {lesson.id: n for n, lesson in enumerate(lessons, 1)}
        scores: Counter[int] = Counter({trainee: 0 for trainee in trainees})
        for row in progress:
            if row.person_id is not None and row.person_id in scores and row.done_at is not None:
                scores[row.person_id] += 1
        for poll in polls:
            if poll.person_id is not None and poll.person_id in scores and poll.correct:
                scores[poll.person_id] += 1
        for trainee, count in (extras or {}).items():
            if trainee in scores:
                scores[trainee] += count
        mine = [row for row in progress if row.person_id == person_id]
        my_polls = [poll for poll in polls if poll.person_id == person_id and poll.answered_at is not None]
        engaged = {numbers[row.lesson] for row in mine if row.done_at is not None and row.lesson in numbers}
        engaged |= {numbers[poll.lesson] for poll in my_polls if poll.lesson in numbers}
        my_score = scores[person_id]
        return Progress(
            cohort=cohort,
            total=len(lessons),
            released=released,
            done=sum(1 for row in mine if row.done_at is not None),
            opened=sum(1 for row in mine if row.opened_at is not None),
            answered=len(my_polls),
            correct=sum(1 for poll in my_polls if poll.correct),
            streak=streak_of(released, engaged),
            rank=1 + sum(1 for score in scores.values() if score > my_score),
            ranked=len(scores),
            extra_done=(extras or {}).get(person_id, 0),
        )

    async def cohort_stats(self, actor: Actor, cohort_id: int, locale: str, days: int = REPORT_DAYS) -> CohortStats:
        """Per released lesson: delivered, opened, done, quiz answers and the hardest question; deliveries per day.
        For a manager of the cohort."""
        async with self._db.unit_of_work() as uow:
            cohort = await uow.cohorts.by_id(cohort_id)
            if cohort is None:
                raise DomainError(Problem.COHORT_NOT_FOUND, name="")
            await require_manager(uow, actor, cohort_id)
            curriculum = await self._lessons.curriculum_of(cohort, uow)
            if curriculum is None:
                raise DomainError(Problem.NO_CURRICULUM, cohort=cohort.name)
            progress = await uow.progress.for_cohort(cohort.id)
            polls = await uow.quizzes.for_cohort(cohort.id)
            trainees = len(await uow.memberships.members(cohort.id, Role.TRAINEE))
            since = self._clock() - dt.timedelta(days=days)
            outcomes = await uow.deliveries.outcomes([cohort.id], since, LESSON_KINDS)
        released = LessonCalendar.from_cohort(cohort).released(self._clock(), len(curriculum.lessons))
        by_lesson: dict[str, list[LessonProgressDTO]] = defaultdict(list)
        for row in progress:
            by_lesson[row.lesson].append(row)
        polls_by_lesson: dict[str, list[QuizPollDTO]] = defaultdict(list)
        for poll in polls:
            if poll.answered_at is not None:
                polls_by_lesson[poll.lesson].append(poll)
        lessons = []
        for number in range(1, released + 1):
            lesson = curriculum.lesson(number)
            rows, answers = by_lesson[lesson.id], polls_by_lesson[lesson.id]
            lessons.append(
                LessonStat(
                    number=number,
                    title=lesson.title.get(locale),
                    delivered=sum(1 for r in rows if r.delivered_at is not None),
                    opened=sum(1 for r in rows if r.opened_at is not None),
                    done=sum(1 for r in rows if r.done_at is not None),
                    answered=len(answers),
                    correct=sum(1 for p in answers if p.correct),
                    hardest=_hardest(answers, [q.question.get(locale) for q in lesson.questions]),
                )
            )
        zone = ZoneInfo(cohort.timezone)
        reports: dict[dt.date, DayReport] = {}
        for outcome in outcomes:
            day = outcome.due_at.astimezone(zone).date()
            report = reports.setdefault(day, DayReport(day))
            report.states[outcome.state] += outcome.count
            if outcome.reason and outcome.state is not DeliveryState.SENT:
                report.reasons[(outcome.state, outcome.reason)] += outcome.count
        return CohortStats(
            cohort, curriculum, released, trainees, lessons, sorted(reports.values(), key=lambda r: r.day)
        )


def _hardest(answers: list[QuizPollDTO], questions: list[str]) -> Hardest | None:
    """The question with the lowest share of correct answers (ties: the one answered most)."""
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for poll in answers:
        tally[poll.question][1] += 1
        tally[poll.question][0] += int(bool(poll.correct))
    candidates = [(right / total, -total, index) for index, (right, total) in tally.items() if index < len(questions)]
    if not candidates:
        return None
    _rate, _minus, index = min(candidates)
    right, total = tally[index]
    return Hardest(index, questions[index], right, total)
