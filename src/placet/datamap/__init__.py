"""The data map: where an estate keeps personal data, checked against the policy it serves."""

from placet.datamap.check import PROBLEM_CODES, DataMapProblem, Level, check_datamap
from placet.datamap.identity import (
    ASSIGNMENT_COLUMNS,
    assignments_from,
    records_of_subject,
    resolve_subjects,
)
from placet.datamap.loader import load_datamap
from placet.datamap.model import (
    FORMAT_VERSION,
    Column,
    DataMap,
    DataOrigin,
    Dataset,
    DatasetId,
    DatasetKind,
    Identity,
    IdentityId,
    KeyKind,
    OtherPartyKey,
    Provenance,
    RetentionRuleId,
    SubjectKey,
    System,
    SystemId,
    SystemKind,
)

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "FORMAT_VERSION",
    "PROBLEM_CODES",
    "Column",
    "DataMap",
    "DataMapProblem",
    "DataOrigin",
    "Dataset",
    "DatasetId",
    "DatasetKind",
    "Identity",
    "IdentityId",
    "KeyKind",
    "Level",
    "OtherPartyKey",
    "Provenance",
    "RetentionRuleId",
    "SubjectKey",
    "System",
    "SystemId",
    "SystemKind",
    "assignments_from",
    "check_datamap",
    "load_datamap",
    "records_of_subject",
    "resolve_subjects",
]
