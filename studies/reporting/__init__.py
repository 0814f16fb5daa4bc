"""Reporting shared by every study kind: statistics (`stats`), numbers as
text (`formatting`), figures (`plots`), markdown and HTML pages (`pages`), and
`write_report`, which hands a study folder to its kind's report.
"""

from studies.reporting.formatting import FORMULA_STARTS, is_finite, num, pct, spreadsheet_safe
from studies.reporting.pages import (
    html_figure,
    html_page,
    html_table,
    markdown_image,
    markdown_page,
    markdown_table,
    markdown_text,
    page_opening,
    write_section_report,
)
from studies.reporting.plots import (
    OUTCOME_COLOURS,
    OUTCOME_NAMES,
    ReplayError,
    agent_colours,
    caption,
    choose_examples,
    literal,
    plot_example,
    plot_outcomes,
    plot_robustness,
    pyplot,
    replay,
)
from studies.reporting.report import kind_of, write_report
from studies.reporting.stats import (
    RESAMPLES,
    NoResultsError,
    binomial_ci,
    bootstrap_ci,
    cluster_bootstrap_ci,
    holm,
    mcnemar_exact,
)

__all__ = [
    "FORMULA_STARTS",
    "OUTCOME_COLOURS",
    "OUTCOME_NAMES",
    "RESAMPLES",
    "NoResultsError",
    "ReplayError",
    "agent_colours",
    "binomial_ci",
    "bootstrap_ci",
    "cluster_bootstrap_ci",
    "holm",
    "mcnemar_exact",
    "caption",
    "choose_examples",
    "html_figure",
    "html_page",
    "html_table",
    "is_finite",
    "kind_of",
    "literal",
    "markdown_image",
    "markdown_page",
    "markdown_table",
    "markdown_text",
    "num",
    "page_opening",
    "pct",
    "plot_example",
    "plot_outcomes",
    "plot_robustness",
    "pyplot",
    "replay",
    "spreadsheet_safe",
    "write_report",
    "write_section_report",
]
