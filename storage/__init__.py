"""Persistence: ORM tables, repositories returning dataclasses, the unit of work, migrations."""
