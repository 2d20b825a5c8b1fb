"""Reading a curriculum document: YAML to the model, and every problem found, each named by file, lesson and field.

Errors carry a machine-readable code and limit/actual (and line/column for YAML syntax) so the chat layer can
translate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.services.lessons.curriculum.model import Curriculum

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000  # YAML aliases can multiply a small file; a real curriculum has a few thousand values


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
