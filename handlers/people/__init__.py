"""People: registration by invite, cohorts and invites, the coordinator role, the trainers' /trainees list.

The modules are imported inside the setup functions: `handlers.common` imports `handlers.people.my_data_views`,
and the cohort modules import `handlers.curricula`, which imports `handlers.common`."""

from __future__ import annotations

from handlers.core.context import BotApplication


def setup_registration(application: BotApplication) -> None:
    from handlers.people import registration

    application.add_handler(registration.registration())


def setup_coordinators(application: BotApplication) -> None:
    """/newcohort first (its conversation), then the one-step commands in today's order."""
    from handlers.people import cohorts, invites, new_cohort, roles

    application.add_handler(new_cohort.new_cohort_conversation())
    for declaration in (
        invites.INVITE,
        cohorts.COHORTS,
        invites.INVITES,
        invites.REVOKE_INVITE,
        cohorts.END_COHORT,
        roles.GRANT,
        roles.REVOKE,
    ):
        application.add_handler(declaration.handler())


def setup_trainers(application: BotApplication) -> None:
    from handlers.people import trainees

    application.add_handler(trainees.TRAINEES.handler())
