"""Telegram text formatting: HTML / MarkdownV2 / Markdown parse modes → (plain text, entities).

The parsers follow the Bot API rules closely enough to reject what Telegram rejects
(unknown HTML tags such as ``<br>``, unbalanced tags, unescaped MarkdownV2 reserved characters)
and to produce the same plain text and UTF-16 based entity offsets.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .models import ApiError, bad_request

JSON = dict[str, Any]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


@dataclass
class _Builder:
    pieces: list[str] = field(default_factory=list)
    pos: int = 0  # UTF-16 offset of the end of the text built so far
    entities: list[JSON] = field(default_factory=list)

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.pos += utf16_len(text)

    def add(self, entity: JSON, start: int) -> None:
        if self.pos > start:
            self.entities.append({**entity, "offset": start, "length": self.pos - start})

    def result(self) -> tuple[str, list[JSON]]:
        return strip_text("".join(self.pieces), self.entities)


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim leading/trailing whitespace as Telegram does, shifting and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = lead + utf16_len(stripped)
    fixed: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            fixed.append({**entity, "offset": start - lead, "length": stop - start})
    return stripped, sorted(fixed, key=lambda e: (e["offset"], -e["length"]))


def parse_text(text: str, parse_mode: str | None, entities: list[JSON] | None = None) -> tuple[str, list[JSON]]:
    """Apply ``parse_mode`` (or explicit ``entities``) the way the Bot API does."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return strip_text(text, [dict(e) for e in entities or []])
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------------------------- HTML

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR_RE = re.compile(r"""([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "pre": "pre",
}


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JSON | None


def _attrs(raw: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR_RE.finditer(raw)
    }


def _html_entity(name: str, attrs: dict[str, str], stack: list[_OpenTag], where: int) -> JSON | None:
    if name in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[name]}
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
        return {"type": "spoiler"}
    if name == "a":
        href = attrs.get("href")
        if not href:
            return None
        match = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if match:
            return {"type": "text_mention", "user": {"id": int(match.group(1)), "is_bot": False, "first_name": ""}}
        return {"type": "text_link", "url": href}
    if name == "code":
        language = attrs.get("class", "")
        parent = stack[-1] if stack else None
        if (
            parent is not None
            and parent.name == "pre"
            and parent.entity is not None
            and language.startswith("language-")
        ):
            parent.entity["language"] = language.removeprefix("language-")
            return None
        return {"type": "code"}
    if name == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if name == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        if not emoji_id:
            raise _parse_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {where}')
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    raise _parse_error(f'Unsupported start tag "{name}" at byte offset {where}')


def parse_html(src: str) -> tuple[str, list[JSON]]:
    out = _Builder()
    stack: list[_OpenTag] = []
    i = 0
    while i < len(src):
        char = src[i]
        if char == "<":
            where = _byte_offset(src, i)
            match = _TAG_RE.match(src, i)
            if match is None:
                if src.startswith("</", i):
                    raise _parse_error(f"Unexpected end tag at byte offset {where}")
                bad = re.match(r"<([^\s<>/]*)", src[i:])
                raise _parse_error(f'Unsupported start tag "{bad.group(1) if bad else ""}" at byte offset {where}')
            closing, tag, raw_attrs, self_closing = match.groups()
            name = tag.lower()
            if closing:
                if not stack:
                    raise _parse_error(f"Unexpected end tag at byte offset {where}")
                top = stack.pop()
                if top.name != name:
                    raise _parse_error(
                        f'Unmatched end tag at byte offset {where}, expected "</{top.name}>", found "</{name}>"'
                    )
                if top.entity is not None:
                    out.add(top.entity, top.start)
            else:
                entity = _html_entity(name, _attrs(raw_attrs), stack, where)
                if not self_closing:
                    stack.append(_OpenTag(name, out.pos, entity))
            i = match.end()
            continue
        if char == "&":
            ref = _CHAR_REF_RE.match(src, i)
            if ref is not None:
                body = ref.group(1)
                if body.startswith("#"):
                    code = int(body[2:], 16) if body[1:2] in "xX" else int(body[1:])
                    out.emit(chr(code) if 0 < code <= 0x10FFFF else "\ufffd")
                    i = ref.end()
                    continue
                if body in _NAMED_REFS:
                    out.emit(_NAMED_REFS[body])
                    i = ref.end()
                    continue
        out.emit(char)
        i += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


# ---------------------------------------------------------------------------------------- MarkdownV2

_RESERVED_V2 = frozenset("_*[]()~`>#+-=|{}.!")
_KIND_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenMd:
    kind: str
    start: int
    where: int
    extra: JSON = field(default_factory=dict)


def _reserved(char: str) -> ApiError:
    return _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


def _unclosed(entry: _OpenMd) -> ApiError:
    name = _KIND_NAMES.get(entry.kind, entry.kind)
    return _parse_error(f"Can't find end of {name} entity at byte offset {entry.where}")


def parse_markdown_v2(src: str) -> tuple[str, list[JSON]]:
    out = _Builder()
    stack: list[_OpenMd] = []
    quote: _OpenMd | None = None
    i, n = 0, len(src)
    line_start = True

    def toggle(kind: str, width: int) -> None:
        nonlocal i
        if stack and stack[-1].kind == kind:
            entry = stack.pop()
            out.add({"type": kind}, entry.start)
        elif any(entry.kind == kind for entry in stack):
            raise _unclosed(stack[-1])
        else:
            stack.append(_OpenMd(kind, out.pos, _byte_offset(src, i)))
        i += width

    while i < n:
        char = src[i]
        top = stack[-1].kind if stack else None
        if char == "\\" and i + 1 < n and 1 <= ord(src[i + 1]) <= 126:
            out.emit(src[i + 1])
            i += 2
            line_start = False
            continue
        if top in ("code", "pre"):
            if char == "`":
                if top == "pre" and not src.startswith("```", i):
                    raise _reserved("`")
                entry = stack.pop()
                out.add({"type": entry.kind, **entry.extra}, entry.start)
                i += 3 if top == "pre" else 1
            else:
                out.emit(char)
                i += 1
            continue
        if line_start and (char == ">" or src.startswith("**>", i)):
            if quote is None:
                expandable = char == "*"
                kind = "expandable_blockquote" if expandable else "blockquote"
                quote = _OpenMd(kind, out.pos, _byte_offset(src, i))
            i += 1 if char == ">" else 3
            line_start = False
            continue
        line_start = False
        if char == "\n":
            if quote is not None and not (src.startswith(">", i + 1) or src.startswith("**>", i + 1)):
                out.add({"type": quote.kind}, quote.start)
                quote = None
            out.emit(char)
            i += 1
            line_start = True
            continue
        if char == "*":
            toggle("bold", 1)
        elif char == "_":
            if src.startswith("__", i):
                toggle("underline", 2)
            else:
                toggle("italic", 1)
        elif char == "~":
            toggle("strikethrough", 1)
        elif char == "|":
            if not src.startswith("||", i):
                raise _reserved("|")
            rest = src[i + 2 :]
            if quote is not None and quote.kind == "expandable_blockquote" and rest[:1] in ("", "\n"):
                i += 2  # end marker of an expandable block quotation
            else:
                toggle("spoiler", 2)
        elif char == "`":
            where = _byte_offset(src, i)
            if src.startswith("```", i):
                entry = _OpenMd("pre", out.pos, where)
                newline = src.find("\n", i + 3)
                head = src[i + 3 : newline] if newline != -1 else ""
                if newline != -1 and re.fullmatch(r"[A-Za-z0-9_+#.-]*", head):
                    if head:
                        entry.extra["language"] = head
                    i = newline + 1
                else:
                    i += 3
                stack.append(entry)
            else:
                stack.append(_OpenMd("code", out.pos, where))
                i += 1
        elif char == "[" or (char == "!" and src.startswith("![", i)):
            kind = "custom_emoji" if char == "!" else "text_link"
            stack.append(_OpenMd(kind, out.pos, _byte_offset(src, i)))
            i += 2 if char == "!" else 1
        elif char == "]" and top in ("text_link", "custom_emoji"):
            if not src.startswith("(", i + 1):
                raise _reserved("]")
            j = i + 2
            url: list[str] = []
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                url.append(src[j])
                j += 1
            if j >= n:
                raise _parse_error(f"Can't find end of a url at byte offset {_byte_offset(src, i + 1)}")
            entry = stack.pop()
            target = "".join(url)
            if entry.kind == "custom_emoji":
                emoji_id = target.partition("id=")[2]
                out.add({"type": "custom_emoji", "custom_emoji_id": emoji_id}, entry.start)
            else:
                out.add({"type": "text_link", "url": target}, entry.start)
            i = j + 1
        elif char in _RESERVED_V2:
            raise _reserved(char)
        else:
            out.emit(char)
            i += 1
    if stack:
        raise _unclosed(stack[-1])
    if quote is not None:
        out.add({"type": quote.kind}, quote.start)
    return out.result()


# ----------------------------------------------------------------------------------- legacy Markdown


def parse_markdown(src: str) -> tuple[str, list[JSON]]:
    out = _Builder()
    i, n = 0, len(src)

    def missing_end(at: int) -> ApiError:
        return _parse_error(f"Can't find end of the entity starting at byte offset {_byte_offset(src, at)}")

    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.emit(src[i + 1])
            i += 2
        elif char in "*_":
            end = src.find(char, i + 1)
            if end == -1:
                raise missing_end(i)
            start = out.pos
            out.emit(src[i + 1 : end])
            out.add({"type": "bold" if char == "*" else "italic"}, start)
            i = end + 1
        elif char == "`":
            start = out.pos
            if src.startswith("```", i):
                end = src.find("```", i + 3)
                if end == -1:
                    raise missing_end(i)
                body = src[i + 3 : end]
                entity: JSON = {"type": "pre"}
                head, sep, rest = body.partition("\n")
                if sep and re.fullmatch(r"[A-Za-z0-9_+#.-]+", head):
                    entity["language"] = head
                    body = rest
                out.emit(body)
                out.add(entity, start)
                i = end + 3
            else:
                end = src.find("`", i + 1)
                if end == -1:
                    raise missing_end(i)
                out.emit(src[i + 1 : end])
                out.add({"type": "code"}, start)
                i = end + 1
        elif char == "[":
            close = src.find("]", i + 1)
            if close == -1 or not src.startswith("(", close + 1) or src.find(")", close + 2) == -1:
                raise missing_end(i)
            url_end = src.find(")", close + 2)
            start = out.pos
            out.emit(src[i + 1 : close])
            out.add({"type": "text_link", "url": src[close + 2 : url_end]}, start)
            i = url_end + 1
        else:
            out.emit(char)
            i += 1
    return out.result()
