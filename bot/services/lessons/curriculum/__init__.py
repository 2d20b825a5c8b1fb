"""The curriculum file format (one YAML file per curriculum), validated against Telegram's limits before import."""

from bot.services.lessons.curriculum.model import Curriculum, Lesson, Link, Localized, Question
from bot.services.lessons.curriculum.parsing import (
    MAX_FILE_BYTES,
    CurriculumError,
    Problem,
    load_curriculum,
    missing_images,
    parse_curriculum,
)
from bot.services.lessons.curriculum.telegram_text import tg_len, visible_html

__all__ = [
    "MAX_FILE_BYTES",
    "Curriculum",
    "CurriculumError",
    "Lesson",
    "Link",
    "Localized",
    "Problem",
    "Question",
    "load_curriculum",
    "missing_images",
    "parse_curriculum",
    "tg_len",
    "visible_html",
]
