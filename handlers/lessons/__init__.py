"""The lessons feature in Telegram: curricula (the YAML upload, /curricula), a trainee's lessons (/today, /lessons,
/progress, the lesson buttons, quiz answers), /lessonstats, and the lesson outbox kinds.

Where a lesson is sent: bot/services/lessons/planning.py plans it into the outbox; when it falls due the delivery
engine (bot/delivery) hands it to `outbox_kinds.py`, which asks bot/services/lessons/sending.py "send or skip, and
why", renders what is to be sent with `views.py`, and returns it to the engine that sends it.
"""

from __future__ import annotations

from handlers.core.feature import Feature


def setup() -> Feature:
    """Every command, button and event of the feature, in registration order, and its outbox kinds."""
    from handlers.lessons import curricula, outbox_kinds, stats, trainee  # lazily: the package imports cheaply

    declarations = (
        curricula.CURRICULA,
        curricula.DOCUMENT,  # a document: after the announcement flow, whose own document is not a curriculum
        trainee.TODAY,
        trainee.LESSONS,
        trainee.PROGRESS,
        trainee.LESSON_BUTTON,
        trainee.QUIZ_ANSWER,
        stats.LESSON_STATS,
        stats.STATS_BUTTON,
    )
    return Feature("lessons", handlers=[d.handler() for d in declarations], kinds=outbox_kinds.lesson_kinds)
