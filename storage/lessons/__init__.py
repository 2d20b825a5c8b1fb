"""Storage of the lessons feature: curricula, lesson progress and quiz polls (repositories flush, never commit)."""

from storage.lessons.curricula import CurriculumRepository
from storage.lessons.progress import ProgressRepository
from storage.lessons.quizzes import QuizRepository

__all__ = ["CurriculumRepository", "ProgressRepository", "QuizRepository"]
