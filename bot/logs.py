"""Logging that never shows the bot token: request URLs carry it, so it is redacted after formatting."""

from __future__ import annotations

import logging

REDACTED = "<bot-token>"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(level: str, token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter([token], "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL (with the token) at INFO; only its warnings are useful.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # At DEBUG, PTB logs whole updates (names, messages): personal data stays out of logs at any level.
    logging.getLogger("telegram").setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
