"""Broadcasts: trainers' announcements to their cohorts.

conversation: /broadcast (target → content → preview → confirm or a time); admin: Cancel while it runs, late Confirm
presses, /broadcasts with CSV reports, /announcements; progress: the outbox kind and the live status message;
views: how a status, report and CSV look; buttons: the data of every button above.
"""

from __future__ import annotations

from handlers.core.feature import Feature


def setup() -> Feature:
    from handlers.broadcasts import admin, progress
    from handlers.broadcasts.conversation import FLOW

    return Feature(
        "broadcasts",
        handlers=[FLOW.build(), *(declaration.handler() for declaration in admin.DECLARATIONS)],
        kinds=progress.broadcast_kinds,
        on_start=[progress.start_status_job],
    )
