"""Plain data types shared by the fake Telegram server and the simulated users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class FileRecord:
    """A file the fake server can serve (uploaded by the bot, sent by a user or added by a test)."""

    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str

    @property
    def file_size(self) -> int:
        return len(self.content)


@dataclass
class SentMessage:
    """One message the bot sent (or copied/forwarded) through the fake server."""

    message_id: int
    chat_id: int
    method: str
    text: str | None
    parse_mode: str | None
    reply_markup: JSON | None
    file_bytes: bytes | None
    file_name: str | None
    poll: JSON | None
    params: JSON
    edits: list[str] = field(default_factory=list)
    sent_at: float = 0.0
    # extras (not part of the original spec, all defaulted)
    entities: list[JSON] = field(default_factory=list)
    deleted: bool = False
    raw: JSON = field(default_factory=dict, repr=False)  # the Message object as last returned to the bot

    def buttons(self) -> list[list[JSON]]:
        """The ``inline_keyboard`` rows, ``[]`` if the message has no inline keyboard."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [list(row) for row in rows]

    def keyboard(self) -> list[list[JSON]]:
        """Reply-keyboard rows (buttons normalised to dicts), ``[]`` if none."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]

    def button_texts(self) -> list[str]:
        """Flattened texts of the inline buttons, or of the reply-keyboard buttons."""
        rows = self.buttons() or self.keyboard()
        return [str(button.get("text", "")) for row in rows for button in row]

    def button(self, text: str) -> JSON | None:
        """The inline (or reply keyboard) button with exactly this text, if any."""
        for row in self.buttons() or self.keyboard():
            for button in row:
                if button.get("text") == text:
                    return button
        return None

    def __str__(self) -> str:
        buttons = self.button_texts()
        suffix = f" {buttons}" if buttons else ""
        return f"#{self.message_id} {self.method}: {self.text!r}{suffix}"
