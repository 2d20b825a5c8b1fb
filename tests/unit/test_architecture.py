"""The code's shape (issue 11): handlers never open a unit of work nor build button data by hand; no production module
over 400 lines; no function over 60 lines without a comment saying why.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("bot", "handlers", "storage", "scripts")
MODULE_MAX_LINES = 400
FUNCTION_MAX_LINES = 60

# Text that reads like button data but is not: declarations' labels, a curriculum's source name.
NOT_BUTTON_DATA = {'f"typed:{self.name}"', 'f"button:{self.name}"', 'f"chat:{file_name}"'}
# Schema migrations are history: never edited, so never split.
NOT_CHECKED = ("storage/migrations/versions/",)
UNIT_OF_WORK = re.compile(r"\bservices\.db\b|\bUnitOfWork\b|\.transaction\(")
BUTTON_DATA = re.compile(r"^[a-z]{1,8}:")  # "<prefix>:…" at the start of an f-string or a concatenation


def modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from (p for p in sorted((ROOT / folder).rglob("*.py")) if not relative(p).startswith(NOT_CHECKED))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def code_lines(source: str) -> Iterator[str]:
    """The source's lines but comment lines (a comment may name what it warns against)."""
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            yield line


def opens_a_unit_of_work(path: Path) -> bool:
    return any(UNIT_OF_WORK.search(line.split("#", 1)[0]) for line in code_lines(path.read_text()))


def leading_text(node: ast.expr) -> str | None:
    """The literal text an f-string, a concatenation or a "…".format(…) begins with."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        value = node.values[0].value
        return value if isinstance(value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return node.left.value
        return leading_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        target = node.func.value
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            return target.value
    return None


def looks_like_button_data(source: str, node: ast.AST) -> bool:
    if not isinstance(node, ast.expr) or (text := leading_text(node)) is None or not BUTTON_DATA.match(text):
        return False
    return ast.get_source_segment(source, node) not in NOT_BUTTON_DATA


def hand_built_button_data(path: Path) -> list[int]:
    source = path.read_text()
    return sorted(node.lineno for node in ast.walk(ast.parse(source)) if looks_like_button_data(source, node))


def has_why_comment(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A comment line among the body's first lines (after the docstring, if any)."""
    body = node.body
    first = (
        body[1]
        if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
        else body[0]
    )
    start = node.lineno - 1
    end = first.lineno + 1  # the first statement's line and the one after it
    return any(line.strip().startswith("#") or "  # " in line for line in lines[start:end])


def long_functions(path: Path) -> Iterator[str]:
    source = path.read_text()
    lines = source.splitlines()

    def visit(node: ast.AST, prefix: str) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if length > FUNCTION_MAX_LINES and not has_why_comment(lines, child):
                    yield f"{relative(path)}:{name}"
                yield from visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")

    yield from visit(ast.parse(source), "")


def test_handlers_never_open_a_unit_of_work() -> None:
    offenders = sorted(relative(p) for p in modules("handlers") if opens_a_unit_of_work(p))
    assert not offenders, f"handlers call services instead: {offenders}"


def test_handlers_build_button_data_with_codecs() -> None:
    offenders = {relative(p): hand_built_button_data(p) for p in modules("handlers")}
    new = {path: lines for path, lines in offenders.items() if lines}
    assert not new, f"button data built by hand (use a handlers.core.buttons codec): {new}"


def test_no_production_module_is_over_400_lines() -> None:
    long = sorted(relative(p) for p in modules(*PRODUCTION) if len(p.read_text().splitlines()) > MODULE_MAX_LINES)
    assert not long, f"over {MODULE_MAX_LINES} lines: {long}"


def test_no_long_function_without_a_comment_saying_why() -> None:
    long = sorted(name for p in modules(*PRODUCTION) for name in long_functions(p))
    assert not long, f"over {FUNCTION_MAX_LINES} lines, no why: {long}"


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def keyboard(x):\n"
        "    rows = [(label, f'rl:l:{x}'), ('b', 'cp:' + str(x)), ('c', 'cc:m:{}'.format(x))]\n"
        "    log(f'update {x}: done')\n"
        "    return rows\n"
    )
    assert hand_built_button_data(sample) == [2, 2, 2]
    body = "\n".join(f"    x = {i}" for i in range(FUNCTION_MAX_LINES))
    sample.write_text(f"def long():\n{body}\n\n\ndef explained():\n    # why: one table\n{body}\n")
    assert [name.split(":")[1] for name in long_functions(sample)] == ["long"]
