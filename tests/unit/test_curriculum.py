"""Unit tests: curriculum files, the shipped curriculum, and validation at each limit and one past it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from bot.services.lessons.curriculum import (
    MAX_FILE_BYTES,
    Curriculum,
    CurriculumError,
    Localized,
    Problem,
    load_curriculum,
    parse_curriculum,
    tg_len,
    visible_html,
)

SHIPPED = Path(__file__).resolve().parents[2] / "curriculum" / "digital-campaigns.yaml"
ARABIC = re.compile("[\u0600-\u06ff]")


def loc(en: str, ar: str | None = None) -> dict[str, str]:
    return {"ar": ar if ar is not None else f"نص {en}", "en": en}


def question(n_options: int = 3) -> dict[str, Any]:
    options = [loc(f"option {i}") for i in range(n_options)]
    return {"question": loc("Which one?"), "options": options, "correct": [1], "explanation": loc("Because.")}


def lesson(lesson_id: str = "first") -> dict[str, Any]:
    return {
        "id": lesson_id,
        "title": loc("A title"),
        "prompt": loc("<b>Hello</b> &amp; welcome"),
        "task": loc("Do it today."),
        "questions": [question()],
    }


def document() -> dict[str, Any]:
    return {"id": "test", "version": 1, "title": loc("Test"), "lessons": [lesson(), lesson("second")]}


def parse(doc: dict[str, Any]) -> Curriculum:
    return parse_curriculum(yaml.safe_dump(doc, allow_unicode=True), "curriculum/t.yaml")


def problems(doc: dict[str, Any] | str) -> list[Problem]:
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "curriculum/t.yaml")
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return caught.value.problems


def only(doc: dict[str, Any] | str) -> Problem:
    found = problems(doc)
    assert len(found) == 1, found
    return found[0]


def texts(value: object) -> Iterator[Localized]:
    if isinstance(value, Localized):
        yield value
    elif isinstance(value, pydantic.BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name))
    elif isinstance(value, tuple):
        for item in value:
            yield from texts(item)


# The shipped curriculum


def test_shipped_curriculum_validates() -> None:
    curriculum = load_curriculum(SHIPPED)
    assert curriculum.id == "digital-campaigns"
    assert len(curriculum.lessons) >= 12
    ids = [lesson.id for lesson in curriculum.lessons]
    assert len(ids) == len(set(ids))
    assert curriculum.lesson(1).id == ids[0] and curriculum.lesson(len(ids)).id == ids[-1]


def test_shipped_curriculum_is_in_arabic_and_english() -> None:
    curriculum = load_curriculum(SHIPPED)
    localized = list(texts(curriculum))
    assert len(localized) > 12 * 10
    for text in localized:
        assert text.ar.strip() and text.en.strip()
        assert ARABIC.search(text.ar) or text.ar == text.en, text.ar  # a password example is the same in both
        assert not ARABIC.search(text.en), text.en


def test_shipped_quizzes_are_well_formed() -> None:
    curriculum = load_curriculum(SHIPPED)
    questions = [q for lesson in curriculum.lessons for q in lesson.questions]
    assert all(2 <= len(lesson.questions) <= 4 for lesson in curriculum.lessons)
    assert all(3 <= len(q.options) <= 4 for q in questions)
    assert sum(q.multiple for q in questions) <= 2
    assert all(len(q.correct) == 1 for q in questions if not q.multiple)
    positions = {q.correct[0] for q in questions}
    assert len(positions) >= 3, "vary the position of the correct option"
    for lesson in curriculum.lessons:
        words = len(visible_html(lesson.prompt.en).split())
        assert 60 <= words <= 200, (lesson.id, words)


# Valid documents


def test_minimal_document_and_helpers() -> None:
    curriculum = parse(document())
    assert len(curriculum.lessons) == 2
    assert curriculum.lesson(2).id == "second"
    assert curriculum.lesson(1).questions[0].correct == (1,)
    assert curriculum.title.get("ar") == "نص Test" and curriculum.title.get("en") == "Test"
    with pytest.raises(IndexError):
        curriculum.lesson(0)
    with pytest.raises(IndexError):
        curriculum.lesson(3)
    with pytest.raises(pydantic.ValidationError):
        curriculum.lesson(1).title.en = "changed"


def test_bytes_with_bom_single_index_and_multiple_answers() -> None:
    doc = document()
    doc["lessons"][0]["questions"][0] |= {"correct": 2}
    doc["lessons"][1]["questions"][0] |= {"multiple": True, "correct": [0, 2]}
    text = "\ufeff" + yaml.safe_dump(doc, allow_unicode=True)
    curriculum = parse_curriculum(text.encode("utf-8"), "upload.yaml")
    assert curriculum.lesson(1).questions[0].correct == (2,)
    assert curriculum.lesson(2).questions[0].correct == (0, 2)


def test_text_is_stripped_and_counted_like_telegram() -> None:
    doc = document()
    doc["title"] = loc("  Padded\n", "  عنوان  ")
    assert parse(doc).title == Localized(ar="عنوان", en="Padded")
    assert tg_len("abc") == 3 and tg_len("نص") == 2 and tg_len("👍") == 2


# Each limit: exactly at it (valid) and one past it (the right path, code and limit)

Setter = Callable[[dict[str, Any], int], None]


def set_question(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["questions"][0]["question"]["en"] = "q" * n


def set_option(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["questions"][0]["options"][1]["ar"] = "ب" * n


def set_explanation(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["questions"][0]["explanation"]["ar"] = "ت" * n


def set_line_feeds(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["questions"][0]["explanation"]["en"] = "\n".join(["line"] * (n + 1))


def set_options(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["questions"][0] |= {"options": [loc(f"o{i}") for i in range(n)], "correct": [0]}


def set_questions(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][1]["questions"] = [question() for _ in range(n)]


def set_title(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["title"]["en"] = "t" * n


def set_task(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["task"]["ar"] = "م" * n


def set_prompt(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["prompt"]["en"] = "<b>" + "p" * (n - 5) + "</b> &amp; " + "<i>x</i>" * 2


def set_links(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["links"] = [{"url": f"https://example.org/{i}", "label": loc("Read")} for i in range(n)]


def set_label(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["links"] = [{"url": "https://example.org/", "label": loc("Read", "ل" * n)}]


def set_lesson_id(doc: dict[str, Any], n: int) -> None:
    doc["lessons"][0]["id"] = "a" * n


LIMITS: list[tuple[str, Setter, int, int, str | None, str, str]] = [
    # name, setter, valid, invalid, lesson id in the error, field, code
    ("question", set_question, 300, 301, "first", "questions[0].question.en", "too_long"),
    ("option", set_option, 100, 101, "first", "questions[0].options[1].ar", "too_long"),
    ("explanation", set_explanation, 200, 201, "first", "questions[0].explanation.ar", "too_long"),
    ("line feeds", set_line_feeds, 2, 3, "first", "questions[0].explanation.en", "too_many_line_feeds"),
    ("fewest options", set_options, 2, 1, "first", "questions[0].options", "too_few"),
    ("most options", set_options, 10, 11, "first", "questions[0].options", "too_many"),
    ("most questions", set_questions, 5, 6, "second", "questions", "too_many"),
    ("fewest questions", set_questions, 1, 0, "second", "questions", "too_few"),
    ("title", set_title, 100, 101, "first", "title.en", "too_long"),
    ("task", set_task, 1000, 1001, "first", "task.ar", "too_long"),
    ("prompt without tags", set_prompt, 3500, 3501, "first", "prompt.en", "too_long"),
    ("links", set_links, 5, 6, "first", "links", "too_many"),
    ("link label", set_label, 64, 65, "first", "links[0].label.ar", "too_long"),
]


@pytest.mark.parametrize(
    ("setter", "valid", "invalid", "lesson_id", "field", "code"),
    [case[1:] for case in LIMITS],
    ids=[case[0] for case in LIMITS],
)
def test_limit(setter: Setter, valid: int, invalid: int, lesson_id: str, field: str, code: str) -> None:
    doc = document()
    setter(doc, valid)
    parse(doc)
    setter(doc, invalid)
    problem = only(doc)
    number = 1 if lesson_id == "first" else 2
    assert (problem.lesson, problem.lesson_number, problem.field, problem.code) == (lesson_id, number, field, code)
    assert (problem.limit, problem.actual) == (valid, invalid)
    assert str(valid) in problem.message and str(invalid) in problem.message


def test_message_names_file_lesson_field_and_limit() -> None:
    doc = document()
    set_option(doc, 112)
    assert str(only(doc)) == (
        'curriculum/t.yaml: lesson "first" (#1): questions[0].options[1].ar: 112 characters, the limit is 100'
    )


def test_lesson_id_limit_and_form() -> None:
    doc = document()
    set_lesson_id(doc, 40)
    parse(doc)
    for bad in ("a" * 41, "Has Space", "قرار", ""):
        doc["lessons"][0]["id"] = bad
        problem = only(doc)
        assert (problem.lesson_number, problem.field, problem.code) == (1, "id", "bad_id")


# Wrong, missing and inconsistent values


def test_missing_translation() -> None:
    doc = document()
    del doc["lessons"][1]["questions"][0]["options"][2]["en"]
    problem = only(doc)
    assert (problem.lesson, problem.field, problem.code) == ("second", "questions[0].options[2].en", "missing")


def test_empty_translation() -> None:
    doc = document()
    doc["title"]["ar"] = "   "
    problem = only(doc)
    assert (problem.lesson, problem.field, problem.code) == (None, "title.ar", "empty")
    assert str(problem) == "curriculum/t.yaml: title.ar: must not be empty"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["lessons"][0]["questions"][0].update(options="yes, no"), "questions[0].options"),
        (lambda d: d["lessons"][0]["questions"][0]["options"][0].update(en=42), "questions[0].options[0].en"),
        (lambda d: d["lessons"][0]["questions"][0].update(correct="1"), "questions[0].correct"),
        (lambda d: d["lessons"][0]["questions"][0].update(multiple="yes please"), "questions[0].multiple"),
        (lambda d: d["lessons"][0].update(title="Only one language"), "title"),
    ],
)
def test_wrong_type(change: Callable[[dict[str, Any]], None], field: str) -> None:
    doc = document()
    change(doc)
    problem = only(doc)
    assert (problem.lesson, problem.field, problem.code) == ("first", field, "bad_type")
    assert problem.message.startswith("expected ")


def test_number_where_text_is_expected_hints_at_quotes() -> None:
    doc = document()
    doc["lessons"][0]["questions"][0]["options"][0]["en"] = 42
    assert only(doc).message == "expected text, got a number (put it in quotes)"


@pytest.mark.parametrize(
    ("correct", "multiple", "code", "limit", "actual"),
    [
        ([3], False, "bad_index", 2, 3),
        ([-1], False, "bad_index", 2, -1),
        ([0, 1], False, "too_many", 1, 2),
        ([1, 1], True, "duplicate_index", None, None),
        ([], False, "too_few", 1, 0),
    ],
)
def test_bad_correct(correct: list[int], multiple: bool, code: str, limit: int | None, actual: int | None) -> None:
    doc = document()
    doc["lessons"][0]["questions"][0] |= {"correct": correct, "multiple": multiple}
    problem = only(doc)
    assert (problem.field, problem.code, problem.limit, problem.actual) == ("questions[0].correct", code, limit, actual)


def test_correct_at_the_last_option_is_valid() -> None:
    doc = document()
    doc["lessons"][0]["questions"][0]["correct"] = [2]
    assert parse(doc).lesson(1).questions[0].correct == (2,)


def test_duplicate_lesson_id_is_reported_with_other_problems() -> None:
    doc = document()
    doc["lessons"][1]["id"] = "first"
    assert only(doc).code == "duplicate_id"
    set_question(doc, 301)
    found = problems(doc)
    assert [(p.lesson_number, p.field, p.code) for p in found] == [
        (1, "questions[0].question.en", "too_long"),
        (2, "id", "duplicate_id"),
    ]
    assert 'lesson "first" (#2): id: "first" is already the id of lesson #1' in str(found[1])


def test_unknown_field() -> None:
    doc = document()
    doc["lessons"][0]["qestions"] = []
    problem = only(doc)
    assert (problem.field, problem.code) == ("qestions", "unknown_field")


def test_no_lessons_and_version() -> None:
    doc = document()
    doc["lessons"] = []
    doc["version"] = 0
    found = problems(doc)
    assert {(p.field, p.code, p.limit) for p in found} == {("lessons", "too_few", 1), ("version", "too_small", 1)}


# HTML in prompts


@pytest.mark.parametrize(
    "prompt",
    [
        'Read <a href="https://www.facebook.com/help">the help</a>.',
        "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>",
        '<blockquote expandable>quote</blockquote> <pre><code class="language-python">x = 1</code></pre>',
        "<b>nested <i>tags</i></b> &lt;tag&gt; &amp; &quot; &#1575;",
        "Plain text, no tags at all.",
    ],
)
def test_good_html(prompt: str) -> None:
    doc = document()
    doc["lessons"][0]["prompt"]["en"] = prompt
    parse(doc)


@pytest.mark.parametrize(
    ("prompt", "words"),
    [
        ("<script>alert(1)</script>", "<script> is not allowed"),
        ("<b>never closed", "<b> is never closed"),
        ("<b><i>crossed</b></i>", "</b> does not close"),
        ("closed</b>", "</b> does not close"),
        ("one<br>two", "Telegram has no <br>"),
        ("<br/>", "<br> is not allowed"),
        ("salt & pepper", "bare '&'"),
        ("1 < 2", "not a tag"),
        ("2 > 1", "bare '>'"),
        ("<a>no link</a>", "needs exactly href"),
        ('<a href="javascript:alert(1)">x</a>', "needs exactly href"),
        ('<b class="x">x</b>', "takes no such attributes"),
    ],
)
def test_bad_html(prompt: str, words: str) -> None:
    doc = document()
    doc["lessons"][0]["prompt"]["ar"] = prompt
    problem = only(doc)
    assert (problem.lesson, problem.field, problem.code) == ("first", "prompt.ar", "bad_html")
    assert words in problem.message


# Links and images


def test_bad_link_url() -> None:
    doc = document()
    doc["lessons"][0]["links"] = [{"url": "www.facebook.com", "label": loc("Facebook")}]
    problem = only(doc)
    assert (problem.field, problem.code) == ("links[0].url", "bad_url")


@pytest.mark.parametrize("image", ["https://example.org/a.png", "images/day-1.jpg", "b.webp"])
def test_good_image(image: str) -> None:
    doc = document()
    doc["lessons"][0]["image"] = image
    assert parse(doc).lesson(1).image == image


@pytest.mark.parametrize(
    "image", ["../secret.png", "/etc/a.png", "http://example.org/a.png", "images/a.gif", "a\\b.png"]
)
def test_bad_image(image: str) -> None:
    doc = document()
    doc["lessons"][0]["image"] = image
    problem = only(doc)
    assert (problem.field, problem.code) == ("image", "bad_image")


def test_load_checks_local_images(tmp_path: Path) -> None:
    doc = document()
    doc["lessons"][1]["image"] = "images/day-2.png"
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(path)
    [problem] = caught.value.problems
    assert (problem.lesson, problem.lesson_number, problem.field, problem.code) == ("second", 2, "image", "not_found")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "day-2.png").write_bytes(b"\x89PNG")
    assert load_curriculum(path).lesson(2).local_image


# The file as a whole


def test_malformed_yaml_has_a_line_number() -> None:
    text = "id: test\ntitle:\n  ar: عنوان\n  en: [Title\nlessons: []\n"
    problem = only(text)
    assert problem.code == "yaml_syntax" and problem.line is not None and problem.line >= 4
    assert problem.message.startswith(f"line {problem.line}, column {problem.column}: ")


def test_tab_indentation_is_explained() -> None:
    problem = only("id: test\n\ttitle: x\n")
    assert (problem.code, problem.line) == ("yaml_syntax", 2)
    assert "spaces, not tabs" in problem.message


@pytest.mark.parametrize(("text", "got"), [("", "an empty value"), ("- a\n- b\n", "a list"), ("just text", "text")])
def test_document_must_be_a_mapping(text: str, got: str) -> None:
    problem = only(text)
    assert problem.code == "bad_type" and problem.message.endswith(got)


def test_file_size_limit() -> None:
    body = yaml.safe_dump(document(), allow_unicode=True).encode()
    text = b"#" * (MAX_FILE_BYTES - len(body) - 1) + b"\n" + body
    assert len(text) == MAX_FILE_BYTES
    parse_curriculum(text, "big.yaml")
    problem = only((text + b"#").decode())
    assert (problem.code, problem.limit) == ("too_large", MAX_FILE_BYTES)


def test_not_utf8() -> None:
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum("id: تجربة".encode("cp1256"), "upload.yaml")
    assert caught.value.problems[0].code == "bad_encoding"


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert only("\n".join(lines)).code == "too_large"


def test_deep_nesting_is_refused() -> None:
    assert only("lessons: " + "[" * 5000).code == "too_deep"


def test_all_problems_are_reported_together() -> None:
    doc = document()
    set_question(doc, 301)
    doc["lessons"][0]["prompt"]["en"] = "<b>open"
    del doc["lessons"][1]["task"]["ar"]
    doc["lessons"][1]["questions"][0]["options"] = [loc("only one")]
    doc["lessons"][1]["questions"][0]["correct"] = [5]
    found = problems(doc)
    assert [(p.lesson, p.field, p.code) for p in found] == [
        ("first", "prompt.en", "bad_html"),
        ("first", "questions[0].question.en", "too_long"),
        ("second", "task.ar", "missing"),
        ("second", "questions[0].options", "too_few"),
    ]
    with pytest.raises(CurriculumError) as caught:
        parse(doc)
    assert len(str(caught.value).splitlines()) == 4


def test_load_reports_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(tmp_path / "missing.yaml")
    assert caught.value.problems[0].code == "unreadable"
