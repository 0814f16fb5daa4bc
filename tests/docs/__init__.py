"""The documentation that runs: the tutorial notebooks in docs/tutorials."""
