"""Builders for Bot API JSON objects and decoding of PTB's request bodies."""

from __future__ import annotations

import json
import time
from typing import Any

from .formatting import utf16_len

JSON = dict[str, Any]

BOT_FIRST_NAME = "Cohort Bot"

# Parameters whose form value is a plain string (PTB only JSON-encodes non-string values, so a
# text "123" or "true" must not be decoded as JSON).
STRING_PARAMS: frozenset[str] = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "language_code",
        "file_id",
        "question",
        "question_parse_mode",
        "explanation",
        "explanation_parse_mode",
        "description_parse_mode",
        "type",
        "action",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "title",
        "performer",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "address",
        "foursquare_id",
        "photo",
        "document",
        "video",
        "voice",
        "audio",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
        "cover",
        "certificate",
    }
)


def decode_value(name: str, value: str) -> Any:
    """Decode one form field the way PTB encoded it (``RequestParameter.json_value``)."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def now() -> int:
    return int(time.time())


def user_json(
    user_id: int,
    first_name: str,
    *,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    is_bot: bool = False,
) -> JSON:
    data: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name is not None:
        data["last_name"] = last_name
    if username is not None:
        data["username"] = username
    if language_code is not None:
        data["language_code"] = language_code
    return data


def bot_user_json(bot_id: int, username: str) -> JSON:
    return user_json(bot_id, BOT_FIRST_NAME, username=username, is_bot=True)


def me_json(bot_id: int, username: str) -> JSON:
    return {
        **bot_user_json(bot_id, username),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def private_chat_json(user: JSON) -> JSON:
    chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def chat_full_info_json(chat: JSON) -> JSON:
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def command_entities(text: str) -> list[JSON]:
    """A ``bot_command`` entity for a leading ``/command`` (as Telegram adds it)."""
    if not text.startswith("/"):
        return []
    end = 1
    while end < len(text) and (text[end].isascii() and (text[end].isalnum() or text[end] in "_@")):
        end += 1
    if end == 1:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:end])}]


def photo_sizes(file_id: str, unique_id: str, size: int) -> list[JSON]:
    """Two PhotoSize entries (thumbnail and full size) like Telegram returns for a photo."""
    return [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": f"{unique_id}s",
            "width": 90,
            "height": 90,
            "file_size": min(size, 1000),
        },
        {"file_id": file_id, "file_unique_id": unique_id, "width": 800, "height": 600, "file_size": size},
    ]


def media_json(kind: str, file_id: str, unique_id: str, size: int, file_name: str | None, mime: str | None) -> Any:
    """The Message field for a media kind (photo → list of PhotoSize, others → one dict)."""
    if kind == "photo":
        return photo_sizes(file_id, unique_id, size)
    data: JSON = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
    if kind in ("video", "animation"):
        data.update(width=640, height=360, duration=1)
    if kind in ("voice", "audio"):
        data["duration"] = 1
    if kind != "voice" and file_name:
        data["file_name"] = file_name
    if mime:
        data["mime_type"] = mime
    return data


def reply_markup_for_message(markup: JSON | None) -> JSON | None:
    """Only inline keyboards are part of a Message object."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def chat_member_json(status: str, user: JSON) -> JSON:
    member: JSON = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    return member
