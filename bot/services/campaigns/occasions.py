"""Occasions a campaign can post for, month by month.

Three sources, in this order on a day:

* Iraq's public and religious holidays from the `holidays` package, with the Christian, Yazidi and Sabian-Mandaean
  feasts it lists for Iraq (Arabic and English names from the package; Islamic ones are flagged estimated when the
  package only estimates them, as they move with the moon sighting);
* Hijri dates the package does not list, converted with `hijridate` (Umm al-Qura), always estimated in Iraq:
  the start of Ramadan, the season of charity and awareness campaigns;
* international days that civic campaigns use (UN observances), fixed Gregorian dates.

Names of the last two are English msgids marked with N_() and translated for the reader.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

import holidays
from hijridate import Gregorian
from holidays.countries.iraq import Iraq

from bot.i18n import N_, gettext_for

Source = Literal["iraq", "hijri", "international"]

INTERNATIONAL_DAYS: tuple[tuple[int, int, str, str], ...] = (
    (1, 24, "education", N_("International Day of Education")),
    (2, 20, "social-justice", N_("World Day of Social Justice")),
    (3, 8, "women", N_("International Women's Day")),
    (3, 22, "water", N_("World Water Day")),
    (4, 7, "health", N_("World Health Day")),
    (4, 22, "earth", N_("Earth Day")),
    (5, 3, "press-freedom", N_("World Press Freedom Day")),
    (6, 5, "environment", N_("World Environment Day")),
    (6, 12, "child-labour", N_("World Day Against Child Labour")),
    (6, 20, "refugees", N_("World Refugee Day")),
    (7, 15, "youth-skills", N_("World Youth Skills Day")),
    (8, 12, "youth", N_("International Youth Day")),
    (8, 19, "humanitarian", N_("World Humanitarian Day")),
    (9, 8, "literacy", N_("International Literacy Day")),
    (9, 15, "democracy", N_("International Day of Democracy")),
    (9, 21, "peace", N_("International Day of Peace")),
    (10, 10, "mental-health", N_("World Mental Health Day")),
    (10, 11, "girl-child", N_("International Day of the Girl Child")),
    (11, 16, "tolerance", N_("International Day for Tolerance")),
    (11, 20, "children", N_("World Children's Day")),
    (11, 25, "no-violence-women", N_("International Day for the Elimination of Violence against Women")),
    (12, 3, "disabilities", N_("International Day of Persons with Disabilities")),
    (12, 5, "volunteers", N_("International Volunteer Day")),
    (12, 9, "anti-corruption", N_("International Anti-Corruption Day")),
    (12, 10, "human-rights", N_("Human Rights Day")),
)

# (Hijri month, day) → key, name. Only dates the holidays package does not already give.
HIJRI_DAYS: tuple[tuple[int, int, str, str], ...] = ((9, 1, "ramadan", N_("First day of Ramadan")),)

_ESTIMATED = " (estimated)"


@dataclass(frozen=True, slots=True)
class Occasion:
    day: dt.date
    key: str  # stable: "iq:eid-al-fitr", "hijri:ramadan", "un:youth"
    source: Source
    estimated: bool
    english: str  # the package's English name, or the msgid
    arabic: str | None = None  # the package's Arabic name (None: translate `english`)

    def name(self, locale: str) -> str:
        if self.arabic is not None:
            return self.arabic if locale == "ar" else self.english
        return gettext_for(locale, self.english)


def _slug(text: str) -> str:
    """ "Feast of Êzî" → "feast-of-ezi" (accents dropped, as keys are ASCII)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50]


# Besides the default (public), every category the package has for Iraq: Christian, Yazidi, Sabian-Mandaean (and
# Hebrew, which it lists but gives no dates for yet). A feast of several days is offered on its first day only.
COMMUNITY_CATEGORIES = tuple(c for c in sorted(Iraq.supported_categories) if c != holidays.PUBLIC)


def _category(year: int, category: str, *, first_days_only: bool) -> list[Occasion]:
    english = holidays.country_holidays("IQ", years=year, language="en_US", categories=(category,))
    arabic = holidays.country_holidays(
        "IQ", years=year, language="ar", categories=(category,), islamic_show_estimated=False
    )
    found: list[Occasion] = []
    for day in sorted(english):
        earlier = set(english.get_list(day - dt.timedelta(days=1))) if first_days_only else set()
        for en_name, ar_name in zip(english.get_list(day), arabic.get_list(day), strict=False):
            if en_name in earlier:
                continue  # the feast's second (third …) day
            estimated = en_name.endswith(_ESTIMATED)
            plain = en_name.removesuffix(_ESTIMATED)
            found.append(Occasion(day, f"iq:{_slug(plain)}", "iraq", estimated, plain, ar_name))
    return found


@cache
def _iraq(year: int) -> tuple[Occasion, ...]:
    """Public holidays first on a day (the order buttons were made with), then the communities' feasts."""
    found = _category(year, holidays.PUBLIC, first_days_only=False)
    for category in COMMUNITY_CATEGORIES:
        found += _category(year, category, first_days_only=True)
    seen: set[tuple[dt.date, str]] = set()
    unique: list[Occasion] = []
    for occasion in found:  # a day named in two categories is offered once
        if (occasion.day, occasion.key) not in seen:
            seen.add((occasion.day, occasion.key))
            unique.append(occasion)
    return tuple(sorted(unique, key=lambda o: o.day))  # stable: public ones stay first on their day


def _hijri(year: int, month: int) -> list[Occasion]:
    found: list[Occasion] = []
    for number in range(1, calendar.monthrange(year, month)[1] + 1):
        try:
            hijri = Gregorian(year, month, number).to_hijri()
        except (OverflowError, ValueError):  # outside the Umm al-Qura table (1924-2077)
            return []
        for hijri_month, hijri_day, key, name in HIJRI_DAYS:
            if (hijri.month, hijri.day) == (hijri_month, hijri_day):
                found.append(Occasion(dt.date(year, month, number), f"hijri:{key}", "hijri", True, name))
    return found


@cache
def month_occasions(year: int, month: int) -> tuple[Occasion, ...]:
    """Every occasion of a Gregorian month, by day; on one day: Iraqi holidays, Hijri dates, international days."""
    found = [o for o in _iraq(year) if o.day.month == month]
    found += _hijri(year, month)
    found += [
        Occasion(dt.date(year, month, day), f"un:{key}", "international", False, name)
        for m, day, key, name in INTERNATIONAL_DAYS
        if m == month
    ]
    order = {"iraq": 0, "hijri": 1, "international": 2}
    return tuple(sorted(found, key=lambda o: (o.day, order[o.source])))


def on_day(day: dt.date) -> tuple[Occasion, ...]:
    return tuple(o for o in month_occasions(day.year, day.month) if o.day == day)
