"""The lesson service: one object for the composition root, made of the parts of the lessons feature.

- `planning`: lessons, nudges and quizzes into the outbox as they fall due (and the alarms for the planner);
- `sending`: send or skip each lesson outbox item when the delivery engine gets to it, and what sending records;
- `trainee`: what trainees do — open a lesson, today's, the overview, Done and Later;
- `quizzes`: quiz polls recorded and their first answers counted.

No Telegram here.
"""

from __future__ import annotations

from bot.services.lessons.sending import LessonSending
from bot.services.lessons.trainee import TraineeLessons


class LessonService(LessonSending, TraineeLessons):
    """Planning, sending, quizzes (through LessonSending) and what trainees do, on one database and clock."""
