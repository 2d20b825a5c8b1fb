"""The month view of a posting calendar as a PNG, in the reader's language.

Arabic: weeks start on Saturday (the Iraqi week; Friday and Saturday are the weekend) and run right to left, so
Saturday is the rightmost column; Iraqi month names (ar_IQ). English: weeks start on Monday, left to right.
matplotlib >= 3.11 shapes Arabic itself, so raw strings go in; the bundled Noto Sans Arabic draws them, DejaVu Sans
the Latin letters and digits. Only `matplotlib.figure.Figure` is used (no pyplot, no GUI backend).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, get_day_names

from bot.fonts import use_arabic_font
from bot.i18n import N_, gettext_for, is_rtl
from bot.text import babel_locale

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

KIND_COLOURS = {"campaign": "#1f6fb2", "occasion": "#e07b00", "promotion": "#2a9d3a"}
KIND_LABELS = {"campaign": N_("Campaign post"), "occasion": N_("Festival / occasion"), "promotion": N_("Promotion")}
OCCASION_FILL, TODAY_EDGE, GRID = "#fff4d6", "#c0392b", "#b0b7c0"
LINES_PER_DAY = 3
SATURDAY, MONDAY = 5, 0  # calendar.Calendar's firstweekday (Monday = 0)


@dataclass(frozen=True, slots=True)
class DayPost:
    time: str  # "18:00"
    kind: str  # campaign, occasion, promotion
    label: str  # short: the platform
    state: str | None = None  # done, skipped or None


def week_start(locale: str) -> int:
    return SATURDAY if is_rtl(locale) else MONDAY


def weekday_names(locale: str) -> list[str]:
    """The column headers, in week order."""
    names = get_day_names("wide" if is_rtl(locale) else "abbreviated", locale=babel_locale(locale))
    first = week_start(locale)
    return [str(names[(first + index) % 7]) for index in range(7)]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def month_png(
    *,
    year: int,
    month: int,
    locale: str,
    subtitle: str,
    posts: Mapping[int, Sequence[DayPost]],
    occasions: Mapping[int, Sequence[str]],
    today: dt.date | None = None,
) -> bytes:
    """posts and occasions are keyed by day of the month."""
    # matplotlib on first use: some 50 MB the bot need not hold until someone asks for a picture.
    from matplotlib.figure import Figure

    family = use_arabic_font()
    rtl = is_rtl(locale)
    weeks = calendar.Calendar(week_start(locale)).monthdatescalendar(year, month)
    figure = Figure(figsize=(11, 2.2 + 1.45 * len(weeks)), dpi=100)
    axes = figure.add_axes((0.02, 0.08, 0.96, 0.80))
    axes.set_xlim(-0.02, 7.02)
    axes.set_ylim(len(weeks) + 0.02, -0.55)
    axes.axis("off")
    text: dict[str, Any] = {"fontfamily": family, "parse_math": False}  # typed text ("$5$") is never TeX
    title = format_date(dt.date(year, month, 1), "LLLL y", locale=babel_locale(locale))
    figure.text(0.5, 0.95, title, ha="center", va="center", fontsize=22, fontweight="bold", **text)
    figure.text(0.5, 0.905, subtitle, ha="center", va="center", fontsize=12, color="#555555", **text)
    for index, header in enumerate(weekday_names(locale)):
        axes.text(_column_x(index, rtl) + 0.5, -0.27, header, ha="center", va="center", fontsize=12, **text)
    for row, week in enumerate(weeks):
        for index, day in enumerate(week):
            cell = _Cell(axes, _column_x(index, rtl), row, rtl, text)
            cell.draw(day, month, today, posts.get(day.day, ()), occasions.get(day.day, ()))
    _draw_legend(figure, locale, rtl, text)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _column_x(index: int, rtl: bool) -> float:
    return 6 - index if rtl else index


@dataclass(frozen=True, slots=True)
class _Cell:
    """One day's square of the month grid: its number, up to LINES_PER_DAY posts (and "+n"), its first occasion."""

    axes: Axes
    x: float
    row: int
    rtl: bool
    text: dict[str, Any]

    def draw(
        self, day: dt.date, month: int, today: dt.date | None, posts: Sequence[DayPost], occasions: Sequence[str]
    ) -> None:
        from matplotlib.patches import Rectangle

        axes, x, row, text = self.axes, self.x, self.row, self.text
        inside = day.month == month
        fill = OCCASION_FILL if inside and occasions else ("white" if inside else "#f2f3f5")
        edge, width = (TODAY_EDGE, 2.5) if day == today else (GRID, 0.8)
        axes.add_patch(Rectangle((x, row), 1, 1, facecolor=fill, edgecolor=edge, linewidth=width))
        if not inside:
            return
        align, inset = ("right", 0.94) if self.rtl else ("left", 0.06)
        axes.text(x + inset, row + 0.16, str(day.day), ha=align, va="center", fontsize=12, fontweight="bold", **text)
        for line, post in enumerate(posts[:LINES_PER_DAY]):
            mark = {"done": " ✓", "skipped": " ✗"}.get(post.state or "", "")
            axes.text(
                x + inset,
                row + 0.36 + 0.17 * line,
                f"{post.time} {_short(post.label, 10)}{mark}",
                ha=align,
                va="center",
                fontsize=9,
                color=KIND_COLOURS.get(post.kind, "#333333"),
                **text,
            )
        if len(posts) > LINES_PER_DAY:
            more = f"+{len(posts) - LINES_PER_DAY}"
            axes.text(x + 1 - inset, row + 0.16, more, ha="left" if self.rtl else "right", va="center", fontsize=9,
                      color="#333333", **text)  # fmt: skip
        if occasions:
            axes.text(x + 0.5, row + 0.9, _short(occasions[0], 18), ha="center", va="center", fontsize=7.5,
                      color="#8a5a00", **text)  # fmt: skip


def _draw_legend(figure: Figure, locale: str, rtl: bool, text: dict[str, Any]) -> None:
    from matplotlib.patches import Rectangle

    legend = [(KIND_COLOURS[kind], gettext_for(locale, label)) for kind, label in KIND_LABELS.items()]
    legend.append((OCCASION_FILL, gettext_for(locale, N_("Occasion"))))
    step = 1 / (len(legend) + 1)
    for number, (colour, label) in enumerate(legend, 1):
        position = 1 - number * step if rtl else number * step
        square, label_x, label_align = (
            (position + 0.04, position + 0.035, "right") if rtl else (position - 0.075, position - 0.055, "left")
        )
        figure.patches.append(
            Rectangle(
                (square, 0.028),
                0.014,
                0.02,
                transform=figure.transFigure,
                facecolor=colour,
                edgecolor=GRID,
                figure=figure,
            )
        )
        figure.text(label_x, 0.038, label, ha=label_align, va="center", fontsize=10, **text)
