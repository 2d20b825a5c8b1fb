"""Simulated Telegram users that talk to the bot through the fake server."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .objects import command_entities

if TYPE_CHECKING:
    from .models import SentMessage
    from .server import FakeTelegram

JSON = dict[str, Any]

# The smallest valid JPEG-ish payload is irrelevant to the bot; it only downloads bytes.
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-photo\xff\xd9"


def _describe(messages: list[SentMessage], limit: int = 8) -> str:
    if not messages:
        return "  (no messages)"
    return "\n".join(f"  {message}" for message in messages[-limit:])


class FakeUser:
    """A user in a private chat with the bot. Create with ``fake.user(user_id, "Name")``."""

    def __init__(self, server: FakeTelegram, data: JSON) -> None:
        self.server = server
        self.json: JSON = data
        self._cursor = 0  # index into the inbox for next_message/expect

    # ---------------------------------------------------------------------------------- identity

    @property
    def id(self) -> int:
        return int(self.json["id"])

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def first_name(self) -> str:
        return str(self.json["first_name"])

    @property
    def language_code(self) -> str | None:
        value = self.json.get("language_code")
        return None if value is None else str(value)

    @property
    def chat(self) -> JSON:
        return self.server.chats[self.id]

    @property
    def inbox(self) -> list[SentMessage]:
        """Messages from the bot to this chat, in order (a copy)."""
        return self.server.messages_to(self.id)

    def _live(self) -> list[SentMessage]:
        return self.server.sent_by_chat.get(self.id, [])

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    # ------------------------------------------------------------------------------------ sending

    async def _send(self, fields: JSON) -> int:
        message = self.server.user_message(self.json, fields)
        await asyncio.sleep(0)
        return int(message["message_id"])

    async def send(self, text: str) -> int:
        """Send a text message (a leading ``/command`` gets a bot_command entity); returns message_id."""
        fields: JSON = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return await self._send(fields)

    async def edit(self, message_id: int, text: str) -> None:
        """Edit one of this user's earlier text messages: an ``edited_message`` update (entities as Telegram adds)."""
        original = self.server.messages.get((self.chat_id, message_id))
        if original is None:
            raise AssertionError(f"{self!r} has no message #{message_id} to edit")
        edited = {key: value for key, value in original.items() if key not in ("text", "entities")}
        edited.update(text=text, edit_date=int(time.time()))
        entities = command_entities(text)
        if entities:
            edited["entities"] = entities
        self.server.messages[(self.chat_id, message_id)] = edited
        self.server.push_update({"edited_message": edited})
        await asyncio.sleep(0)

    async def send_in_group(self, group_id: int, text: str) -> int:
        """A text message from this user in a group (``fake.add_group`` first); returns message_id."""
        chat = self.server.chats[group_id]
        message_id = self.server.next_message_id(group_id)
        message: JSON = {"message_id": message_id, "from": self.json, "chat": chat, "date": int(time.time())}
        message["text"] = text
        entities = command_entities(text)
        if entities:
            message["entities"] = entities
        self.server.messages[(group_id, message_id)] = message
        self.server.push_update({"message": message})
        await asyncio.sleep(0)
        return message_id

    async def start(self, payload: str | None = None) -> int:
        """``/start`` or ``/start <payload>`` (what a t.me/<bot>?start=<payload> deep link sends)."""
        return await self.send("/start" if payload is None else f"/start {payload}")

    async def send_sticker(self, emoji: str = "👍") -> int:
        number = self.server.next_id()
        sticker = {
            "file_id": f"FAKESTICKER{number:06d}",
            "file_unique_id": f"AgADst{number:06d}",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        return await self._send({"sticker": sticker})

    async def send_photo(self, caption: str | None = None, content: bytes = FAKE_JPEG) -> int:
        record = self.server.register_file(content, None, "image/jpeg", "photos")
        photo = [
            {"file_id": f"{record.file_id}-s", "file_unique_id": f"{record.file_unique_id}s", "width": 90,
             "height": 90, "file_size": min(record.file_size, 1000)},
            {"file_id": record.file_id, "file_unique_id": record.file_unique_id, "width": 800, "height": 600,
             "file_size": record.file_size},
        ]  # fmt: skip
        fields: JSON = {"photo": photo}
        if caption:
            fields["caption"] = caption
        return await self._send(fields)

    async def send_document(
        self,
        content: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> int:
        record = self.server.register_file(content, file_name, mime_type, "documents")
        document = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": record.file_size,
        }
        fields: JSON = {"document": document}
        if caption:
            fields["caption"] = caption
        return await self._send(fields)

    async def send_location(self, lat: float, lon: float) -> int:
        return await self._send({"location": {"latitude": lat, "longitude": lon}})

    async def send_contact(self, phone: str, user_id: int | None = None) -> int:
        contact: JSON = {"phone_number": phone, "first_name": self.first_name}
        if "last_name" in self.json:
            contact["last_name"] = self.json["last_name"]
        contact["user_id"] = self.id if user_id is None else user_id
        return await self._send({"contact": contact})

    # ------------------------------------------------------------------------------------ buttons

    def _find_button(self, text: str, message: SentMessage | None) -> tuple[SentMessage, JSON]:
        if message is not None:
            candidates = [message]
        else:  # deleted messages lose their inline keyboard; deleting does not remove the chat keyboard
            candidates = [m for m in reversed(self.inbox) if not m.deleted or "keyboard" in (m.reply_markup or {})]
        keyboard_active = True  # only the newest reply keyboard is shown, until a remove_keyboard
        for candidate in candidates:
            markup = candidate.reply_markup or {}
            if "keyboard" in markup or "remove_keyboard" in markup:
                active, keyboard_active = keyboard_active, False
                if not active or "remove_keyboard" in markup:
                    continue
            elif candidate.deleted:
                continue
            button = candidate.button(text)
            if button is not None:
                return candidate, button
        scope = f"message #{message.message_id}" if message is not None else f"the chat with {self.first_name}"
        available = [f"{m.message_id}: {m.button_texts()}" for m in candidates if m.button_texts()]
        raise AssertionError(
            f"no button {text!r} in {scope}; available buttons (newest first):\n  "
            + ("\n  ".join(available[:8]) or "(none)")
        )

    async def press(self, button_text: str, *, message: SentMessage | None = None, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Press an inline button (callback query) or a reply-keyboard button (sends its text)."""
        target, button = self._find_button(button_text, message)
        if target.reply_markup is not None and "keyboard" in target.reply_markup:
            await self.send(button_text)
            return {}
        if "callback_data" not in button:
            kinds = sorted(k for k in button if k != "text")
            raise AssertionError(f"button {button_text!r} has no callback_data (it is a {kinds} button)")
        return await self.press_data(str(button["callback_data"]), target, timeout=timeout)

    async def press_data(self, callback_data: str, message: SentMessage, *, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """A (possibly forged) callback query with arbitrary data on ``message``; returns the answer."""
        if message.deleted:
            raise AssertionError(f"message #{message.message_id} was deleted; its buttons can't be pressed")
        server = self.server
        query_id = self.push_press(callback_data, message)
        if not await server.chat_signal(self.id).wait_for(lambda: query_id in server.callback_answers, timeout):
            server.pending_queries.pop(query_id, None)
            raise AssertionError(
                f"the bot did not answer callback query {callback_data!r} within {timeout}s "
                f"(answerCallbackQuery missing?); recent messages:\n{_describe(self.inbox)}"
            )
        return server.callback_answers[query_id]

    def push_press(self, callback_data: str, message: SentMessage) -> str:
        """A (possibly forged) button press on ``message``, without waiting for the answer; returns the query id."""
        query_id = str(7_000_000_000_000 + self.server.next_id())
        query: JSON = {
            "id": query_id,
            "from": self.json,
            "message": message.raw,
            "chat_instance": f"-{self.id}0",
            "data": callback_data,
        }
        self.server.pending_queries[query_id] = query
        self.server.push_update({"callback_query": query})
        return query_id

    # -------------------------------------------------------------------------------------- polls

    async def answer_poll(self, poll_message: SentMessage, option_ids: list[int]) -> None:
        """Vote in a (non-anonymous) poll: pushes a poll_answer update, then a poll update.

        ``option_ids=[]`` retracts the vote (Telegram sends an empty poll_answer then).
        """
        poll = poll_message.poll
        if poll is None:
            raise AssertionError(f"message #{poll_message.message_id} is not a poll")
        if poll.get("is_anonymous"):
            raise AssertionError("Telegram sends no poll_answer for anonymous polls (send with is_anonymous=False)")
        if poll.get("is_closed"):
            raise AssertionError("the poll is closed")
        options = poll["options"]
        if any(not 0 <= i < len(options) for i in option_ids):
            raise AssertionError(f"option ids {option_ids} out of range for {len(options)} options")
        if len(option_ids) > 1 and not poll.get("allows_multiple_answers"):
            raise AssertionError("the poll does not allow multiple answers")
        votes = self.server.poll_votes.setdefault(str(poll["id"]), {})
        previous = votes.get(self.id, [])
        if previous and not poll.get("allows_revoting"):
            raise AssertionError(f"{self!r} already voted {previous} and the poll does not allow revoting")
        for index in previous:
            options[index]["voter_count"] -= 1
        for index in option_ids:
            options[index]["voter_count"] += 1
        poll["total_voter_count"] += int(bool(option_ids)) - int(bool(previous))
        votes[self.id] = list(option_ids)
        self.server.push_update(
            {
                "poll_answer": {
                    "poll_id": poll["id"],
                    "user": self.json,
                    "option_ids": list(option_ids),
                    "option_persistent_ids": [str(options[i]["persistent_id"]) for i in option_ids],
                }
            }
        )
        self.server.push_update({"poll": copy.deepcopy(poll)})
        await asyncio.sleep(0)

    # ---------------------------------------------------------------------------------- blocking

    async def block(self) -> None:
        """Block the bot: later sends answer 403; the bot gets a my_chat_member (member → kicked)."""
        self.server.block(self.id)
        self.server.chat_member_update(self.json, "member", "kicked")
        await asyncio.sleep(0)

    async def unblock(self) -> None:
        self.server.unblock(self.id)
        self.server.chat_member_update(self.json, "kicked", "member")
        await asyncio.sleep(0)

    # ---------------------------------------------------------------------------------- receiving

    async def next_message(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """The next bot message not yet returned by next_message/expect."""
        if not await self.server.chat_signal(self.id).wait_for(lambda: len(self._live()) > self._cursor, timeout):
            raise AssertionError(
                f"{self!r} got no new message within {timeout}s; last messages:\n{_describe(self._live())}"
            )
        message = self._live()[self._cursor]
        self._cursor += 1
        return message

    async def expect(self, contains: str | Callable[[SentMessage], bool], timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """Wait for the next message matching ``contains`` (substring of text/caption, or predicate)."""

        def matches(message: SentMessage) -> bool:
            if callable(contains):
                return bool(contains(message))
            return contains in (message.text or "")

        skipped: list[SentMessage] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self._cursor < len(self._live()):
                message = self._live()[self._cursor]
                self._cursor += 1
                if matches(message):
                    return message
                skipped.append(message)
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = contains if isinstance(contains, str) else getattr(contains, "__name__", repr(contains))
                raise AssertionError(
                    f"{self!r}: no message matching {what!r} within {timeout}s; "
                    f"messages seen meanwhile:\n{_describe(skipped, 20)}"
                )
            await self.server.chat_signal(self.id).wait_for(lambda: len(self._live()) > self._cursor, remaining)

    async def sees(self, contains: str | Callable[[SentMessage], bool], timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """Wait until some message in the chat, new or edited, matches ``contains``; the newest such one.

        For answers to button presses, which usually replace the pressed message instead of sending a new one.
        Does not move the :meth:`expect` cursor."""

        def matches(message: SentMessage) -> bool:
            return bool(contains(message)) if callable(contains) else contains in (message.text or "")

        found: list[SentMessage] = []

        def seen() -> bool:
            found[:] = [m for m in reversed(self._live()) if not m.deleted and matches(m)][:1]
            return bool(found)

        if not await self.server.chat_signal(self.id).wait_for(seen, timeout):
            what = contains if isinstance(contains, str) else getattr(contains, "__name__", repr(contains))
            raise AssertionError(f"{self!r}: no message shows {what!r} within {timeout}s:\n{_describe(self._live())}")
        return found[0]

    async def no_message(self, within: float = 0.5) -> None:
        """Assert the bot sends nothing new to this user within ``within`` seconds."""
        if await self.server.chat_signal(self.id).wait_for(lambda: len(self._live()) > self._cursor, within):
            unexpected = self._live()[self._cursor :]
            raise AssertionError(f"{self!r} got unexpected message(s):\n{_describe(unexpected)}")

    def last(self) -> SentMessage:
        """The most recent bot message to this user (does not move the next_message cursor)."""
        inbox = self._live()
        if not inbox:
            raise AssertionError(f"{self!r} has received no messages")
        return inbox[-1]

    def skip_all(self) -> None:
        """Move the next_message cursor past everything received so far."""
        self._cursor = len(self._live())
