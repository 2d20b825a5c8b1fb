"""Quiz polls: recorded as they are sent (by the outbox or a chat reply), and their first answers counted."""

from __future__ import annotations

from bot.services.lessons.base import LessonServiceBase
from bot.services.lessons.results import Answer
from storage.uow import UnitOfWork


class QuizAnswers(LessonServiceBase):
    """Quiz polls as they go out, and the answers that come back."""

    async def record_poll(
        self,
        uow: UnitOfWork,
        *,
        poll_id: str,
        person_id: int,
        cohort_id: int,
        lesson: str,
        question: int,
        correct: tuple[int, ...],
    ) -> None:
        await uow.quizzes.add(
            poll_id=poll_id,
            person_id=person_id,
            cohort_id=cohort_id,
            lesson=lesson,
            question=question,
            correct_options=correct,
            now=self._clock(),
        )

    async def record_sent_polls(
        self, telegram_id: int, cohort_id: int, lesson: str, polls: list[tuple[int, str, tuple[int, ...]]]
    ) -> None:
        """Polls a chat reply sent itself: (question index, poll id, correct options)."""
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            await self._membership_cohort(uow, person, cohort_id)
            for question, poll_id, correct in polls:
                await self.record_poll(
                    uow,
                    poll_id=poll_id,
                    person_id=person.id,
                    cohort_id=cohort_id,
                    lesson=lesson,
                    question=question,
                    correct=correct,
                )
            await uow.commit()

    async def record_answer(self, poll_id: str, telegram_id: int, options: tuple[int, ...]) -> Answer | None:
        """The first answer counts; an unknown poll, someone else's poll, a retraction or a repeat → None."""
        if not options:
            return None
        async with self._db.unit_of_work() as uow:
            person = await uow.people.lock(telegram_id)  # answers to one quiz arrive together: one at a time
            poll = await uow.quizzes.by_poll_id(poll_id)
            if poll is None or person is None or poll.person_id != person.id:
                return None
            correct = set(options) == set(poll.correct_options)
            now = self._clock()
            if not await uow.quizzes.answer(poll_id, options, correct, now):
                return None
            cohort = await uow.cohorts.by_id(poll.cohort_id)
            curriculum = None if cohort is None else await self.curriculum_of(cohort, uow)
            polls = [p for p in await uow.quizzes.for_person(person.id, poll.cohort_id) if p.lesson == poll.lesson]
            questions = len(polls)
            if curriculum is not None:
                lesson = next((item for item in curriculum.lessons if item.id == poll.lesson), None)
                questions = max(questions, len(lesson.questions)) if lesson else questions
            answered = [p for p in polls if p.answered_at is not None or p.poll_id == poll_id]
            right = sum(1 for p in answered if (p.correct if p.poll_id != poll_id else correct))
            await uow.commit()
        return Answer(
            cohort_id=poll.cohort_id,
            lesson=poll.lesson,
            correct=correct,
            quiz_done=len(answered) >= questions,
            answered=len(answered),
            right=right,
            questions=questions,
        )
