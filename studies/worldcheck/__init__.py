"""The world-contract suite: every check a world must pass, importable and
runnable against any registered world, built-in or plugin.

Each check is a named function of a world (its name or a `worlds.World`
instance) and small seeded `Settings`, returning a `Result`: pass, fail or
skip (does not apply), the seconds it took and one line saying what it
verified or what went wrong. `CHECKS` holds them in run order:

- ``declarations``: `worlds.contract_problems`, the state size, a world id;
- ``levels``: seeded levels with provenance and read-only arrays;
- ``kernels-match-reference``: `worlds.dispatch` kernels equal
  `reference_step`, `reference_features` and `reference_terminal` on seeded
  random walks over every split (exactly; within 1e-9 in a continuous world);
- ``masked-features``: a masked features call zeros every other feature;
- ``text-round-trip``: ``parse(format(level)) == level`` on every split;
- ``keys``: keys unique and under `key_bound` over every reachable state (BFS);
- ``heuristic``: never above the exact steps to each event;
- ``check-env``: Gymnasium's ``check_env`` on every split, both render modes;
- ``gym-rewards``: every catalogue reward in ``info``; seeded episodes repeat;
- ``docstring``: the module docstring's sections (`DOCSTRING_SECTIONS`);
- ``objectives-bind``: every catalogue objective binds;
- ``planner:NAME``: each planner that can serve the world plans valid actions
  with its small budget, and `planners.rollout` scores its episode (oracle or
  reference normalisation).

Three ways to run it:

1. From the shell: ``mesabase check-world NAME [--quick] [--check CHECK ...]``
   prints a table and exits 0 when every check passes, 1 when one fails.
2. From Python::

       from studies import worldcheck
       results = worldcheck.run_checks("lava", worldcheck.QUICK)
       worldcheck.CHECKS["keys"]("lava")  # one check -> Result

3. In a world author's own tests, one pytest case per check::

       from studies.worldcheck.pytest_plugin import contract_tests

       test_lava_contract = contract_tests("lava")

Walks come from seeded numpy generators, so a run repeats exactly and the
suite needs neither pytest nor hypothesis. Kernels are called through
`worlds.dispatch` at call time.
"""

# importing the check modules registers their checks, in this order
# isort: off
from studies.worldcheck import (  # noqa: F401
    declarations,
    dynamics,
    text_form,
    keys,
    gymnasium_env,
    docstrings,
    planner_checks,
)

# isort: on
from studies.worldcheck.core import (
    CHECKS,
    DEFAULT,
    FAIL,
    PASS,
    QUICK,
    SKIP,
    Check,
    CheckFailed,
    CheckSkipped,
    Result,
    Settings,
    check_names,
    run_checks,
    selected,
)
from studies.worldcheck.docstrings import DOCSTRING_SECTIONS
from studies.worldcheck.dynamics import CONTINUOUS_TOLERANCE, continuous_disagreement, discrete_disagreement

__all__ = [
    "CHECKS",
    "CONTINUOUS_TOLERANCE",
    "DEFAULT",
    "DOCSTRING_SECTIONS",
    "FAIL",
    "PASS",
    "QUICK",
    "SKIP",
    "Check",
    "CheckFailed",
    "CheckSkipped",
    "Result",
    "Settings",
    "check_names",
    "continuous_disagreement",
    "discrete_disagreement",
    "run_checks",
    "selected",
]
