"""How campaign plans, posts and their figures read in a chat (shared by replies, reviews and reminders)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.i18n import N_, _, current_locale, ngettext
from bot.services.campaigns import Mark, OccurrenceDTO, PlanDTO, PostDTO, Repeat
from bot.services.campaigns.plans import PlanView
from bot.services.campaigns.post_dates import Reason
from bot.services.campaigns.recurrence import occurrences
from bot.services.campaigns.rules import (
    HASHTAG_MAX,
    IDEA_MAX,
    PLANS_PER_TRAINEE,
    POSTS_PER_DAY,
    POSTS_PER_PLAN,
    TARGET_MAX,
    TEAMMATES_MAX,
    PlanStats,
)
from bot.services.errors import DomainError, Problem
from bot.text import Safe, babel_locale, cmd, esc, fmt, local_date, local_datetime, local_time, ltr, name

KIND_NAMES = {"campaign": N_("Campaign post"), "occasion": N_("Festival / occasion"), "promotion": N_("Promotion")}
KIND_ICONS = {"campaign": "📣", "occasion": "🎉", "promotion": "🛍"}
PLATFORM_NAMES = {
    "fb": N_("Facebook page"),
    "ig": N_("Instagram"),
    "x": N_("X"),
    "tt": N_("TikTok"),
    "wa": N_("WhatsApp channel"),
    "other": N_("Other platform"),
}
METRIC_NAMES = {"followers": N_("Followers"), "responses": N_("Form responses"), "signups": N_("Event sign-ups")}
REPEAT_NAMES = {"none": N_("Once"), "weekly": N_("Every week"), "monthly": N_("Every month")}
FIELD_NAMES = {
    "problem": N_("the problem"),
    "goal": N_("the goal"),
    "audience": N_("the audience"),
    "unit": N_("what the target counts"),
    "idea": N_("the idea"),
    "comment": N_("the comment"),
}
EXAMPLE_WHEN = "2026-12-10 18:00"
EXAMPLE_TIME = "18:00"


def kind_name(kind: str) -> str:
    return _(KIND_NAMES.get(kind, kind))


def platform_name(code: str) -> str:
    return _(PLATFORM_NAMES.get(code, code))


def lead_name(minutes: int | None) -> str:
    return {
        None: _("only at the time"),
        15: _("15 minutes before"),
        60: _("1 hour before"),
        1440: _("1 day before"),
    }.get(minutes, _("only at the time"))


def time_left(left: dt.timedelta) -> str:
    """ "3 hours", "40 minutes": how long until a post, as a lead reminder that came late says it."""
    minutes = max(1, int(left.total_seconds() // 60))
    if minutes >= 90:
        hours = round(minutes / 60)
        return fmt(ngettext("{count} hour", "{count} hours", hours), count=hours)
    return fmt(ngettext("{count} minute", "{count} minutes", minutes), count=minutes)


def target_text(plan: PlanDTO) -> str:
    metric = plan.target_unit if plan.target_metric == "other" else _(METRIC_NAMES.get(plan.target_metric, ""))
    return fmt(_("{metric}: {count}"), metric=name(metric or ""), count=plan.target_count)


def plan_label(plan: PlanDTO) -> str:
    """The plan's short name: its hashtag, or the start of its problem."""
    if plan.hashtag:
        return plan.hashtag
    return plan.problem if len(plan.problem) <= 30 else plan.problem[:29] + "…"


def stats_line(stats: PlanStats) -> str:
    on_time = stats.on_time_percent
    return fmt(
        _("Posts planned {planned} · done {done} · skipped {skipped} · missed {missed} · on time {on_time}"),
        planned=stats.planned,
        done=stats.done,
        skipped=stats.skipped,
        missed=stats.missed,
        on_time=ltr("—" if on_time is None else f"{on_time}%"),
    )


def when_text(moment: dt.datetime, zone: str) -> str:
    return local_datetime(moment, zone)


def post_line(post: PostDTO, zone: str, record: OccurrenceDTO | None = None, at: dt.datetime | None = None) -> str:
    """📣 10 December 2026, 18:00 · Instagram — the idea (↻ every week until …)"""
    moment = at or post.starts_at
    state = ""
    if record is not None:
        state = " ✅" if record.state is Mark.DONE else " ⏭"
    line: str = fmt(
        "{icon} {when} · {platform} — {idea}{state}",
        icon=KIND_ICONS.get(post.kind, "•"),
        when=when_text(moment, zone),
        platform=platform_name(post.platform),
        idea=name(post.idea if len(post.idea) <= 80 else post.idea[:79] + "…"),
        state=state,
    )
    if post.repeat is not Repeat.NONE and post.repeat_until is not None and at is None:
        line += " " + fmt(
            _("(↻ {repeat} until {date})"), repeat=_(REPEAT_NAMES[post.repeat]), date=local_date(post.repeat_until)
        )
    return line


def plan_text(view: PlanView, *, upcoming: int = 5) -> str:
    plan = view.plan
    lines: list[str] = [
        fmt(_("📋 <b>Campaign plan {label}</b>"), label=name(plan_label(plan))),
        fmt(_("Cohort: {cohort}"), cohort=name(view.cohort.name)),
        fmt(_("Problem: {text}"), text=name(plan.problem)),
        fmt(_("Goal: {text}"), text=name(plan.goal)),
        fmt(_("Measurable target: {target}"), target=target_text(plan)),
        fmt(_("Audience: {text}"), text=name(plan.audience)),
        fmt(_("Platforms: {list}"), list=joined(platform_name(p) for p in plan.platforms)),
        fmt(_("Hashtag: {tag}"), tag=ltr(plan.hashtag) if plan.hashtag else _("none")),
    ]
    owner = view.names.get(plan.owner_id, "?")
    team = [view.names.get(p, "?") for p in plan.teammates]
    if team:
        lines.append(fmt(_("Team: {owner} with {team}"), owner=name(owner), team=joined(name(t) for t in team)))
    else:
        lines.append(fmt(_("Team: {owner} alone"), owner=name(owner)))
    lines += ["", stats_line(view.stats)]
    now = dt.datetime.now(dt.UTC)
    ahead = upcoming_entries(view, now)[:upcoming]
    if ahead:
        lines += ["", _("<b>Next posts</b>")]
        lines += [post_line(post, view.zone, at=at) for post, at in ahead]
    elif not view.posts:
        lines += ["", _("No posts yet: add the first one.")]
    if view.comments:
        lines += ["", _("<b>Trainer comments</b>")]
        for comment in view.comments[-3:]:
            day = comment.created_at.astimezone(ZoneInfo(view.zone)).date()  # stored in UTC, read in the cohort's zone
            lines.append(fmt("💬 {when}: {text}", when=local_date(day), text=name(comment.text)))
    return "\n".join(lines)


def upcoming_entries(view: PlanView, now: dt.datetime) -> list[tuple[PostDTO, dt.datetime]]:
    marked = {(r.post_id, r.occurs_at) for r in view.records}
    found = [
        (post, at)
        for post in view.posts
        for at in occurrences(post.starts_at, view.zone, post.repeat, post.repeat_until, after=now)
        if (post.id, at) not in marked
    ]
    return sorted(found, key=lambda pair: pair[1])


def local_clock(moment: dt.datetime, zone: str) -> str:
    return local_time(moment.astimezone(ZoneInfo(zone)).time())


def when_problem(reason: Reason) -> str:
    if reason == "date":
        return _("There is no such date (check the day and the month). Please type it again.")
    if reason == "time":
        return fmt(_("That is not a valid time. Type it like {example} or 6 pm."), example=ltr(EXAMPLE_TIME))
    return fmt(
        _("I could not read that. Type a date and time like {example}, “tomorrow 9:30” or “الخميس 8 م”."),
        example=ltr(EXAMPLE_WHEN),
    )


def campaign_problem_text(error: DomainError) -> str | None:
    """The planner's refusals as sentences; None for problems that are not the planner's."""
    # Long: one case per planner problem; a table of sentences reads best in one place.
    detail = error.details
    match error.problem:
        case Problem.PLAN_NOT_FOUND:
            return fmt(_("That plan is not available. Send {command} to see your plans."), command=cmd("/campaign"))
        case Problem.POST_NOT_FOUND:
            return _("That post is no longer in the plan.")
        case Problem.NOT_PLAN_OWNER:
            return _("Only the plan's owner can change it. Teammates get its reminders and can mark posts done.")
        case Problem.PLAN_LIMIT:
            return fmt(_("You already have {limit} plans, the most allowed."), limit=PLANS_PER_TRAINEE)
        case Problem.TEAM_LIMIT:
            return fmt(_("A plan can have at most {limit} teammates."), limit=TEAMMATES_MAX)
        case Problem.TEAMMATE_OTHER_COHORT:
            return _("Teammates must be trainees of the plan's cohort. Nothing was changed.")
        case Problem.CAMPAIGN_TEXT:
            return fmt(
                _("Please write {field} in {low} to {high} characters (you wrote {length})."),
                field=_(FIELD_NAMES.get(str(detail.get("field")), "")),
                low=int(str(detail.get("low", 0))),
                high=int(str(detail.get("high", 0))),
                length=int(str(detail.get("length", 0))),
            )
        case Problem.CAMPAIGN_HASHTAG:
            return fmt(
                _("A hashtag is one word of letters, digits and _, up to {limit} characters, like {example}."),
                limit=HASHTAG_MAX,
                example=ltr("#نظفوا_هيت"),
            )
        case Problem.CAMPAIGN_TARGET:
            return fmt(_("Please type the target as a whole number from 1 to {limit}."), limit=TARGET_MAX)
        case Problem.CAMPAIGN_PLATFORMS:
            if detail.get("in_use"):
                return _("A post of this plan uses that platform: change or delete the post first.")
            return _("Please choose at least one platform of the plan.")
        case Problem.POST_IN_PAST:
            return _("That moment has already passed. Please choose a time in the future.")
        case Problem.POST_TOO_FAR:
            return _("That is more than a year ahead. Please choose a nearer date.")
        case Problem.REPEAT_END:
            return _("A repeating post needs an end date after its first day and within 6 months of it.")
        case Problem.POSTS_PER_DAY:
            day = detail.get("day")
            return fmt(
                _("{date} already has {limit} posts of this plan, the most for one day. Choose another day."),
                date=local_date(dt.date.fromisoformat(str(day))) if day else "",
                limit=POSTS_PER_DAY,
            )
        case Problem.POSTS_PER_PLAN:
            return fmt(_("A plan can have at most {limit} posts (each repeat counts)."), limit=POSTS_PER_PLAN)
        case Problem.OCCURRENCE_NOT_YET:
            return fmt(
                _(
                    "Not yet: this post is planned for {when}. You can mark it done or skip it once its "
                    "reminder has come."
                ),
                when=when_text(dt.datetime.fromisoformat(str(detail["at"])), str(detail.get("zone") or "UTC")),
            )
        case Problem.OCCURRENCE_GONE:
            if detail.get("closed") == "done":
                return _("This post was already marked done.")
            if detail.get("closed") == "skipped":
                return _("This post was already skipped.")
            return _("This post is no longer at that time in the plan: it was changed or removed.")
    return None


def idea_limit_text() -> str:
    return fmt(_("What is the idea of the post? (up to {limit} characters)"), limit=IDEA_MAX)


def month_title(year: int, month: int) -> str:
    """ "كانون الأول 2026" / "December 2026" (Iraqi month names in Arabic)."""
    return format_date(dt.date(year, month, 1), "LLLL y", locale=babel_locale())


def joined(items: Iterable[str]) -> Safe:
    return Safe(("، " if current_locale() == "ar" else ", ").join(esc(item) for item in items))
