"""Domain services: plain async functions over a unit of work. They know nothing of Telegram."""
