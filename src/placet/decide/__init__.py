"""The decision engine: may this purpose use these data of this subject, now or then?

Pure functions: everything they need is an argument, and they read no clock, environment
or database. `decide_use` answers for one subject, `decide_bulk` for a table of them.
"""

from placet.decide.bulk import (
    STATE_SCHEMA,
    Selection,
    decide_bulk,
    decide_subjects,
    select_subjects,
    states_frame,
)
from placet.decide.clauses import Clause, cited_clauses
from placet.decide.decision import REASONS, Decision, Obligation, Outcome, Use
from placet.decide.single import decide_use, recipient_reason
from placet.decide.state import ConsentGrant, SubjectState

__all__ = [
    "REASONS",
    "STATE_SCHEMA",
    "Clause",
    "ConsentGrant",
    "Decision",
    "Obligation",
    "Outcome",
    "Selection",
    "SubjectState",
    "Use",
    "cited_clauses",
    "decide_bulk",
    "decide_subjects",
    "decide_use",
    "recipient_reason",
    "select_subjects",
    "states_frame",
]
