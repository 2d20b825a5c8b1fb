"""The rows the lessons feature puts in the outbox: their kinds, unique keys and payloads.

A key names one item for one person (kind, cohort, lesson number, person, question), so planning twice never sends
twice; the payload carries the lesson's id, which a re-imported curriculum may have moved to another number.
"""

from __future__ import annotations

import json

LESSON, QUIZ, NUDGE, LATER = "lesson", "quiz", "nudge", "later"
LESSON_KINDS = (LESSON, QUIZ, NUDGE, LATER)


def item_key(kind: str, cohort_id: int, number: int, person_id: int, question: int | None = None) -> str:
    suffix = "" if question is None else f":{question}"
    return f"{kind}:{cohort_id}:{number}:{person_id}{suffix}"


def payload(number: int, lesson: str, question: int | None = None) -> str:
    data: dict[str, object] = {"number": number, "lesson": lesson}
    if question is not None:
        data["question"] = question
    return json.dumps(data)
