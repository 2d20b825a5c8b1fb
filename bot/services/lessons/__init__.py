"""The lessons feature's services: curricula (import, validation), lessons planned into the outbox, send-or-skip
when they fall due, what trainees do with them, quizzes, and lesson statistics. No Telegram here.

The chat layer imports what it renders from here (the storage DTOs it needs for type hints included).
"""

from bot.services.lessons.base import LessonSettings
from bot.services.lessons.curricula import SUFFIXES, CurriculumService, ImportResult, ImportStatus
from bot.services.lessons.outbox_rows import LATER, LESSON, LESSON_KINDS, NUDGE, QUIZ
from bot.services.lessons.results import Answer, LessonView, Overview, Today
from bot.services.lessons.schedule import LessonCalendar
from bot.services.lessons.sending import Skipped, ToSend
from bot.services.lessons.service import LessonService
from bot.services.lessons.stats import CohortStats, DayReport, LessonStat, LessonStatsService, Progress, percent
from storage.dto import CohortDTO, CohortStatus, CurriculumDTO, DeliveryDTO, DeliveryState, LessonProgressDTO

__all__ = [
    "LATER",
    "LESSON",
    "LESSON_KINDS",
    "NUDGE",
    "QUIZ",
    "SUFFIXES",
    "Answer",
    "CohortDTO",
    "CohortStats",
    "CohortStatus",
    "CurriculumDTO",
    "CurriculumService",
    "DayReport",
    "DeliveryDTO",
    "DeliveryState",
    "ImportResult",
    "ImportStatus",
    "LessonCalendar",
    "LessonProgressDTO",
    "LessonService",
    "LessonSettings",
    "LessonStat",
    "LessonStatsService",
    "LessonView",
    "Overview",
    "Progress",
    "Skipped",
    "ToSend",
    "Today",
    "percent",
]
