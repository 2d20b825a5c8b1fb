"""The attendance chart: a PNG readable on a phone (1080×1350), attendance % per session and per town.

matplotlib's Agg canvas, no pyplot (no GUI, no global state); Arabic labels are passed raw (matplotlib 3.11 shapes
them) in the bundled Noto Sans Arabic; for Arabic readers the first session and the biggest town are on the right.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.fonts import use_arabic_font
from bot.i18n import N_, gettext_for, is_rtl
from bot.services.attendance.reports import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1350, 100
BAR, TOWN_BAR, GRID = "#2a7f62", "#d98c2b", "#dddddd"
MAX_TOWNS = 8


def attendance_chart(summary: Summary, locale: str) -> bytes:
    # matplotlib on first use: some 50 MB the bot need not hold until someone asks for a chart.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = use_arabic_font()

    def label(message: str) -> str:
        return gettext_for(locale, message)

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    # parse_math=False everywhere: names and towns are typed by people, and "$...$" would be read as TeX.
    figure.suptitle(
        label(N_("Attendance")) + f" — {summary.cohort.name}", fontsize=30, fontfamily=family, parse_math=False
    )
    rtl = is_rtl(locale)

    values = [stat.percent or 0 for stat in summary.held]
    _bars(top, _session_names(summary), values, BAR, family, rtl)
    top.set_title(label(N_("Attendance % per session")), fontsize=22, fontfamily=family, parse_math=False)
    top.set_xlabel(label(N_("Session")), fontsize=16, fontfamily=family, parse_math=False)

    towns = [t for t in summary.towns if t.expected > 0][:MAX_TOWNS]
    _bars(bottom, [t.town or "?" for t in towns], [t.percent or 0 for t in towns], TOWN_BAR, family, rtl)
    bottom.set_title(label(N_("Attendance % per town")), fontsize=22, fontfamily=family, parse_math=False)
    if not summary.held:
        top.text(0.5, 0.5, label(N_("No session has been held yet.")), ha="center", fontsize=20, fontfamily=family,
                 transform=top.transAxes, parse_math=False)  # fmt: skip
    figure.tight_layout(rect=(0.02, 0.02, 0.98, 0.95), h_pad=3.0)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _bars(axes: Axes, names: list[str], values: list[int], colour: str, family: list[str], rtl: bool) -> None:
    positions = list(range(len(names)))
    bars = axes.bar(positions, values, color=colour, width=0.7)
    axes.set_ylim(0, 110)
    axes.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=14, parse_math=False)
    axes.set_xticks(positions, names, fontsize=14 if len(names) <= 15 else 10, fontfamily=family, parse_math=False)
    axes.grid(axis="y", color=GRID)
    axes.set_axisbelow(True)
    axes.spines[["top", "left" if rtl else "right"]].set_visible(False)
    if len(names) <= 20:
        axes.bar_label(bars, labels=[f"{v}%" for v in values], fontsize=13 if len(names) <= 12 else 9, padding=3)
    if rtl:  # the first category on the right and the scale on the right, as Arabic reads
        axes.yaxis.tick_right()
        if positions:
            axes.set_xlim(len(names) - 0.5, -0.5)


def _session_names(summary: Summary) -> list[str]:
    """Session numbers; with few sessions, their day and month under them (3/12)."""
    zone = ZoneInfo(summary.cohort.timezone)
    if len(summary.held) > 15:
        return [str(n) for n in range(1, len(summary.held) + 1)]
    names = []
    for number, stat in enumerate(summary.held, 1):
        day = stat.session.starts_at.astimezone(zone).date()
        names.append(f"{number}\n{day.day}/{day.month}")
    return names
