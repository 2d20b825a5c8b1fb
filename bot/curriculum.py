"""Curricula: one YAML file each under curriculum/, validated against Telegram's limits before anything is imported.

Pure domain code (no Telegram, no database). Every text is given in Arabic and English. Lengths are counted as
Telegram counts them (UTF-16 code units: an emoji may count as 2). Errors name the file, the lesson, the field path,
what is wrong and the limit, and carry a machine-readable code and limit/actual so the chat layer can translate them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000  # YAML aliases can multiply a small file; a real curriculum has a few thousand values
TITLE_MAX, TASK_MAX, PROMPT_MAX, LINK_LABEL_MAX = 100, 1000, 3500, 64
QUESTION_MAX, OPTION_MAX, EXPLANATION_MAX, EXPLANATION_MAX_LINE_FEEDS = 300, 100, 200, 2
OPTIONS_MIN, OPTIONS_MAX, QUESTIONS_MIN, QUESTIONS_MAX, LINKS_MAX = 2, 10, 1, 5, 5
ALLOWED_TAGS = ("b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")

_SLUG = re.compile(r"[a-z0-9-]{1,40}")
_URL = re.compile(r"https?://[^\s/?#.][^\s]*")
_SPECIAL = re.compile(r"[<>&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*|/)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_HREF = re.compile(r'\s*href\s*=\s*"((?:https?|tg)://[^"\s<>]+)"\s*')
_CODE_CLASS = re.compile(r'\s*class\s*=\s*"language-[\w+#-]+"\s*')


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _error(code: str, message: str, limit: int | None = None, actual: int | None = None) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"limit": limit, "actual": actual})


def _detail(error: PydanticCustomError, loc: tuple[int | str, ...], value: Any) -> InitErrorDetails:
    return {"type": error, "loc": loc, "input": value}


def _count(low: int, high: int | None = None) -> pydantic.WrapValidator:
    """Count a list's items before validating them (pydantic's own length check counts only the valid ones) and
    report a wrong count together with the items' own errors."""

    def check(value: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> Any:
        errors: list[InitErrorDetails] = []
        n = len(value) if isinstance(value, list | tuple) else low
        if n < low or (high is not None and n > high):
            code, word, limit = ("too_few", "minimum", low) if n < low else ("too_many", "limit", high)
            errors.append(_detail(_error(code, f"{n} given, the {word} is {limit}", limit, n), (), value))
        try:
            result = handler(value)
        except ValidationError as exc:  # re-raised below with the count error; pydantic prefixes the locations
            for e in exc.errors():
                safe = e["msg"].replace("{", "(").replace("}", ")")
                errors.append(_detail(PydanticCustomError(e["type"], safe, e.get("ctx")), e["loc"], e["input"]))
        if errors:
            raise ValidationError.from_exception_data("count", errors)
        return result

    return pydantic.WrapValidator(check)


def visible_html(text: str) -> str:
    """Check Telegram's HTML subset (allowed tags, attributes, balanced nesting, escaped <>&); return the text shown."""
    stack: list[str] = []
    shown: list[str] = []
    pos = 0
    for special in _SPECIAL.finditer(text):
        if special.start() < pos:
            continue
        shown.append(text[pos : special.start()])
        where = f" (at character {special.start() + 1})"
        if special.group() == ">":
            raise _error("bad_html", f"a bare '>': write &gt;{where}")
        if special.group() == "&":
            if not (entity := _ENTITY.match(text, special.start())):
                raise _error("bad_html", f"a bare '&': write &amp;{where}")
            shown.append(html.unescape(entity.group()))
            pos = entity.end()
            continue
        if not (tag := _TAG.match(text, special.start())):
            raise _error("bad_html", f"a '<' that is not a tag: write &lt;{where}")
        closing, name, attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        if name not in ALLOWED_TAGS:
            hint = "Telegram has no <br>: start a new line" if name == "br" else "allowed: " + ", ".join(ALLOWED_TAGS)
            raise _error("bad_html", f"<{name}> is not allowed ({hint}){where}")
        if closing:
            if attrs.strip() or not stack or stack[-1] != name:
                still = f"<{stack[-1]}> is open" if stack else "nothing is open"
                raise _error("bad_html", f"</{name}> does not close an open <{name}>: {still}{where}")
            stack.pop()
        elif (
            (name == "a" and _HREF.fullmatch(attrs))
            or (name != "a" and not attrs.strip())
            or (name == "blockquote" and attrs.strip() == "expandable")
            or (name == "code" and _CODE_CLASS.fullmatch(attrs))
        ):
            stack.append(name)
        else:
            need = '<a> needs exactly href="https://…"' if name == "a" else f"<{name}> takes no such attributes"
            raise _error("bad_html", f"{need}{where}")
        pos = tag.end()
    if stack:
        raise _error("bad_html", f"<{stack[-1]}> is never closed")
    shown.append(text[pos:])
    return "".join(shown)


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
            raise _error("empty", "must not be empty")
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
            raise _error("too_long", f"{n} {what}, the limit is {max_chars}", max_chars, n)
        if max_line_feeds is not None and (n := text.count("\n")) > max_line_feeds:
            raise _error("too_many_line_feeds", f"{n} line feeds, the limit is {max_line_feeds}", max_line_feeds, n)

    def check(value: Localized) -> Localized:
        errors: list[InitErrorDetails] = []
        for locale in ("ar", "en"):
            try:
                check_one(getattr(value, locale))
            except PydanticCustomError as error:
                errors.append(_detail(error, (locale,), getattr(value, locale)))
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
        raise _error("bad_id", "use 1 to 40 lowercase Latin letters, digits or hyphens", 40, tg_len(value))
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
            raise _error("bad_url", "must be a full web address that starts with https://")
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
            raise _error("duplicate_index", "an option index is listed twice")
        if (options := info.data.get("options")) is not None:
            last = len(options) - 1
            for index in value:
                if not 0 <= index <= last:
                    message = f"option {index} does not exist: the options are numbered from 0 to {last}"
                    raise _error("bad_index", message, last, index)
        if info.data.get("multiple") is False and len(value) > 1:
            raise _error(
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
            raise _error("bad_image", "use an https:// address or a relative path inside the curriculum folder")
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise _error("bad_image", "the image must be " + ", ".join(IMAGE_SUFFIXES))
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
                raise _error("duplicate_id", f'lesson #{number} has the id "{lesson.id}" of lesson #{first}')
        return lessons

    def lesson(self, number: int) -> Lesson:
        """Lesson `number`, counted from 1 (the delivery day)."""
        if not 1 <= number <= len(self.lessons):
            raise IndexError(f"lesson {number} does not exist: there are {len(self.lessons)}")
        return self.lessons[number - 1]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a curriculum file. `lesson` is the lesson's id when it has one, `lesson_number` counts from
    1, list indexes in `field` from 0. `code` is machine-readable; `limit`/`actual` and `line`/`column` when they apply.
    """

    file: str
    lesson: str | None
    field: str
    message: str
    code: str = "invalid"
    limit: int | None = None
    actual: int | None = None
    lesson_number: int | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if (n := self.lesson_number) is not None:
            parts.append(f'lesson "{self.lesson}" (#{n})' if self.lesson else f"lesson #{n}")
        return ": ".join([*parts, *([self.field] if self.field else []), self.message])


class CurriculumError(Exception):
    """Every problem found in one curriculum document; str() gives one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


_MAPPING = "a mapping (key: value)"
_EXPECTED = {"string": "text", "list": "a list", "tuple": "a list", "int": "a whole number", "bool": "true or false"}
_EXPECTED |= {"model": _MAPPING, "dict": _MAPPING}


def _describe(value: object) -> str:
    kinds = ((bool, "true/false"), ((int, float), "a number"), (str, "text"), (list, "a list"), (dict, "a mapping"))
    if value is None:
        return "an empty value"
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def _explain(error: ErrorDetails) -> tuple[str, str, int | None, int | None]:
    """(code, message, limit, actual) for one pydantic error."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "missing", "required but missing", None, None
    if kind == "extra_forbidden":
        return "unknown_field", "unknown field (check the spelling and the indentation)", None, None
    if kind == "greater_than_equal":
        actual = value if isinstance(value, int) else None
        return "too_small", f"{value}, the minimum is {ctx['ge']}", int(ctx["ge"]), actual
    if kind.endswith(("_type", "_parsing", "_from_float")) and (expected := _EXPECTED.get(kind.split("_")[0])):
        scalar = value is not None and not isinstance(value, str | list | dict)
        hint = " (put it in quotes)" if expected == "text" and scalar else ""
        return "bad_type", f"expected {expected}, got {_describe(value)}{hint}", None, None
    return kind, error["msg"], ctx.get("limit"), ctx.get("actual")


def _raw_lesson_id(data: dict[str, Any], index: int) -> str | None:
    lessons = data.get("lessons")
    raw = lessons[index] if isinstance(lessons, list) and 0 <= index < len(lessons) else None
    value = raw.get("id") if isinstance(raw, dict) else None
    return (value.strip() or None) if isinstance(value, str) else None


def _problem(source: str, data: dict[str, Any], error: ErrorDetails) -> Problem:
    loc, lesson, number = tuple(error["loc"]), None, None
    if len(loc) >= 2 and loc[0] == "lessons" and isinstance(loc[1], int):
        lesson, number, loc = _raw_lesson_id(data, loc[1]), loc[1] + 1, loc[2:]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    code, message, limit, actual = _explain(error)
    return Problem(source, lesson, field, message, code, limit, actual, number)


def _duplicate_ids(source: str, data: dict[str, Any]) -> list[Problem]:
    """Found on the raw data, so that they are reported together with every other problem."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index in range(len(data["lessons"]) if isinstance(data.get("lessons"), list) else 0):
        lesson_id = _raw_lesson_id(data, index)
        if lesson_id is not None and (first := seen.setdefault(lesson_id, index + 1)) != index + 1:
            message = f'"{lesson_id}" is already the id of lesson #{first}'
            problems.append(Problem(source, lesson_id, "id", message, "duplicate_id", lesson_number=index + 1))
    return problems


def _too_many_nodes(data: object) -> bool:
    stack, budget = [data], MAX_NODES
    while stack and budget >= 0:
        value, budget = stack.pop(), budget - 1
        stack.extend(value.values() if isinstance(value, dict) else value if isinstance(value, list) else ())
    return budget < 0


def _fail(source: str, message: str, code: str, **extra: Any) -> CurriculumError:
    return CurriculumError([Problem(source, None, "", message, code, **extra)])


def _check_size(source: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise _fail(
            source, f"{size} bytes, the limit is {MAX_FILE_BYTES}", "too_large", limit=MAX_FILE_BYTES, actual=size
        )


def parse_curriculum(text: str | bytes, source: str) -> Curriculum:
    """Validate a curriculum document (a file's or a chat upload's content); CurriculumError lists every problem."""
    _check_size(source, len(text) if isinstance(text, bytes) else len(text.encode()))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _fail(source, f"not UTF-8 text (byte {exc.start + 1})", "bad_encoding") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        if (mark := getattr(exc, "problem_mark", None)) is None:
            raise _fail(source, f"malformed YAML: {exc}", "yaml_syntax") from None
        what = getattr(exc, "problem", None) or "malformed YAML"
        what += " (indent with spaces, not tabs)" if "\\t" in what else ""
        line, column = mark.line + 1, mark.column + 1
        raise _fail(source, f"line {line}, column {column}: {what}", "yaml_syntax", line=line, column=column) from None
    except RecursionError:
        raise _fail(source, "lists or mappings are nested too deeply", "too_deep") from None
    if not isinstance(data, dict):
        raise _fail(source, f"expected a mapping with id, title and lessons, got {_describe(data)}", "bad_type")
    if _too_many_nodes(data):
        raise _fail(source, f"more than {MAX_NODES} values (too many aliases?)", "too_large", limit=MAX_NODES)
    duplicates = _duplicate_ids(source, data)
    try:
        return Curriculum.model_validate(data)
    except ValidationError as exc:
        found = [_problem(source, data, error) for error in exc.errors()]
        problems = duplicates + [p for p in found if p.code != "duplicate_id"] if duplicates else found
        problems.sort(key=lambda problem: problem.lesson_number or 0)
        raise CurriculumError(problems) from None


def load_curriculum(path: Path) -> Curriculum:
    """Read and validate a curriculum file; local images must exist in its folder."""
    source = str(path)
    try:
        _check_size(source, path.stat().st_size)
        content = path.read_bytes()
    except OSError as exc:
        raise _fail(source, f"cannot read the file: {exc.strerror or exc}", "unreadable") from None
    curriculum = parse_curriculum(content, source)
    if missing := missing_images(curriculum, path.parent, source):
        raise CurriculumError(missing)
    return curriculum


def missing_images(curriculum: Curriculum, folder: Path, source: str) -> list[Problem]:
    """A problem for each local image that is not a file in `folder`."""
    return [
        Problem(source, lesson.id, "image", f"no file {lesson.image} in {folder}", "not_found", lesson_number=n)
        for n, lesson in enumerate(curriculum.lessons, 1)
        if lesson.local_image and not (folder / str(lesson.image)).is_file()
    ]
