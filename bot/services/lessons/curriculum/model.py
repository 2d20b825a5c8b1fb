"""The curriculum file format: a curriculum, its lessons, their links and quiz questions, with Telegram's limits.

Pure domain code (no Telegram, no database). Every text is given in Arabic and English. Lengths are counted as
Telegram counts them (UTF-16 code units: an emoji may count as 2).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from bot.services.lessons.curriculum.telegram_text import error_at, rule_error, tg_len, visible_html

TITLE_MAX, TASK_MAX, PROMPT_MAX, LINK_LABEL_MAX = 100, 1000, 3500, 64
QUESTION_MAX, OPTION_MAX, EXPLANATION_MAX, EXPLANATION_MAX_LINE_FEEDS = 300, 100, 200, 2
OPTIONS_MIN, OPTIONS_MAX, QUESTIONS_MIN, QUESTIONS_MAX, LINKS_MAX = 2, 10, 1, 5, 5
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")

_SLUG = re.compile(r"[a-z0-9-]{1,40}")
_URL = re.compile(r"https?://[^\s/?#.][^\s]*")


def _count(low: int, high: int | None = None) -> pydantic.WrapValidator:
    """Count a list's items before validating them (pydantic's own length check counts only the valid ones) and
    report a wrong count together with the items' own errors."""

    def check(value: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> Any:
        errors: list[InitErrorDetails] = []
        n = len(value) if isinstance(value, list | tuple) else low
        if n < low or (high is not None and n > high):
            code, word, limit = ("too_few", "minimum", low) if n < low else ("too_many", "limit", high)
            errors.append(error_at(rule_error(code, f"{n} given, the {word} is {limit}", limit, n), (), value))
        try:
            result = handler(value)
        except ValidationError as exc:  # re-raised below with the count error; pydantic prefixes the locations
            for e in exc.errors():
                safe = e["msg"].replace("{", "(").replace("}", ")")
                errors.append(error_at(PydanticCustomError(e["type"], safe, e.get("ctx")), e["loc"], e["input"]))
        if errors:
            raise ValidationError.from_exception_data("count", errors)
        return result

    return pydantic.WrapValidator(check)


_CONFIG = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Localized(BaseModel):
    """A text in Arabic and English, both required and non-empty after stripping; the field's type sets limits."""

    model_config = _CONFIG

    ar: str
    en: str

    @field_validator("ar", "en")
    @classmethod
    def _filled(cls, value: str) -> str:
        if not value:
            raise rule_error("empty", "must not be empty")
        return value

    def get(self, locale: str) -> str:
        """The text in a locale: Arabic for "ar", English otherwise."""
        return self.ar if locale == "ar" else self.en


def _limits(max_chars: int, max_line_feeds: int | None = None, html_subset: bool = False) -> pydantic.AfterValidator:
    """Check both languages of a Localized and report each one's problem at its own path (.ar, .en)."""

    def check_one(text: str) -> None:
        n = tg_len(visible_html(text) if html_subset else text)
        if n > max_chars:
            what = "characters without tags" if html_subset else "characters"
            raise rule_error("too_long", f"{n} {what}, the limit is {max_chars}", max_chars, n)
        if max_line_feeds is not None and (n := text.count("\n")) > max_line_feeds:
            raise rule_error("too_many_line_feeds", f"{n} line feeds, the limit is {max_line_feeds}", max_line_feeds, n)

    def check(value: Localized) -> Localized:
        errors: list[InitErrorDetails] = []
        for locale in ("ar", "en"):
            try:
                check_one(getattr(value, locale))
            except PydanticCustomError as error:
                errors.append(error_at(error, (locale,), getattr(value, locale)))
        if errors:
            raise ValidationError.from_exception_data("limits", errors)
        return value

    return pydantic.AfterValidator(check)


Title = Annotated[Localized, _limits(TITLE_MAX)]
Task = Annotated[Localized, _limits(TASK_MAX)]
LinkLabel = Annotated[Localized, _limits(LINK_LABEL_MAX)]
QuestionText = Annotated[Localized, _limits(QUESTION_MAX)]
OptionText = Annotated[Localized, _limits(OPTION_MAX)]
Explanation = Annotated[Localized, _limits(EXPLANATION_MAX, EXPLANATION_MAX_LINE_FEEDS)]
Prompt = Annotated[Localized, _limits(PROMPT_MAX, html_subset=True)]  # Telegram HTML; new lines instead of <br>


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise rule_error("bad_id", "use 1 to 40 lowercase Latin letters, digits or hyphens", 40, tg_len(value))
    return value


Slug = Annotated[str, pydantic.AfterValidator(_slug)]


class Link(BaseModel):
    model_config = _CONFIG

    url: str
    label: LinkLabel

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not _URL.fullmatch(value):
            raise rule_error("bad_url", "must be a full web address that starts with https://")
        return value


class Question(BaseModel):
    """A quiz question; `correct` holds 0-based option indexes (exactly one unless `multiple` is true)."""

    model_config = _CONFIG

    question: QuestionText
    options: Annotated[tuple[OptionText, ...], _count(OPTIONS_MIN, OPTIONS_MAX)]
    multiple: pydantic.StrictBool = False
    correct: Annotated[tuple[StrictInt, ...], _count(1)]
    explanation: Explanation

    @field_validator("correct", mode="before")
    @classmethod
    def _one_index(cls, value: object) -> object:
        return [value] if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("correct")
    @classmethod
    def _indexes(cls, value: tuple[int, ...], info: pydantic.ValidationInfo) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise rule_error("duplicate_index", "an option index is listed twice")
        if (options := info.data.get("options")) is not None:
            last = len(options) - 1
            for index in value:
                if not 0 <= index <= last:
                    message = f"option {index} does not exist: the options are numbered from 0 to {last}"
                    raise rule_error("bad_index", message, last, index)
        if info.data.get("multiple") is False and len(value) > 1:
            raise rule_error(
                "too_many", f"{len(value)} correct options, the limit is 1 without `multiple: true`", 1, len(value)
            )
        return value


class Lesson(BaseModel):
    model_config = _CONFIG

    id: Slug
    title: Title
    prompt: Prompt
    task: Task
    links: Annotated[tuple[Link, ...], _count(0, LINKS_MAX)] = ()
    image: str | None = None
    questions: Annotated[tuple[Question, ...], _count(QUESTIONS_MIN, QUESTIONS_MAX)]

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is None or (value.startswith("https://") and _URL.fullmatch(value)):
            return value
        path = PurePosixPath(value)
        if "\\" in value or "://" in value or path.is_absolute() or ".." in path.parts:
            raise rule_error("bad_image", "use an https:// address or a relative path inside the curriculum folder")
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise rule_error("bad_image", "the image must be " + ", ".join(IMAGE_SUFFIXES))
        return value

    @property
    def local_image(self) -> bool:
        return self.image is not None and not self.image.startswith("https://")


class Curriculum(BaseModel):
    model_config = _CONFIG

    id: Slug
    version: StrictInt = Field(default=1, ge=1)
    title: Title
    lessons: Annotated[tuple[Lesson, ...], _count(1)]

    @field_validator("lessons")
    @classmethod
    def _unique_ids(cls, lessons: tuple[Lesson, ...]) -> tuple[Lesson, ...]:
        seen: dict[str, int] = {}
        for number, lesson in enumerate(lessons, 1):
            if (first := seen.setdefault(lesson.id, number)) != number:
                raise rule_error("duplicate_id", f'lesson #{number} has the id "{lesson.id}" of lesson #{first}')
        return lessons

    def lesson(self, number: int) -> Lesson:
        """Lesson `number`, counted from 1 (the delivery day)."""
        if not 1 <= number <= len(self.lessons):
            raise IndexError(f"lesson {number} does not exist: there are {len(self.lessons)}")
        return self.lessons[number - 1]
