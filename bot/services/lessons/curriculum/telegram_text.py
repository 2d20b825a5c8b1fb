"""Telegram's rules for a text: its length as Telegram counts it, and the HTML subset it accepts.

Violations are pydantic custom errors with a machine-readable code and limit/actual, so that the curriculum model
reports them at their field and the chat layer can translate them.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pydantic_core import InitErrorDetails, PydanticCustomError

ALLOWED_TAGS = ("b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler")

_SPECIAL = re.compile(r"[<>&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*|/)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_HREF = re.compile(r'\s*href\s*=\s*"((?:https?|tg)://[^"\s<>]+)"\s*')
_CODE_CLASS = re.compile(r'\s*class\s*=\s*"language-[\w+#-]+"\s*')


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def rule_error(code: str, message: str, limit: int | None = None, actual: int | None = None) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"limit": limit, "actual": actual})


def error_at(error: PydanticCustomError, loc: tuple[int | str, ...], value: Any) -> InitErrorDetails:
    return {"type": error, "loc": loc, "input": value}


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
            raise rule_error("bad_html", f"a bare '>': write &gt;{where}")
        if special.group() == "&":
            if not (entity := _ENTITY.match(text, special.start())):
                raise rule_error("bad_html", f"a bare '&': write &amp;{where}")
            shown.append(html.unescape(entity.group()))
            pos = entity.end()
            continue
        if not (tag := _TAG.match(text, special.start())):
            raise rule_error("bad_html", f"a '<' that is not a tag: write &lt;{where}")
        closing, name, attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        if name not in ALLOWED_TAGS:
            hint = "Telegram has no <br>: start a new line" if name == "br" else "allowed: " + ", ".join(ALLOWED_TAGS)
            raise rule_error("bad_html", f"<{name}> is not allowed ({hint}){where}")
        if closing:
            if attrs.strip() or not stack or stack[-1] != name:
                still = f"<{stack[-1]}> is open" if stack else "nothing is open"
                raise rule_error("bad_html", f"</{name}> does not close an open <{name}>: {still}{where}")
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
            raise rule_error("bad_html", f"{need}{where}")
        pos = tag.end()
    if stack:
        raise rule_error("bad_html", f"<{stack[-1]}> is never closed")
    shown.append(text[pos:])
    return "".join(shown)
