"""In-repo fake Telegram Bot API server and simulated users for end-to-end tests and benchmarks.

Example::

    async with FakeTelegram() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        ...  # start the application polling
        user = fake.user(1001, "Amina")
        await user.start()
        reply = await user.next_message()
        answer = await user.press("نعم")
"""

from .limits import Limits
from .methods_bot import scope_key
from .models import ApiError, FileRecord, SentMessage
from .server import FakeTelegram
from .users import FakeUser

__all__ = ["ApiError", "FakeTelegram", "FakeUser", "FileRecord", "Limits", "SentMessage", "scope_key"]
