"""The world-contract suite as pytest cases, for a world author's own CI.

In the world's test file::

    from studies.worldcheck.pytest_plugin import contract_tests

    test_lava_contract = contract_tests("lava")

gives one test case per check (``test_lava_contract[lava-keys]``, ...): a
failing check fails its case with the check's one-line detail, and a check
that does not apply is skipped with its reason. ``contract_tests("a", "b")``
covers several worlds; ``settings=worldcheck.QUICK`` runs smaller walks and
``checks=[...]`` a subset. Worlds are looked up when the cases run, so a
plugin world registered by its entry point needs no import here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from studies.worldcheck.core import CHECKS, DEFAULT, SKIP, Settings, selected
from worlds import World


def contract_tests(*worlds_: str | World, settings: Settings = DEFAULT, checks: Iterable[str] | None = None):
    """A pytest test function parametrised over (world, check) for each of
    `worlds_` (names or `World` instances) and each check (default: all of
    `CHECKS`, in run order); assign it to a ``test_...`` name in a test module."""
    chosen = [check.name for check in selected(checks)]
    cases = [
        pytest.param(world, name, id=f"{world if isinstance(world, str) else world.name}-{name}")
        for world in worlds_
        for name in chosen
    ]

    @pytest.mark.parametrize("world, check", cases)
    def test_world_contract(world, check):
        result = CHECKS[check](world, settings)
        if result.status == SKIP:
            pytest.skip(result.detail)
        assert result.passed, f"{result.world} fails {check}: {result.detail}"

    return test_world_contract
