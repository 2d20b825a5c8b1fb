"""Benchmarks against the in-repo fake Telegram server: ``python -m bench.<name>``."""
