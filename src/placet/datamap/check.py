"""Check a data map against the policy it serves, reporting every problem at once.

Imports nothing outside the standard library, `placet.policy` and `placet.datamap.model`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from placet.datamap.model import (
    DataMap,
    Dataset,
    DatasetKind,
    KeyKind,
    OtherPartyKey,
    SubjectKey,
    SystemKind,
)
from placet.policy.model import Anchor, Policy, RetentionRule
from placet.policy.yamlsource import closest, format_path

__all__ = ["PROBLEM_CODES", "DataMapProblem", "Level", "check_datamap"]

_Loc = tuple[str | int, ...]


class Level(StrEnum):
    ERROR = "error"
    """The map cannot be used as it is: `placet datamap check` exits with status 1."""
    WARNING = "warning"
    """The map can be used, but says something an operator should look at."""


PROBLEM_CODES: dict[str, tuple[Level, str]] = {
    "policy-mismatch": (Level.ERROR, "the map names another policy than the one checked against"),
    "duplicate-id": (Level.ERROR, "two systems, datasets or identities share an id"),
    "unknown-category": (Level.ERROR, "a column's data category is not declared in the policy"),
    "unknown-record-type": (Level.ERROR, "a record type names no retention rule of the policy"),
    "missing-subject-key": (Level.ERROR, "a dataset has no subject key"),
    "unresolved-subject-key": (
        Level.ERROR,
        "a key other than a subscriber id has no identity that resolves it to a subscriber",
    ),
    "missing-time-column": (
        Level.ERROR,
        "the retention rule runs from collection or the end of the year, but the dataset has "
        "no time column",
    ),
    "unknown-column": (
        Level.ERROR,
        "a key, time or identity column is not among the dataset's columns",
    ),
    "unknown-dataset": (
        Level.ERROR,
        "an identity or an other party's `found_in` names a dataset the map does not have",
    ),
    "found-in-key-mismatch": (
        Level.ERROR,
        "an other party's `found_in` names a dataset not keyed by the same kind of key",
    ),
    "dataset-kind-mismatch": (
        Level.ERROR,
        "a table outside a SQL system, or a Delta table or Parquet folder inside one",
    ),
    "partition-without-time": (
        Level.ERROR,
        "a dataset is partitioned by its time column's month or day but has no time column, "
        "or is a SQL table",
    ),
    "category-outside-rule": (
        Level.WARNING,
        "a column's category is not among those of its dataset's retention rule",
    ),
}
"""Every code a `DataMapProblem` can carry, with its level and meaning (docs/datamap.md)."""

_DATED_ANCHORS = frozenset({Anchor.COLLECTION, Anchor.END_OF_YEAR})
"""Anchors counted from each record's own instant, which the time column holds."""


@dataclass(frozen=True, slots=True)
class DataMapProblem:
    """One problem of a data map, located by YAML path and (when known) line."""

    code: str
    message: str
    path: str
    line: int | None = None
    file: str | None = None
    level: Level = field(init=False)
    """error or warning, fixed by the code."""

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unregistered data map problem code '{self.code}'")
        object.__setattr__(self, "level", PROBLEM_CODES[self.code][0])

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        field = f" [{self.path}]" if self.path else ""
        return f"{where}{field} {self.level} {self.code}: {self.message}".lstrip()


def check_datamap(datamap: DataMap, policy: Policy) -> list[DataMapProblem]:
    """Every problem of `datamap` against `policy`, errors and warnings, in file order.

    A map checked against another policy than its own gets that one problem only: every
    category and rule would be reported unknown besides.
    """
    found: list[tuple[_Loc, str, str]] = []
    if datamap.policy != policy.policy_id:
        found.append(
            (
                ("policy",),
                "policy-mismatch",
                f"the map is written for policy '{datamap.policy}' but is checked against "
                f"'{policy.policy_id}'; check it against its own policy or fix 'policy:'",
            )
        )
        return _located(datamap, found)
    found += _duplicate_ids(datamap)
    rules = {rule.id: rule for rule in policy.retention_rules}
    categories = {category.id for category in policy.data_categories}
    for loc, system, dataset in datamap.located_datasets():
        found += _dataset_kind(loc, system.kind, dataset)
        found += _partitioning(loc, dataset)
        found += _columns(loc, dataset, categories, rules.get(dataset.record_type))
        found += _record_type(loc, dataset, rules)
        found += _keys(loc, dataset, datamap)
    found += _identities(datamap)
    return _located(datamap, found)


def _located(datamap: DataMap, found: list[tuple[_Loc, str, str]]) -> list[DataMapProblem]:
    problems = [
        DataMapProblem(code, message, format_path(loc), datamap.line_of(loc), datamap.file)
        for loc, code, message in found
    ]
    return sorted(problems, key=lambda problem: problem.line or 0)


def _duplicate_ids(datamap: DataMap) -> list[tuple[_Loc, str, str]]:
    systems = [
        (("systems", index, "id"), system.id) for index, system in enumerate(datamap.systems)
    ]
    datasets = [((*loc, "id"), dataset.id) for loc, _, dataset in datamap.located_datasets()]
    identities = [
        (("identities", index, "id"), identity.id)
        for index, identity in enumerate(datamap.identities)
    ]
    found: list[tuple[_Loc, str, str]] = []
    for kind, located in (("system", systems), ("dataset", datasets), ("identity", identities)):
        first: dict[str, _Loc] = {}
        for loc, element_id in located:
            if element_id in first:
                found.append(
                    (
                        loc,
                        "duplicate-id",
                        f"{kind} id '{element_id}' is also used at {format_path(first[element_id])}"
                        f"; {kind} ids are unique in the map, so rename one",
                    )
                )
            first.setdefault(element_id, loc)
    return found


def _dataset_kind(loc: _Loc, system: SystemKind, dataset: Dataset) -> list[tuple[_Loc, str, str]]:
    is_sql = system is SystemKind.SQL
    if is_sql == (dataset.kind is DatasetKind.TABLE):
        return []
    expected = "table" if is_sql else "delta-table or parquet-folder"
    return [
        (
            (*loc, "kind"),
            "dataset-kind-mismatch",
            f"a {system.value} system holds datasets of kind {expected}, not {dataset.kind.value}"
            "; fix the dataset's kind or move it to a system of the right kind",
        )
    ]


def _partitioning(loc: _Loc, dataset: Dataset) -> list[tuple[_Loc, str, str]]:
    if dataset.partitioned_by is None:
        return []
    if dataset.kind is DatasetKind.TABLE:
        reason = "a SQL table is not partitioned by Placet; remove partitioned_by"
    elif dataset.time_column is None:
        reason = "it has no time_column to take the month or day of; add one"
    else:
        return []
    return [
        (
            (*loc, "partitioned_by"),
            "partition-without-time",
            f"dataset {dataset.id} is partitioned_by {dataset.partitioned_by.column}, but {reason}",
        )
    ]


def _columns(
    loc: _Loc, dataset: Dataset, categories: set[str], rule: RetentionRule | None
) -> list[tuple[_Loc, str, str]]:
    found: list[tuple[_Loc, str, str]] = []
    for name, column in dataset.columns.items():
        where = (*loc, "columns", name)
        if column.category not in categories:
            found.append(
                (
                    where,
                    "unknown-category",
                    f"column '{name}': data category '{column.category}' is not declared in the "
                    f"policy{closest(column.category, categories)} Use one of the policy's "
                    "data_categories ids",
                )
            )
        elif rule is not None and column.category not in rule.categories:
            found.append(
                (
                    where,
                    "category-outside-rule",
                    f"column '{name}' holds '{column.category}', which retention rule "
                    f"'{rule.id}' does not list; check the column's category and the "
                    "dataset's record_type, or add the category to the rule",
                )
            )
    return found


def _record_type(
    loc: _Loc, dataset: Dataset, rules: dict[str, RetentionRule]
) -> list[tuple[_Loc, str, str]]:
    rule = rules.get(dataset.record_type)
    if rule is None:
        return [
            (
                (*loc, "record_type"),
                "unknown-record-type",
                f"record type '{dataset.record_type}' names no retention rule of the policy"
                f"{closest(dataset.record_type, rules)} The rules are: {', '.join(rules)}",
            )
        ]
    dated = [anchor.value for anchor in rule.anchors if anchor in _DATED_ANCHORS]
    if dated and dataset.time_column is None:
        return [
            (
                loc,
                "missing-time-column",
                f"dataset '{dataset.id}': retention rule '{rule.id}' runs from "
                f"{' and '.join(dated)}, which needs each record's instant; add "
                "'time_column:' naming the column that holds it",
            )
        ]
    return []


def _keys(loc: _Loc, dataset: Dataset, datamap: DataMap) -> list[tuple[_Loc, str, str]]:
    found: list[tuple[_Loc, str, str]] = []
    if dataset.subject_key is None:
        found.append(
            (
                loc,
                "missing-subject-key",
                f"dataset '{dataset.id}' has no subject_key, so no request can find whose "
                "records it holds; add 'subject_key: {column: …, kind: …}'",
            )
        )
    keyed: list[tuple[_Loc, SubjectKey]] = [
        ((*loc, "other_party_keys", index), key)
        for index, key in enumerate(dataset.other_party_keys)
    ]
    if dataset.subject_key is not None:
        keyed.insert(0, ((*loc, "subject_key"), dataset.subject_key))
    for where, key in keyed:
        found += _known_column((*where, "column"), dataset, key.column, "key")
        if key.kind is not KeyKind.SUBSCRIBER_ID and not datamap.identities_for(key.kind):
            found.append(
                (
                    (*where, "kind"),
                    "unresolved-subject-key",
                    f"dataset '{dataset.id}': no identity resolves a {key.kind.value} to a "
                    "subscriber; add one under 'identities:' naming the dataset that says "
                    "who held which key and when",
                )
            )
    for index, other in enumerate(dataset.other_party_keys):
        if other.found_in is not None:
            found += _found_in((*loc, "other_party_keys", index, "found_in"), other, datamap)
    if dataset.time_column is not None:
        found += _known_column((*loc, "time_column"), dataset, dataset.time_column, "time")
    return found


def _found_in(loc: _Loc, key: OtherPartyKey, datamap: DataMap) -> list[tuple[_Loc, str, str]]:
    """The dataset `found_in` names must exist and be keyed by the same kind of key."""
    assert key.found_in is not None
    mirror = datamap.dataset(key.found_in)
    if mirror is None:
        ids = [dataset.id for _, _, dataset in datamap.located_datasets()]
        return [
            (
                loc,
                "unknown-dataset",
                f"'found_in' names dataset '{key.found_in}', which the map does not "
                f"have{closest(key.found_in, ids)}",
            )
        ]
    if mirror.subject_key is None or mirror.subject_key.kind is not key.kind:
        keyed = "no subject key" if mirror.subject_key is None else mirror.subject_key.kind.value
        return [
            (
                loc,
                "found-in-key-mismatch",
                f"'found_in' names dataset '{key.found_in}', keyed by {keyed}, but the "
                f"records of a {key.kind.value} can only be found in a dataset keyed by one",
            )
        ]
    return []


def _identities(datamap: DataMap) -> list[tuple[_Loc, str, str]]:
    found: list[tuple[_Loc, str, str]] = []
    dataset_ids = [dataset.id for _, _, dataset in datamap.located_datasets()]
    for index, identity in enumerate(datamap.identities):
        loc: _Loc = ("identities", index)
        dataset = datamap.dataset(identity.dataset)
        if dataset is None:
            found.append(
                (
                    (*loc, "dataset"),
                    "unknown-dataset",
                    f"identity '{identity.id}' names dataset '{identity.dataset}', which the "
                    f"map does not have{closest(identity.dataset, dataset_ids)}",
                )
            )
            continue
        columns = (
            (("key", "column"), identity.key.column),
            (("subject_column",), identity.subject_column),
            (("valid_from",), identity.valid_from),
            (("valid_to",), identity.valid_to),
        )
        for place, column in columns:
            found += _known_column((*loc, *place), dataset, column, "identity")
    return found


def _known_column(
    loc: _Loc, dataset: Dataset, column: str, role: str
) -> Iterable[tuple[_Loc, str, str]]:
    if column in dataset.columns:
        return []
    return [
        (
            loc,
            "unknown-column",
            f"{role} column '{column}' is not among the columns of dataset '{dataset.id}'"
            f"{closest(column, dataset.columns)} Declare it under 'columns:' with its "
            "data category, or fix the spelling",
        )
    ]
