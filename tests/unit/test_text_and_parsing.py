"""Unit tests: digits, names, dates and times as people type them; bidi-safe formatting."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.parsing import parse_cohort_name, parse_date, parse_full_name, parse_positive_int, parse_time
from bot.text import FSI, LRI, PDI, RLM, cmd, fmt, ltr, name, normalize_digits, normalize_key, rtl_safe, split_message


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("٢٠٢٦-١٢-٠١", dt.date(2026, 12, 1)),
        ("۲۰۲۶/۱۲/۱", dt.date(2026, 12, 1)),
        ("1/12/2026", dt.date(2026, 12, 1)),
        (" 01.12.2026 ", dt.date(2026, 12, 1)),
        ("31/02/2026", None),
        ("2026-13-01", None),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_parse_date(typed: str, expected: dt.date | None) -> None:
    assert parse_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:30", dt.time(18, 30)),
        ("١٨:٣٠", dt.time(18, 30)),
        ("6:30 pm", dt.time(18, 30)),
        ("٦:٣٠ م", dt.time(18, 30)),
        ("9 ص", dt.time(9, 0)),
        ("12 am", dt.time(0, 0)),
        ("9", dt.time(9, 0)),
        ("24:00", None),
        ("18:75", None),
        ("13 pm", None),
        ("noon", None),
    ],
)
def test_parse_time(typed: str, expected: dt.time | None) -> None:
    assert parse_time(typed) == expected


def test_full_name_rules() -> None:
    assert parse_full_name("  أحمد   علي ") == "أحمد علي"
    assert parse_full_name("Sara O'Neil") == "Sara O'Neil"
    assert parse_full_name("مُحَمَّد") == "مُحَمَّد"  # harakat are allowed and kept as typed
    assert parse_full_name("ا") is None
    assert parse_full_name("a" * 65) is None
    assert parse_full_name("a" * 64) == "a" * 64
    assert parse_full_name("Ali123") is None
    assert parse_full_name("😀😀") is None


def test_cohort_name_and_ints() -> None:
    assert parse_cohort_name("بغداد ٢٠٢٦") == "بغداد ٢٠٢٦"
    assert parse_cohort_name("/start") is None
    assert parse_cohort_name("x") is None
    assert parse_positive_int("١٢٣") == 123
    assert parse_positive_int("0") is None
    assert parse_positive_int("12a") is None


def test_digits_and_name_keys() -> None:
    assert normalize_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"
    assert normalize_key("أحمـــد  عَلِيّ") == normalize_key("احمد علي")
    assert normalize_key("مصطفى") == normalize_key("مصطفي")
    assert normalize_key("\u200fSara ALI") == "sara ali"
    # Folding must not damage ordinary words (pyarabic's normalize_alef turns على into علا).
    assert normalize_key("على") == "علي"


def test_bidi_helpers_escape_and_isolate() -> None:
    assert ltr("2025-03-07") == f"{LRI}2025-03-07{PDI}"
    assert name("<b>x</b>") == f"{FSI}&lt;b&gt;x&lt;/b&gt;{PDI}"
    assert cmd("/help").endswith("/help")
    assert fmt("{a} & {b}", a="<i>", b=ltr(5)) == f"&lt;i&gt; & {LRI}5{PDI}"
    assert fmt("{n}", n=3) == f"{LRI}3{PDI}"
    assert rtl_safe("/help\nمرحبا", "ar") == f"{RLM}/help\n{RLM}مرحبا"
    assert rtl_safe("/help", "en") == "/help"


def test_split_message_respects_the_limit() -> None:
    text = "\n".join(["سطر " * 50] * 100)
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text
    assert split_message("short") == ["short"]
