"""The episode study kind (the default): every planner x objective of a TOML
file played on seeded levels of each split (`spec`, `study`), summarised
(`summary`), put into words (`findings`) and reported (`report`)."""

from studies.episodes.findings import findings
from studies.episodes.report import write_episode_report
from studies.episodes.spec import Study, parse
from studies.episodes.study import EPISODES, run_study
from studies.episodes.summary import summarise, write_summary_csv

__all__ = [
    "EPISODES",
    "Study",
    "findings",
    "parse",
    "run_study",
    "summarise",
    "write_episode_report",
    "write_summary_csv",
]
