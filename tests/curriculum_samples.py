"""Small curriculum documents for the import tests (the format is in curriculum/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SHIPPED = Path(__file__).resolve().parent.parent / "curriculum" / "digital-campaigns.yaml"


def loc(en: str, ar: str) -> dict[str, str]:
    return {"ar": ar, "en": en}


def lesson(lesson_id: str, day: int) -> dict[str, Any]:
    return {
        "id": lesson_id,
        "title": loc(f"Day {day}", f"اليوم {day}"),
        "prompt": loc(f"<b>Lesson {day}</b>", f"<b>الدرس {day}</b>"),
        "task": loc("Write one sentence.", "اكتب جملة واحدة."),
        "questions": [
            {
                "question": loc("Which one?", "أيّها؟"),
                "options": [loc("This", "هذا"), loc("That", "ذاك")],
                "correct": [1],
                "explanation": loc("Because.", "لأن."),
            }
        ],
    }


def document(version: int = 1, lessons: int = 2, slug: str = "test-course") -> dict[str, Any]:
    return {
        "id": slug,
        "version": version,
        "title": loc("Test course", "دورة تجريبية"),
        "lessons": [lesson(["first", "second", "third"][n], n + 1) for n in range(lessons)],
    }


def sample(version: int = 1, lessons: int = 2, slug: str = "test-course") -> str:
    return yaml.safe_dump(document(version, lessons, slug), allow_unicode=True, sort_keys=False)


def broken() -> str:
    """Two problems: an empty Arabic title in lesson 2, an option of 101 characters in lesson 1."""
    doc = document()
    doc["lessons"][1]["title"]["ar"] = ""
    doc["lessons"][0]["questions"][0]["options"][1]["en"] = "x" * 101
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
