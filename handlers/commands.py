"""Every command and callback prefix with the audience it needs: access control and menus read this one table."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.services.access import Audience


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    audience: Audience
    description: str  # marked with N_, translated when menus are built
    in_menu: bool = True


COMMANDS: tuple[Command, ...] = (
    Command("start", Audience.ANYONE, N_("Start, or join a cohort with an invite link")),
    Command("help", Audience.ANYONE, N_("What this bot can do for you")),
    Command("language", Audience.ANYONE, N_("Change the language")),
    Command("mydata", Audience.ANYONE, N_("See everything stored about you")),
    Command("forgetme", Audience.ANYONE, N_("Delete your data")),
    Command("whoami", Audience.ANYONE, N_("Show your Telegram id")),
    Command("cancel", Audience.ANYONE, N_("Stop what you are doing"), in_menu=False),
    Command("today", Audience.TRAINEE, N_("Today's lesson and quiz")),
    Command("lessons", Audience.TRAINEE, N_("All your lessons; open any you missed")),
    Command("progress", Audience.TRAINEE, N_("Your lessons done, quiz score and streak")),
    Command("announcements", Audience.TRAINEE, N_("Recent announcements from your trainers")),
    Command("campaign", Audience.TRAINEE, N_("Plan your campaign: problem, goal, posts and reminders")),
    Command("calendar", Audience.TRAINEE, N_("Your posting calendar: the month, occasions, a calendar file")),
    Command("checkin", Audience.TRAINEE, N_("Check in to a session: /checkin code")),
    Command("myattendance", Audience.TRAINEE, N_("Your attendance at the sessions")),
    Command("broadcast", Audience.TRAINER, N_("Send an announcement to your cohorts")),
    Command("broadcasts", Audience.TRAINER, N_("Recent announcements and their delivery reports")),
    Command("campaigns", Audience.TRAINER, N_("Your trainees' campaign plans, progress and proofs")),
    Command("sessions", Audience.TRAINER, N_("A cohort's sessions: /sessions cohort")),
    Command("session", Audience.TRAINER, N_("Add a session to a cohort")),
    Command("newsession", Audience.TRAINER, N_("Add a session to a cohort"), in_menu=False),  # alias of /session
    Command("checkin_open", Audience.TRAINER, N_("Open a session's check-in: a code and a QR code")),
    Command("opencheckin", Audience.TRAINER, N_("Open a session's check-in: a code and a QR code"), in_menu=False),
    Command("checkin_close", Audience.TRAINER, N_("Close the open check-in")),
    Command("roll", Audience.TRAINER, N_("Take or correct a session's roll")),
    Command("attendance", Audience.TRAINER, N_("Attendance: all cohorts, /attendance cohort [session or date]")),
    Command("export", Audience.TRAINER, N_("A cohort's attendance as Excel and CSV files: /export cohort")),
    Command("lessonstats", Audience.TRAINER, N_("Lesson statistics and deliveries: /lessonstats cohort")),
    Command("trainees", Audience.TRAINER, N_("List the trainees of your cohorts")),
    Command("cohorts", Audience.TRAINER, N_("Cohorts and their members")),
    Command("newcohort", Audience.COORDINATOR, N_("Create a cohort")),
    Command("invite", Audience.COORDINATOR, N_("New invite link: /invite cohort [trainer]")),
    Command("invites", Audience.COORDINATOR, N_("A cohort's invites, to revoke them")),
    Command("endcohort", Audience.COORDINATOR, N_("End a cohort: its invites stop working")),
    Command("curricula", Audience.COORDINATOR, N_("Imported curricula; send a .yaml file to import one")),
    Command("grant", Audience.COORDINATOR, N_("Make someone a coordinator: /grant id")),
    Command("revoke", Audience.COORDINATOR, N_("Remove a coordinator: /revoke id")),
)

COMMAND_AUDIENCE = {command.name: command.audience for command in COMMANDS}

# Callback data is "<prefix>:<rest>"; the prefix says who may press. Authority always comes from the database.
CALLBACK_AUDIENCE: dict[str, Audience] = {
    "lang": Audience.ANYONE,
    "reg": Audience.ANYONE,
    "forget": Audience.ANYONE,
    "inv": Audience.COORDINATOR,
    "ls": Audience.TRAINEE,
    "st": Audience.TRAINER,
    "bc": Audience.TRAINER,
    "an": Audience.TRAINEE,
    "nc": Audience.COORDINATOR,  # /newcohort's curriculum choice
    "cp": Audience.TRAINEE,  # campaign plans and posts (the owner is checked in the service)
    "cr": Audience.TRAINEE,  # posting reminders: Done, Snooze, Skip
    "cc": Audience.TRAINEE,  # /calendar
    "cv": Audience.TRAINER,  # /campaigns: review, comments, proofs
    "ci": Audience.TRAINER,  # the check-in message's buttons
    "rl": Audience.TRAINER,  # the roll
    "se": Audience.TRAINER,  # choosing a session or a cohort for one
    "at": Audience.TRAINER,  # /attendance and /export: cohorts, sessions, chart, exports, per trainee
}


def menu_for(*, trainer: bool, coordinator: bool) -> list[Command]:
    allowed = {Audience.ANYONE, Audience.TRAINEE}
    if trainer or coordinator:
        allowed.add(Audience.TRAINER)
    if coordinator:
        allowed.add(Audience.COORDINATOR)
    return [c for c in COMMANDS if c.in_menu and c.audience in allowed]
