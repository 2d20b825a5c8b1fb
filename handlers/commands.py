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
    Command("broadcast", Audience.TRAINER, N_("Send an announcement to your cohorts")),
    Command("broadcasts", Audience.TRAINER, N_("Recent announcements and their delivery reports")),
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
}


def menu_for(*, trainer: bool, coordinator: bool) -> list[Command]:
    allowed = {Audience.ANYONE, Audience.TRAINEE}
    if trainer or coordinator:
        allowed.add(Audience.TRAINER)
    if coordinator:
        allowed.add(Audience.COORDINATOR)
    return [c for c in COMMANDS if c.in_menu and c.audience in allowed]
