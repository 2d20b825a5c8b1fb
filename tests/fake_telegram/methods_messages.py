"""Bot API methods that send, edit, copy and delete text messages, and callback answers."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .api import Call, api
from .content import (
    caption_of,
    file_of_message,
    message_fields,
    message_text,
    reply_markup,
    reply_to,
)
from .models import SentMessage, bad_request
from .objects import now, reply_markup_for_message

if TYPE_CHECKING:
    from .server import FakeTelegram

JSON = dict[str, Any]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "video",
    "voice",
    "audio",
    "animation",
    "sticker",
    "video_note",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)


@api("sendMessage")
async def send_message(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    text, entities = message_text(call)
    markup = reply_markup(call)
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"])
    fields: JSON = {"text": text}
    if entities:
        fields["entities"] = entities
    if isinstance(call.json("link_preview_options"), dict):
        fields["link_preview_options"] = call.json("link_preview_options")
    message = fake.bot_message(chat, message_fields(fields, markup, replied, call=call))
    fake.store_bot_message(
        message, method=call.method, params=call.params, text=text, entities=entities, reply_markup=markup
    )
    return message


def _editable(fake: FakeTelegram, call: Call) -> SentMessage:
    if call.get("inline_message_id"):
        raise bad_request("message to edit not found")
    chat = fake.target_chat(call.get("chat_id"))
    key = (int(chat["id"]), call.integer("message_id"))
    sent = fake.sent_by_key.get(key)
    if sent is None or sent.deleted:
        if key in fake.messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return sent


def _apply_edit(fake: FakeTelegram, sent: SentMessage, message: JSON, markup: JSON | None) -> JSON:
    inline = reply_markup_for_message(markup)
    if inline is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = inline
    message["edit_date"] = now()
    # a reply keyboard belongs to the chat, not to the message: editing keeps it
    if markup is not None or (sent.reply_markup is not None and "inline_keyboard" in sent.reply_markup):
        sent.reply_markup = markup
    sent.raw = message
    fake.chat_signal(sent.chat_id).notify()  # people waiting for an answer see edits too
    return message


@api("editMessageText")
async def edit_message_text(fake: FakeTelegram, call: Call) -> JSON:
    sent = _editable(fake, call)
    old = sent.raw
    if "text" not in old:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call)
    markup = reply_markup(call, inline_only=True)
    if (
        text == old["text"]
        and entities == old.get("entities", [])
        and reply_markup_for_message(markup) == old.get("reply_markup")
    ):
        raise bad_request(NOT_MODIFIED)
    message = copy.deepcopy(old)
    message["text"] = text
    message.pop("entities", None)
    if entities:
        message["entities"] = entities
    sent.edits.append(str(old["text"]))
    sent.text, sent.entities = text, entities
    sent.parse_mode = call.get("parse_mode")
    fake.messages[(sent.chat_id, sent.message_id)] = _apply_edit(fake, sent, message, markup)
    return message


@api("editMessageCaption")
async def edit_message_caption(fake: FakeTelegram, call: Call) -> JSON:
    sent = _editable(fake, call)
    old = sent.raw
    if "text" in old or "poll" in old:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = caption_of(call)
    markup = reply_markup(call, inline_only=True)
    if (
        caption == old.get("caption")
        and entities == old.get("caption_entities", [])
        and reply_markup_for_message(markup) == old.get("reply_markup")
    ):
        raise bad_request(NOT_MODIFIED)
    message = copy.deepcopy(old)
    message.pop("caption", None)
    message.pop("caption_entities", None)
    if caption:
        message["caption"] = caption
    if entities:
        message["caption_entities"] = entities
    sent.edits.append(str(old.get("caption") or ""))
    sent.text, sent.entities = caption, entities
    sent.parse_mode = call.get("parse_mode")
    fake.messages[(sent.chat_id, sent.message_id)] = _apply_edit(fake, sent, message, markup)
    return message


@api("editMessageReplyMarkup")
async def edit_message_reply_markup(fake: FakeTelegram, call: Call) -> JSON:
    sent = _editable(fake, call)
    markup = reply_markup(call, inline_only=True)
    if reply_markup_for_message(markup) == sent.raw.get("reply_markup"):
        raise bad_request(NOT_MODIFIED)
    message = copy.deepcopy(sent.raw)
    fake.messages[(sent.chat_id, sent.message_id)] = _apply_edit(fake, sent, message, markup)
    return message


@api("deleteMessage", "deleteMessages")
async def delete_message(fake: FakeTelegram, call: Call) -> bool:
    chat = fake.target_chat(call.get("chat_id"), check_blocked=False)
    ids = call.json("message_ids") if call.method == "deleteMessages" else [call.integer("message_id")]
    if not isinstance(ids, list) or not ids:
        raise bad_request("message identifiers are not specified")
    found = False
    for message_id in ids:
        key = (int(chat["id"]), int(message_id))
        if fake.messages.pop(key, None) is not None:
            found = True
            sent = fake.sent_by_key.get(key)
            if sent is not None:
                sent.deleted = True
    if not found:
        raise bad_request("message to delete not found")
    return True


@api("answerCallbackQuery")
async def answer_callback_query(fake: FakeTelegram, call: Call) -> bool:
    query_id = str(call.get("callback_query_id", ""))
    if query_id not in fake.pending_queries:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query = fake.pending_queries.pop(query_id)
    answer: JSON = {"text": text, "show_alert": call.flag("show_alert")}
    for key in ("url", "cache_time"):
        if call.get(key) is not None:
            answer[key] = call.get(key)
    fake.callback_answers[query_id] = answer
    fake.chat_signal(int(query["from"]["id"])).notify()
    return True


def _source(fake: FakeTelegram, call: Call, what: str) -> JSON:
    from_chat = fake.target_chat(call.get("from_chat_id"), check_blocked=False)
    source = fake.messages.get((int(from_chat["id"]), call.integer("message_id")))
    if source is None:
        raise bad_request(f"message to {what} not found")
    return source


def _copy_content(fake: FakeTelegram, source: JSON) -> tuple[JSON, JSON | None]:
    fields = {key: copy.deepcopy(source[key]) for key in CONTENT_KEYS if key in source}
    poll = fields.get("poll")
    if isinstance(poll, dict):
        poll["id"] = fake.new_poll_id()
        for option in poll.get("options", []):
            option["voter_count"] = 0
        poll["total_voter_count"] = 0
        fake.polls[poll["id"]] = poll
        return fields, poll
    return fields, None


@api("copyMessage")
async def copy_message(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    source = _source(fake, call, "copy")
    fields, poll = _copy_content(fake, source)
    if call.get("caption") is not None:
        if "text" in fields:
            raise bad_request("caption can't be specified for text messages")
        caption, entities = caption_of(call)
        fields.pop("caption", None)
        fields.pop("caption_entities", None)
        if caption:
            fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
    markup = reply_markup(call)
    replied = reply_to(fake, chat, call)
    fake.take_rate(chat["id"])
    message = fake.bot_message(chat, message_fields(fields, markup, replied, call=call))
    text = message.get("text", message.get("caption"))
    fake.store_bot_message(
        message,
        method=call.method,
        params=call.params,
        text=text if isinstance(text, str) else (poll or {}).get("question"),
        entities=message.get("entities", message.get("caption_entities")),
        reply_markup=markup,
        file=file_of_message(fake, message),
        poll=poll,
    )
    return {"message_id": message["message_id"]}


@api("forwardMessage")
async def forward_message(fake: FakeTelegram, call: Call) -> JSON:
    chat = fake.target_chat(call.get("chat_id"))
    source = _source(fake, call, "forward")
    fields, poll = _copy_content(fake, source)
    if isinstance(source.get("poll"), dict):  # a forwarded poll is the same poll
        fields["poll"] = poll = source["poll"]
    fields["forward_origin"] = {"type": "user", "sender_user": source["from"], "date": source["date"]}
    fake.take_rate(chat["id"])
    message = fake.bot_message(chat, fields)
    text = message.get("text", message.get("caption"))
    fake.store_bot_message(
        message,
        method=call.method,
        params=call.params,
        text=text if isinstance(text, str) else (poll or {}).get("question"),
        entities=message.get("entities", message.get("caption_entities")),
        file=file_of_message(fake, message),
        poll=poll,
    )
    return message


@api("pinChatMessage", "unpinChatMessage", "unpinAllChatMessages")
async def pin_chat_message(fake: FakeTelegram, call: Call) -> bool:
    chat = fake.target_chat(call.get("chat_id"))
    if call.method == "pinChatMessage" and (int(chat["id"]), call.integer("message_id")) not in fake.messages:
        raise bad_request("message to pin not found")
    return True
