"""Unit: repeating posts expanded into occurrences, and the occasions of a month (Hijri-based ones included)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hijridate import Hijri

from bot.services.campaigns.occasions import month_occasions, on_day
from bot.services.campaigns.recurrence import includes, occurrences
from storage.campaigns.dto import Repeat

BAGHDAD = ZoneInfo("Asia/Baghdad")


def local(year: int, month: int, day: int, hour: int = 18, zone: ZoneInfo = BAGHDAD) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=zone).astimezone(dt.UTC)


def test_once_weekly_monthly() -> None:
    first = local(2026, 12, 3)
    assert occurrences(first, "Asia/Baghdad", Repeat.NONE, None) == [first]
    weekly = occurrences(first, "Asia/Baghdad", Repeat.WEEKLY, dt.date(2026, 12, 24))
    assert weekly == [local(2026, 12, 3), local(2026, 12, 10), local(2026, 12, 17), local(2026, 12, 24)]  # inclusive
    monthly = occurrences(first, "Asia/Baghdad", Repeat.MONTHLY, dt.date(2027, 3, 2))
    assert monthly == [local(2026, 12, 3), local(2027, 1, 3), local(2027, 2, 3)]


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    days = occurrences(local(2027, 1, 31), "Asia/Baghdad", Repeat.MONTHLY, dt.date(2027, 6, 30))
    assert [d.astimezone(BAGHDAD).date() for d in days] == [
        dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30),
        dt.date(2027, 5, 31), dt.date(2027, 6, 30),
    ]  # fmt: skip
    leap = occurrences(local(2028, 1, 30), "Asia/Baghdad", Repeat.MONTHLY, dt.date(2028, 3, 1))
    assert [d.astimezone(BAGHDAD).day for d in leap] == [30, 29]


def test_wall_time_is_kept_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    days = occurrences(local(2027, 3, 20, 18, berlin), "Europe/Berlin", Repeat.WEEKLY, dt.date(2027, 4, 3))
    assert [d.astimezone(berlin).hour for d in days] == [18, 18, 18]
    assert [d.hour for d in days] == [17, 17, 16]  # summer time from 28 March: UTC moves, local time does not


def test_window_bounds_and_membership() -> None:
    first = local(2026, 12, 3)
    until = dt.date(2027, 2, 25)
    everything = occurrences(first, "Asia/Baghdad", Repeat.WEEKLY, until)
    assert len(everything) == 13
    window = occurrences(first, "Asia/Baghdad", Repeat.WEEKLY, until, after=everything[2], through=everything[5])
    assert window == everything[3:6]  # (after, through]
    assert includes(first, "Asia/Baghdad", Repeat.WEEKLY, until, everything[7])
    assert not includes(first, "Asia/Baghdad", Repeat.WEEKLY, until, everything[7] + dt.timedelta(hours=1))
    assert not includes(first, "Asia/Baghdad", Repeat.WEEKLY, until, everything[-1] + dt.timedelta(weeks=1))


def test_international_days_of_civic_campaigns() -> None:
    wanted = {
        (8, 12): "International Youth Day",
        (9, 21): "International Day of Peace",
        (12, 10): "Human Rights Day",
        (3, 8): "International Women's Day",
    }
    for (month, day), name in wanted.items():
        found = [o for o in on_day(dt.date(2027, month, day)) if o.source == "international"]
        assert [o.name("en") for o in found] == [name]
        assert not found[0].estimated


def test_iraqi_holidays_with_estimated_islamic_dates_and_arabic_names() -> None:
    march = month_occasions(2026, 3)
    fitr = [o for o in march if o.key == "iq:eid-al-fitr"]
    assert [o.day.day for o in fitr] == [20, 21, 22] and all(o.estimated for o in fitr)
    assert fitr[0].name("ar") == "عيد الفطر" and fitr[0].name("en") == "Eid al-Fitr"
    nowruz = next(o for o in march if o.key == "iq:nowruz")
    assert nowruz.day == dt.date(2026, 3, 21) and not nowruz.estimated and nowruz.name("ar") == "عيد نوروز"
    army = on_day(dt.date(2027, 1, 6))
    assert [(o.key, o.estimated) for o in army] == [("iq:army-day", False)]
    # one day, several sources: Iraqi first, then international
    assert [o.source for o in on_day(dt.date(2026, 3, 21))] == ["iraq", "iraq"]


def test_hijri_based_occasions_follow_the_umm_al_qura_calendar() -> None:
    for hijri_year in (1447, 1448, 1449):
        start = Hijri(hijri_year, 9, 1).to_gregorian()
        day = dt.date(start.year, start.month, start.day)
        ramadan = [o for o in month_occasions(day.year, day.month) if o.key == "hijri:ramadan"]
        assert [o.day for o in ramadan] == [day]
        assert ramadan[0].estimated and ramadan[0].name("en") == "First day of Ramadan"
    assert dt.date(2026, 2, 18) in {o.day for o in month_occasions(2026, 2) if o.source == "hijri"}


def test_every_occasion_of_a_year_is_sorted_and_keyed() -> None:
    for month in range(1, 13):
        found = month_occasions(2027, month)
        assert [o.day for o in found] == sorted(o.day for o in found)
        assert all(o.day.month == month and ":" in o.key and len(o.key) <= 64 for o in found)
    assert month_occasions(2027, 12) is month_occasions(2027, 12)  # cached


def test_christian_yazidi_and_sabian_feasts_of_iraq_with_arabic_names() -> None:
    december = month_occasions(2026, 12)
    christmas = [o for o in december if o.key == "iq:christmas-day"]
    assert [(o.day, o.source, o.estimated) for o in christmas] == [(dt.date(2026, 12, 25), "iraq", False)]
    assert christmas[0].name("ar") == "عيد الميلاد" and christmas[0].name("en") == "Christmas Day"
    yazidi = next(o for o in month_occasions(2026, 4) if o.key == "iq:yazidi-new-year")
    assert yazidi.day == dt.date(2026, 4, 15) and yazidi.name("ar") == "رأس السنة الإيزيدية"
    easter = next(o for o in month_occasions(2026, 4) if o.key == "iq:easter-sunday")
    assert easter.day == dt.date(2026, 4, 5) and easter.name("ar") == "أحد الفصح"
    sabian = [o for o in month_occasions(2026, 3) if o.key == "iq:feast-of-creation"]
    assert [o.day for o in sabian] == [dt.date(2026, 3, 13)]  # a five-day feast is offered on its first day
    assert sabian[0].name("ar") == "عيد الخليقة"
    assert next(o for o in december if o.day == dt.date(2026, 12, 18)).key == "iq:feast-of-ezi"  # ASCII keys
    # Public holidays keep their place on a day shared with a community's feast (the buttons' indexes).
    assert [o.key for o in on_day(dt.date(2026, 3, 21))] == ["iq:eid-al-fitr", "iq:nowruz"]
