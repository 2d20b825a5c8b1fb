"""Send or skip, decided by the lesson service when an outbox item falls due (bot.services.lessons.sending): each
reason a lesson, a Later reminder, a quiz question or a nudge is skipped, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.services.access import OPERATOR
from bot.services.lessons import LATER, LESSON, NUDGE, QUIZ, LessonService, Skipped, ToSend
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.outbox_rows import payload
from storage.dto import CohortStatus, DeliveryDTO
from storage.uow import Database
from tests.crowd import enrol
from tests.curriculum_samples import sample

START = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
TRAINEE = 601


def clock() -> dt.datetime:
    return START


async def due_lesson(db: Database) -> tuple[LessonService, DeliveryDTO]:
    """A cohort whose lessons are out, one trainee, and the lesson row planned for them."""
    curricula = CurriculumService(db, clock)
    imported = await curricula.import_document(OPERATOR, sample(), "course.yaml")
    async with db.unit_of_work() as uow:
        cohort = await uow.cohorts.add(name="Hit", name_key="hit", timezone="Asia/Baghdad",
                                       start_date=dt.date(2026, 11, 1), lesson_time=dt.time(18), now=START,
                                       curriculum_id=imported.curriculum.id)  # fmt: skip
        await uow.commit()
    await enrol(db, cohort.id, TRAINEE, 1, joined=START - dt.timedelta(days=1), locale="en")
    lessons = LessonService(db, curricula, clock=clock)
    assert await lessons.plan_due() == 1
    async with db.unit_of_work() as uow:
        (row,) = await uow.deliveries.of_kind(LESSON, cohort.id)
    return lessons, row


@dataclasses.dataclass(frozen=True)
class _Sent:
    """What the delivery engine hands back after a send (bot.delivery.engine.Sent), without Telegram."""

    extra: dict[str, object] = dataclasses.field(default_factory=dict)


def as_kind(row: DeliveryDTO, kind: str, question: int | None = None) -> DeliveryDTO:
    data = payload(int(row.key.split(":")[2]), str(row.ref), question)
    return dataclasses.replace(row, kind=kind, payload=data)


async def test_a_due_lesson_is_sent_in_the_trainees_language_with_its_place_now(db: Database) -> None:
    lessons, row = await due_lesson(db)
    item = await lessons.lesson_to_send(row)
    assert isinstance(item, ToSend)
    assert (item.telegram_id, item.locale, item.done, item.curriculum_source) == (TRAINEE, "en", False, "course.yaml")
    assert item.lesson.id == row.ref and item.recorded == {"lesson": row.ref, "number": item.number}


async def test_who_left_or_deleted_their_data_and_an_ended_cohort_are_skipped(db: Database) -> None:
    lessons, row = await due_lesson(db)
    assert await lessons.lesson_to_send(dataclasses.replace(row, person_id=None)) == Skipped(
        "person deleted their data"
    )
    assert await lessons.lesson_to_send(dataclasses.replace(row, person_id=(row.person_id or 0) + 999)) == Skipped(
        "no longer a member"
    )
    async with db.unit_of_work() as uow:
        await uow.cohorts.set_status(row.cohort_id or 0, CohortStatus.ENDED)
        await uow.commit()
    for decide in (lessons.lesson_to_send, lessons.later_to_send, lessons.question_to_send, lessons.nudge_to_send):
        assert await decide(row) == Skipped("cohort ended")


async def test_a_lesson_removed_from_the_curriculum_is_skipped(db: Database) -> None:
    lessons, row = await due_lesson(db)
    moved = dataclasses.replace(row, payload=payload(1, "no-such-lesson"))
    assert await lessons.lesson_to_send(moved) == Skipped("lesson removed from the curriculum")


async def test_a_lesson_done_goes_without_buttons_and_its_later_reminder_is_skipped(db: Database) -> None:
    lessons, row = await due_lesson(db)
    later = as_kind(row, LATER)
    assert isinstance(await lessons.later_to_send(later), ToSend)
    item = await lessons.lesson_to_send(row)
    assert isinstance(item, ToSend)
    assert await lessons.mark_done(TRAINEE, item.cohort_id, item.number)
    done = await lessons.lesson_to_send(row)
    assert isinstance(done, ToSend) and done.done
    assert await lessons.later_to_send(later) == Skipped("lesson already done")


async def test_a_question_removed_or_already_sent_is_skipped(db: Database) -> None:
    lessons, row = await due_lesson(db)
    first = as_kind(row, QUIZ, 0)
    item = await lessons.question_to_send(first)
    assert isinstance(item, ToSend) and item.question == 0
    assert item.recorded["correct"] == list(item.lesson.questions[0].correct)
    assert await lessons.question_to_send(as_kind(row, QUIZ, 99)) == Skipped("question removed from the lesson")
    async with db.unit_of_work() as uow:
        assert row.person_id is not None and row.cohort_id is not None
        await lessons.record_poll(uow, poll_id="p1", person_id=row.person_id, cohort_id=row.cohort_id,
                                  lesson=str(row.ref), question=0, correct=(1,))  # fmt: skip
        await uow.commit()
    assert await lessons.question_to_send(first) == Skipped("question already sent")


async def test_a_nudge_goes_until_the_lesson_is_opened(db: Database) -> None:
    lessons, row = await due_lesson(db)
    item = await lessons.lesson_to_send(row)
    assert isinstance(item, ToSend)
    async with db.unit_of_work() as uow:
        await lessons.lesson_sent(uow, row, dataclasses.replace(_Sent(), extra=item.recorded), START)
        await uow.commit()
    nudge = as_kind(row, NUDGE)
    assert isinstance(await lessons.nudge_to_send(nudge), ToSend)
    await lessons.open(TRAINEE, item.cohort_id, item.number)
    assert await lessons.nudge_to_send(nudge) == Skipped("lesson opened meanwhile")
