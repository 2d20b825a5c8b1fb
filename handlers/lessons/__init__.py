"""The lessons feature in Telegram: curricula (the YAML upload, /curricula), a trainee's lessons (/today, /lessons,
/progress, the lesson buttons, quiz answers), /lessonstats, and how the lesson outbox kinds look when sent.

Where a lesson is sent: bot/services/lessons/planning.py plans it, bot/services/lessons/sending.py decides send or
skip when it falls due, the delivery engine (bot/delivery) sends it through `outbox_kinds.py`, which renders it with
`views.py`.
"""
