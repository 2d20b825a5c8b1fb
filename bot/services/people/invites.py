"""Invite links: their defaults and limits, their unguessable tokens, and the deep link that carries one."""

from __future__ import annotations

import secrets

from storage.dto import Role

INVITE_TOKEN_BYTES = 16  # 22 URL-safe characters: unguessable, and fits a deep-link payload (<= 64)
# A trainee invite is shared with a whole cohort; a trainer invite hands out trainer access, so by default it admits
# one person within a week (a forwarded link is then useless). The coordinator may choose otherwise, within limits.
DEFAULT_INVITE_DAYS = 30
TRAINER_INVITE_DAYS = 7
TRAINER_INVITE_USES = 1
INVITE_DAYS_MAX = 365
INVITE_USES_MAX = 10_000


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def invite_defaults(role: Role) -> tuple[int, int | None]:
    """(days valid, uses allowed or None for any number) of an invite nobody chose otherwise for."""
    return (TRAINER_INVITE_DAYS, TRAINER_INVITE_USES) if role is Role.TRAINER else (DEFAULT_INVITE_DAYS, None)


def new_invite_token() -> str:
    """Unguessable; never starting with "ci_", the prefix of check-in links (`bot.services.attendance`)."""
    while (token := secrets.token_urlsafe(INVITE_TOKEN_BYTES)).startswith("ci_"):
        pass
    return token
