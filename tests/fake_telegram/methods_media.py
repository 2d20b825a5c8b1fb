"""Bot API methods that send media, polls and other non-text messages."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .api import Call, Handler, api
from .content import caption_of, message_fields, reply_markup, reply_to, resolve_file
from .formatting import parse_text
from .models import bad_request
from .objects import media_json

if TYPE_CHECKING:
    from .server import FakeTelegram

JSON = dict[str, Any]

MEDIA_KINDS = {  # method → (parameter / Message field, storage folder)
    "sendPhoto": ("photo", "photos"),
    "sendDocument": ("document", "documents"),
    "sendVideo": ("video", "videos"),
    "sendVoice": ("voice", "voice"),
    "sendAudio": ("audio", "music"),
    "sendAnimation": ("animation", "animations"),
}
GROUP_KINDS = {"photo": "photos", "video": "videos", "document": "documents", "audio": "music"}
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_POLL_OPTIONS = 12
MAX_POLL_QUESTION = 300
MAX_POLL_OPTION_TEXT = 100


def _media_handler(kind: str, folder: str) -> Handler:
    async def send_media(fake: FakeTelegram, call: Call) -> JSON:
        chat = fake.target_chat(call.get("chat_id"))
        caption, entities = caption_of(call)
        markup = reply_markup(call)
        record = resolve_file(fake, call, call.get(kind), kind, folder)
        replied = reply_to(fake, chat, call)
        fake.take_rate(chat["id"])
        file_name = record.file_name if kind != "photo" else None
        fields: JSON = {
            kind: media_json(kind, record.file_id, record.file_unique_id, record.file_size, file_name, record.mime_type)
        }
        if caption:
            fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
        message = fake.bot_message(chat, message_fields(fields, markup, replied, call=call))
        fake.store_bot_message(
            message,
            method=call.method,
            params=call.params,
            text=caption,
            entities=entities,
            reply_markup=markup,
            file=record,
        )
        return message

    return send_media


for _method, (_kind, _folder) in MEDIA_KINDS.items():
    api(_method)(_media_handler(_kind, _folder))


@api("sendMediaGroup")
async def send_media_group(fake: FakeTelegram, call: Call) -> list[JSON]:
    chat = fake.target_chat(call.get("chat_id"))
    media = call.json("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media specified: must be 2-10 items")
    prepared = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in GROUP_KINDS:
            raise bad_request("unsupported media type in the media group")
        kind = str(item["type"])
        record = resolve_file(fake, call, item.get("media"), kind, GROUP_KINDS[kind])
        caption, entities = caption_of(item)
        prepared.append((kind, record, caption, entities))
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"], len(prepared))
    group_id = str(10**12 + fake.next_id())
    messages = []
    for kind, record, caption, entities in prepared:
        file_name = record.file_name if kind != "photo" else None
        fields: JSON = {
            "media_group_id": group_id,
            kind: media_json(
                kind, record.file_id, record.file_unique_id, record.file_size, file_name, record.mime_type
            ),
        }
        if caption:
            fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
        message = fake.bot_message(chat, message_fields(fields, None, replied, call=call))
        fake.store_bot_message(
            message, method=call.method, params=call.params, text=caption, entities=entities, file=record
        )
        messages.append(message)
    return messages


@api("sendPoll")
async def send_poll(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    question, question_entities = parse_text(
        str(call.get("question", "")), call.get("question_parse_mode"), call.json("question_entities")
    )
    if not question:
        raise bad_request("poll question must be non-empty")
    if len(question) > MAX_POLL_QUESTION:
        raise bad_request("poll question length must not exceed 300")
    raw_options = call.json("options")
    if not isinstance(raw_options, list) or not 1 <= len(raw_options) <= MAX_POLL_OPTIONS:
        raise bad_request("poll must have 1-12 options")
    options: list[JSON] = []
    for index, raw in enumerate(raw_options):
        text = raw.get("text") if isinstance(raw, dict) else raw
        if not isinstance(text, str):
            raise bad_request("can't parse poll option")
        option_entities: list[JSON] = []
        if isinstance(raw, dict):
            text, option_entities = parse_text(text, raw.get("text_parse_mode"), raw.get("text_entities"))
        if not 1 <= len(text.strip()) <= MAX_POLL_OPTION_TEXT:
            raise bad_request("poll options length must not exceed 100")
        option: JSON = {"text": text.strip(), "voter_count": 0, "persistent_id": str(index)}
        if option_entities:
            option["text_entities"] = option_entities
        options.append(option)
    poll_type = str(call.get("type", "regular"))
    if poll_type not in ("regular", "quiz"):
        raise bad_request("wrong poll type specified")
    correct = call.json("correct_option_ids")
    if correct is None and call.get("correct_option_id") is not None:
        correct = [call.integer("correct_option_id")]
    if poll_type == "quiz":
        if not isinstance(correct, list) or not correct:
            raise bad_request("quiz poll must have a correct option")
        if any(not isinstance(i, int) or not 0 <= i < len(options) for i in correct):
            raise bad_request("wrong correct option id specified")
    markup = reply_markup(call)
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"])
    poll: JSON = {
        "id": fake.new_poll_id(),
        "question": question,
        "options": options,
        "total_voter_count": 0,
        "is_closed": call.flag("is_closed"),
        "is_anonymous": call.flag("is_anonymous", True),
        "type": poll_type,
        "allows_multiple_answers": call.flag("allows_multiple_answers"),
        "allows_revoting": call.flag("allows_revoting", poll_type == "regular"),
        "members_only": call.flag("members_only"),
    }
    if question_entities:
        poll["question_entities"] = question_entities
    if poll_type == "quiz":
        poll["correct_option_ids"] = correct
    for key in ("explanation", "open_period", "close_date", "description"):
        if call.get(key) is not None:
            poll[key] = call.get(key)
    fake.polls[poll["id"]] = poll
    message = fake.bot_message(chat, message_fields({"poll": poll}, markup, replied, call=call))
    fake.store_bot_message(
        message, method=call.method, params=call.params, text=question, reply_markup=markup, poll=poll
    )
    return message


@api("stopPoll")
async def stop_poll(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    sent = fake.sent_by_key.get((int(chat["id"]), call.integer("message_id")))
    if sent is None or sent.poll is None or sent.deleted:
        raise bad_request("message with poll to stop not found")
    if sent.poll.get("is_closed"):
        raise bad_request("poll has already been closed")
    sent.poll["is_closed"] = True
    markup = reply_markup(call, inline_only=True)
    if markup is not None:
        sent.reply_markup = markup
        sent.raw["reply_markup"] = markup
    fake.push_update({"poll": copy.deepcopy(sent.poll)})
    return sent.poll


@api("sendLocation")
async def send_location(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    location = {"latitude": float(call.require("latitude")), "longitude": float(call.require("longitude"))}
    markup = reply_markup(call)
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"])
    message = fake.bot_message(chat, message_fields({"location": location}, markup, replied, call=call))
    fake.store_bot_message(message, method=call.method, params=call.params, reply_markup=markup)
    return message


@api("sendContact")
async def send_contact(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    contact: JSON = {"phone_number": str(call.require("phone_number")), "first_name": str(call.require("first_name"))}
    if call.get("last_name"):
        contact["last_name"] = call.get("last_name")
    markup = reply_markup(call)
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"])
    message = fake.bot_message(chat, message_fields({"contact": contact}, markup, replied, call=call))
    fake.store_bot_message(message, method=call.method, params=call.params, reply_markup=markup)
    return message


@api("sendSticker")
async def send_sticker(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    record = resolve_file(fake, call, call.get("sticker"), "sticker", "stickers")
    markup = reply_markup(call)
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"])
    sticker: JSON = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
        "file_size": record.file_size,
    }
    if call.get("emoji"):
        sticker["emoji"] = call.get("emoji")
    message = fake.bot_message(chat, message_fields({"sticker": sticker}, markup, replied, call=call))
    fake.store_bot_message(message, method=call.method, params=call.params, reply_markup=markup, file=record)
    return message


@api("sendChatAction")
async def send_chat_action(fake: FakeTelegram, call: Call) -> bool:
    fake.target_chat(call.get("chat_id"))
    if call.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
