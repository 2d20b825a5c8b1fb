"""Bot API methods about the bot itself: getMe, updates, webhook, commands, descriptions, files, chats."""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .api import Call, api
from .models import ApiError, bad_request
from .objects import chat_full_info_json, chat_member_json, me_json

if TYPE_CHECKING:
    from .server import FakeTelegram

JSON = dict[str, Any]

COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
LANGUAGE_RE = re.compile(r"[a-z]{2}")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
DESCRIPTION_LIMITS = {"description": 512, "short_description": 120, "name": 64}
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def scope_key(scope: JSON | None = None) -> str:
    """Key of ``fake.commands``: the scope as JSON with sorted keys (default scope if None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


@api("getMe")
async def get_me(fake: FakeTelegram, call: Call) -> JSON:
    return me_json(fake.bot_id, fake.bot_username)


@api("logOut", "close")
async def log_out(fake: FakeTelegram, call: Call) -> bool:
    return True


@api("getUpdates")
async def get_updates(fake: FakeTelegram, call: Call) -> list[JSON]:
    if fake.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    offset = call.integer("offset", 0)
    limit = min(max(call.integer("limit", 100), 1), 100)
    timeout = max(float(call.get("timeout", 0)), 0.0)
    fake.set_allowed_updates(call.json("allowed_updates"))
    fake.poll_generation += 1
    generation = fake.poll_generation
    fake.signal.notify()  # an older long poll still waiting is terminated with 409, like Telegram
    fake.confirm(offset)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != fake.poll_generation:
            raise ApiError(409, POLL_CONFLICT)
        batch = fake.deliverable(limit)
        if batch or fake.closing or fake.webhook is not None:
            return batch
        remaining = deadline - loop.time()
        if remaining <= 0:
            return []
        await fake.signal.wait(remaining)


@api("setWebhook")
async def set_webhook(fake: FakeTelegram, call: Call) -> bool:
    url = str(call.get("url", ""))
    if call.flag("drop_pending_updates"):
        fake.updates.clear()
    if not url:
        fake.webhook = None
        return True
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    fake.set_allowed_updates(call.json("allowed_updates"))
    fake.webhook = {
        key: value for key, value in call.params.items() if key not in ("certificate", "drop_pending_updates")
    }
    fake.webhook["url"] = url
    fake.webhook_error = None
    fake.start_webhook_delivery()
    return True


@api("deleteWebhook")
async def delete_webhook(fake: FakeTelegram, call: Call) -> bool:
    fake.webhook = None
    if call.flag("drop_pending_updates"):
        fake.updates.clear()
    return True


@api("getWebhookInfo")
async def get_webhook_info(fake: FakeTelegram, call: Call) -> JSON:
    info: JSON = {
        "url": fake.webhook["url"] if fake.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(fake.updates),
    }
    if fake.webhook:
        for key in ("max_connections", "ip_address"):
            if key in fake.webhook:
                info[key] = fake.webhook[key]
        if fake.allowed_updates is not None:
            info["allowed_updates"] = sorted(fake.allowed_updates)
        if fake.webhook_error:
            info["last_error_message"] = fake.webhook_error
    return info


def _scope_and_language(call: Call, fake: FakeTelegram) -> tuple[str, str]:
    scope = call.json("scope")
    if scope is not None and (not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES):
        raise bad_request("can't parse BotCommandScope: wrong scope type")
    if isinstance(scope, dict) and scope["type"].startswith("chat") and scope.get("chat_id") is None:
        raise bad_request("chat_id is empty")
    if isinstance(scope, dict) and scope["type"] == "chat":
        chat_id = int(scope["chat_id"])
        if chat_id > 0 and chat_id not in fake.opened:  # a user who never wrote to the bot has no chat with it
            raise bad_request("chat not found")
    language = str(call.get("language_code", ""))
    if language and not LANGUAGE_RE.fullmatch(language):
        raise bad_request("LANGUAGE_CODE_INVALID")
    return scope_key(scope if isinstance(scope, dict) else None), language


@api("setMyCommands")
async def set_my_commands(fake: FakeTelegram, call: Call) -> bool:
    commands = call.json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[JSON] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if not COMMAND_RE.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    key = _scope_and_language(call, fake)
    if cleaned:
        fake.commands[key] = cleaned
    else:
        fake.commands.pop(key, None)
    return True


@api("getMyCommands")
async def get_my_commands(fake: FakeTelegram, call: Call) -> list[JSON]:
    return list(fake.commands.get(_scope_and_language(call, fake), []))


@api("deleteMyCommands")
async def delete_my_commands(fake: FakeTelegram, call: Call) -> bool:
    fake.commands.pop(_scope_and_language(call, fake), None)
    return True


def _description_kind(call: Call) -> str:
    name = call.method.removeprefix("set").removeprefix("get").removeprefix("My")
    return {"Description": "description", "ShortDescription": "short_description", "Name": "name"}[name]


def _language(call: Call) -> str:
    language = str(call.get("language_code", ""))
    if language and not LANGUAGE_RE.fullmatch(language):
        raise bad_request("LANGUAGE_CODE_INVALID")
    return language


@api("setMyDescription", "setMyShortDescription", "setMyName")
async def set_my_description(fake: FakeTelegram, call: Call) -> bool:
    kind = _description_kind(call)
    text = str(call.get(kind, ""))
    if len(text) > DESCRIPTION_LIMITS[kind]:
        raise bad_request(f"{kind.upper()}_TOO_LONG" if kind != "name" else "BOT_NAME_TOO_LONG")
    key = (kind, _language(call))
    if text:
        fake.descriptions[key] = text
    else:
        fake.descriptions.pop(key, None)
    return True


@api("getMyDescription", "getMyShortDescription", "getMyName")
async def get_my_description(fake: FakeTelegram, call: Call) -> JSON:
    kind = _description_kind(call)
    text = fake.descriptions.get((kind, _language(call)), "")
    if kind == "name" and not text:
        text = fake.bot_user["first_name"]
    return {kind: text}


@api("setChatMenuButton")
async def set_chat_menu_button(fake: FakeTelegram, call: Call) -> bool:
    chat_id = 0
    if call.get("chat_id") is not None:
        chat_id = int(fake.target_chat(call.get("chat_id"), check_blocked=False)["id"])
    button = call.json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    fake.menu_buttons[chat_id] = button
    return True


@api("getChatMenuButton")
async def get_chat_menu_button(fake: FakeTelegram, call: Call) -> JSON:
    chat_id = 0
    if call.get("chat_id") is not None:
        chat_id = int(fake.target_chat(call.get("chat_id"), check_blocked=False)["id"])
    return fake.menu_buttons.get(chat_id) or fake.menu_buttons.get(0) or {"type": "commands"}


@api("getFile")
async def get_file(fake: FakeTelegram, call: Call) -> JSON:
    record = fake.files.get(str(call.get("file_id", "")))
    if record is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": call.get("file_id"),
        "file_unique_id": record.file_unique_id,
        "file_size": record.file_size,
        "file_path": record.file_path,
    }


@api("getChat")
async def get_chat(fake: FakeTelegram, call: Call) -> JSON:
    return chat_full_info_json(fake.target_chat(call.get("chat_id"), check_blocked=False))


@api("getChatMember")
async def get_chat_member(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"), check_blocked=False)
    user_id = call.integer("user_id")
    if user_id == fake.bot_id:
        return chat_member_json("kicked" if chat["id"] in fake.blocked else "member", fake.bot_user)
    user = fake.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    return chat_member_json("member", user.json)
