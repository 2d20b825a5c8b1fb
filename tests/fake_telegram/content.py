"""Validation of message content shared by the send/edit methods (text, captions, keyboards, files)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api import Call
from .formatting import parse_text
from .models import FileRecord, bad_request
from .objects import reply_markup_for_message

if TYPE_CHECKING:
    from .server import FakeTelegram

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
INLINE_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


def message_text(call: Call) -> tuple[str, list[JSON]]:
    """``text`` + ``parse_mode``/``entities`` → plain text and entities (1–4096 characters)."""
    raw = call.get("text")
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    text, entities = parse_text(str(raw), call.get("parse_mode"), call.json("entities"))
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, entities


def caption_of(call: Call | JSON, *, key: str = "caption") -> tuple[str | None, list[JSON]]:
    """Optional caption (0–1024 characters after parsing)."""
    params = call.params if isinstance(call, Call) else call
    raw = params.get(key)
    if raw is None or raw == "":
        return None, []
    entities = params.get("caption_entities")
    text, parsed = parse_text(str(raw), params.get("parse_mode"), entities if isinstance(entities, list) else None)
    if len(text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return (text or None), parsed


def reply_markup(call: Call, *, inline_only: bool = False) -> JSON | None:
    """Validate ``reply_markup`` like Telegram (callback_data ≤ 64 bytes, buttons with an action)."""
    markup = call.json("reply_markup")
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not str(button.get("text", "")):
                    raise bad_request("BUTTON_TEXT_INVALID")
                if not INLINE_ACTIONS.intersection(button):
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise bad_request("BUTTON_URL_INVALID")
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label:
                    raise bad_request("BUTTON_TEXT_INVALID")
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def reply_to(fake: FakeTelegram, chat: JSON, call: Call) -> JSON | None:
    """The message replied to (``reply_parameters`` or legacy ``reply_to_message_id``)."""
    parameters = call.json("reply_parameters")
    message_id: Any = None
    allow_missing = call.flag("allow_sending_without_reply")
    if isinstance(parameters, dict):
        message_id = parameters.get("message_id")
        allow_missing = allow_missing or bool(parameters.get("allow_sending_without_reply"))
    elif call.get("reply_to_message_id") is not None:
        message_id = call.get("reply_to_message_id")
    if message_id is None:
        return None
    message = fake.messages.get((int(chat["id"]), int(message_id)))
    if message is None and not allow_missing:
        raise bad_request("message to be replied not found")
    if message is None:
        return None
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def message_fields(fields: JSON, markup: JSON | None, replied: JSON | None, *, call: Call | None = None) -> JSON:
    """Add the common optional Message fields (inline keyboard, reply, protect_content)."""
    inline = reply_markup_for_message(markup)
    if inline is not None:
        fields["reply_markup"] = inline
    if replied is not None:
        fields["reply_to_message"] = replied
    if call is not None and call.flag("protect_content"):
        fields["has_protected_content"] = True
    return fields


def resolve_file(fake: FakeTelegram, call: Call, value: Any, field: str, folder: str) -> FileRecord:
    """An uploaded file (multipart / attach://), a known file_id, or an HTTP URL."""
    upload: tuple[str, bytes, str] | None = None
    if isinstance(value, str) and value.startswith("attach://"):
        upload = call.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"wrong HTTP URL specified: attached file {value!r} not found")
    elif value is None and field in call.files:
        upload = call.files[field]
    if upload is not None:
        file_name, content, content_type = upload
        if not content:
            raise bad_request("file must be non-empty")
        mime = None if folder == "photos" else content_type
        return fake.register_file(content, file_name, mime, folder)
    if isinstance(value, str) and value:
        known = fake.files.get(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            return fake.register_file(b"", name, None, folder)
        raise bad_request("wrong file identifier/HTTP URL specified")
    raise bad_request(f"there is no {field} in the request")


def file_of_message(fake: FakeTelegram, message: JSON) -> FileRecord | None:
    """The file record behind a message's media, if the fake knows it."""
    for kind in ("photo", "document", "video", "voice", "audio", "animation", "sticker", "video_note"):
        media = message.get(kind)
        if isinstance(media, list) and media:
            media = media[-1]
        if isinstance(media, dict) and "file_id" in media:
            return fake.files.get(str(media["file_id"]))
    return None
