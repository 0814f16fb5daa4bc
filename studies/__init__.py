"""mesabase studies: experiments over agents, levels and splits, and the CLI.

The `mesabase` command is `studies.cli:main`; the teaching demo is
`studies.run_demo`.
"""

from studies.demo import DemoResult, run_demo, sentence

__all__ = ["DemoResult", "run_demo", "sentence"]
