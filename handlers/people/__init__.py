"""People: registration by invite, cohorts and their invites, the coordinator role, the trainers' /trainees list,
/mydata and /forgetme.

Three places in the bot's handler order, as before the feature packages: registration first of all (an invite
link opened while another flow waits still begins it), the rest where the coordinators' commands always were —
after the announcement flow (which ends when another command comes) and before /curricula's document upload
(which must not take /newcohort's typed answers) — and /mydata and /forgetme among the general commands, where
they have always been in every menu (`setup_my_data`). The modules are imported inside the functions: the cohort
modules import `handlers.lessons.curricula`, which imports core."""

from __future__ import annotations

from handlers.core.feature import Feature


def setup_registration() -> Feature:
    """/start <token>: the registration flow."""
    from handlers.people import registration

    return Feature("people: registration", handlers=[registration.FLOW.build()])


def setup() -> Feature:
    """/newcohort's flow, then the one-step commands and buttons in the order of today's menus."""
    from handlers.people import cohorts, invites, new_cohort, roles, trainees

    commands = (
        invites.INVITE,
        cohorts.COHORTS,
        invites.INVITES,
        invites.REVOKE_INVITE,
        cohorts.END_COHORT,
        roles.GRANT,
        roles.REVOKE,
        trainees.TRAINEES,  # right after /cohorts among trainers' commands, as before
    )
    return Feature("people", handlers=[new_cohort.FLOW.build(), *(command.handler() for command in commands)])


def setup_my_data() -> Feature:
    """/mydata and /forgetme, for everyone: registered among the general commands (see handlers.FEATURES)."""
    from handlers.people import my_data

    return Feature(
        "people: my data",
        handlers=[my_data.MY_DATA.handler(), my_data.FORGET_ME.handler(), my_data.FORGET_BUTTON.handler()],
    )
