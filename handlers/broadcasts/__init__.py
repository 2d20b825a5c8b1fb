"""Broadcasts: trainers' announcements to their cohorts, declared in one place (`setup`).

The /broadcast conversation: `conversation` (the flow), `draft` (its typed draft), `target` (cohorts, towns),
`content` (the message and its preview), `confirm` (now or at a time; the live status). Around it: `admin` (Cancel
while it runs, late Send now, /broadcasts with CSV reports, /announcements), `progress` (the outbox kind and the
status refresh job), `views` (how a status, report and CSV look), `buttons` (every button's data).
"""

from __future__ import annotations

from bot.services.broadcasts import BROADCAST
from handlers.broadcasts import admin, progress
from handlers.broadcasts.conversation import FLOW
from handlers.core.feature import Feature


def setup() -> Feature:
    return Feature(
        "broadcasts",
        handlers=[FLOW.build(), *(declaration.handler() for declaration in admin.DECLARATIONS)],
        kinds=progress.broadcast_kinds,
        bulk_kinds=frozenset({BROADCAST}),  # after every reminder, lesson or check-in code that is due
        on_start=[progress.start_status_job],
    )
