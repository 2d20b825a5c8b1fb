"""End to end, on SQLite and PostgreSQL: what people see when two of their updates race (the bot handles updates
concurrently): a double tap on the consent button, and two coordinators revoking each other at the same moment."""

from __future__ import annotations

import asyncio

from tests.conftest import COORDINATOR_ID, BotHarness
from tests.e2e.test_e2e_foundation import create_cohort
from tests.fake_telegram import SentMessage

GENERIC_ERROR = "something went wrong"


def texts(message: SentMessage) -> list[str]:
    """Everything the message showed, its edits included."""
    return [*message.edits, message.text or ""]


async def test_a_double_tap_on_consent_registers_once_and_says_so(bot: BotHarness) -> None:
    fake = bot.fake
    token = await create_cohort(fake.user(COORDINATOR_ID, "Noor", language_code="en"), "Hit")
    trainee = fake.user(2101, "Ali", language_code="en")
    await trainee.start(token)
    await trainee.expect(lambda m: "English" in m.button_texts())
    await trainee.press("English")
    await trainee.sees("full name")
    await trainee.send("Ali Hassan")
    await trainee.expect(lambda m: "Ramadi" in m.button_texts())
    await trainee.press("Ramadi")
    consent = await trainee.sees(lambda m: "I agree" in m.button_texts())

    answers = await asyncio.gather(*[trainee.press("I agree", message=consent) for _ in range(2)])
    await trainee.sees(lambda m: any("You are registered in" in text for text in texts(m)), timeout=10)
    if not any("no longer active" in (answer.get("text") or "") for answer in answers):
        # Both taps reached registration (the usual case): the second is told so. (On a loaded machine the second
        # may come after the flow ended: then its button is simply no longer active.)
        await trainee.sees(lambda m: any("already registered" in text for text in texts(m)), timeout=10)
    shown = [text for message in trainee.inbox for text in texts(message)]
    assert not any(GENERIC_ERROR in text or "expired" in text for text in shown), shown
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(2101)
        assert person is not None
        assert len(await uow.memberships.for_person(person.id)) == 1


async def test_two_coordinators_revoking_each_other_at_once_leave_one(bot: BotHarness) -> None:
    fake = bot.fake
    noor = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await noor.send("/grant 3101")
    await noor.expect("now a coordinator")
    omar = fake.user(3101, "Omar", language_code="en")

    await asyncio.gather(noor.send("/revoke 3101"), omar.send("/revoke 1000"))
    answers = [await noor.expect("coordinator"), await omar.expect("coordinator")]
    # The loser is told one must remain, or (when the other revoke was already done) that he is no coordinator now.
    refused = [a for a in answers if any(s in (a.text or "") for s in ("must remain", "only coordinators"))]
    revoked = [a for a in answers if "is no longer a coordinator" in (a.text or "")]
    assert (len(refused), len(revoked)) == (1, 1), [a.text for a in answers]
    async with bot.db.unit_of_work() as uow:
        assert len(await uow.coordinators.all_ids()) == 1
