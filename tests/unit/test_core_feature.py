"""The Feature hand-over (handlers.core.feature): kinds gathered once each, start-up hooks in order, old setups."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.core.feature import Feature, Features


async def noop(*_args: object) -> None:
    return None


def kinds_of(*names: str) -> Any:
    return lambda services: {name: object() for name in names}


def test_kinds_are_gathered_from_every_feature_once() -> None:
    features = Features((Feature("a", kinds=kinds_of("lesson")), Feature("b"), Feature("c", kinds=kinds_of("post"))))
    assert list(features.kinds(None)) == ["lesson", "post"]  # type: ignore[arg-type]
    twice = Features((Feature("a", kinds=kinds_of("lesson")), Feature("b", kinds=kinds_of("lesson"))))
    with pytest.raises(ValueError, match="declared twice"):
        twice.kinds(None)  # type: ignore[arg-type]


async def test_start_hooks_run_in_feature_order() -> None:
    ran: list[str] = []

    def hook(name: str) -> Any:
        async def run(application: Any) -> None:
            ran.append(name)

        return run

    features = Features(
        (Feature("a", on_start=[hook("a1"), hook("a2")]), Feature("b"), Feature("c", on_start=[hook("c")]))
    )
    await features.start(None)  # type: ignore[arg-type]
    assert ran == ["a1", "a2", "c"]
