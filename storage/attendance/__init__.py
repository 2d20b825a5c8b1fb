"""Attendance's tables: training sessions, their check-ins (and wrong-code attempts), records and their audit trail.

`models` (the tables), `dto` (what the repositories hand out), `sessions` (sessions and check-ins), `records` (who
attended, and every change)."""
