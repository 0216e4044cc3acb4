"""The data map model: where an estate keeps personal data, as pydantic v2 models read from YAML.

Imports nothing outside the standard library, pydantic, `placet.policy` and `placet.errors`.
References to the policy (data categories, retention rules) and between elements (an
identity naming a dataset) are checked by `placet.datamap.check`, which reports them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Annotated, Any, Literal, NewType

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from placet.policy.model import CategoryId

__all__ = [
    "FORMAT_VERSION",
    "Column",
    "DataMap",
    "DataOrigin",
    "Dataset",
    "DatasetId",
    "DatasetKind",
    "Identity",
    "IdentityId",
    "KeyKind",
    "Partitioning",
    "Provenance",
    "RetentionRuleId",
    "SubjectKey",
    "System",
    "SystemId",
    "SystemKind",
]

SystemId = NewType("SystemId", str)
DatasetId = NewType("DatasetId", str)
IdentityId = NewType("IdentityId", str)
RetentionRuleId = NewType("RetentionRuleId", str)

FORMAT_VERSION = 1
"""The data map format this Placet reads (`format: 1`)."""

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
"""Data map ids are lowercase kebab case, like policy ids: `msisdn-assignments`."""

ColumnName = Annotated[str, StringConstraints(min_length=1)]
"""A column's name as the store spells it (`b_number`, `StartTime`)."""


class SystemKind(StrEnum):
    """How a system stores its datasets, which decides the connector that reads it."""

    SQL = "sql"
    """A SQL database (SQLite, PostgreSQL, MariaDB …) reached through SQLAlchemy."""
    DELTA = "delta"
    """A data lake of Delta tables (and Parquet folders) under one root."""
    PARQUET = "parquet"
    """A folder of Parquet datasets."""


class DatasetKind(StrEnum):
    TABLE = "table"
    """A table (or view) of a SQL system; its location is the table name."""
    DELTA_TABLE = "delta-table"
    """A Delta Lake table; its location is a path under the system's root."""
    PARQUET_FOLDER = "parquet-folder"
    """A folder of Parquet files read as one dataset; its location is a path."""


class KeyKind(StrEnum):
    """What a key column holds: the subscriber's own id, or something that points to one."""

    SUBSCRIBER_ID = "subscriber-id"
    """The operator's subscriber id: the data subject itself, needs no resolving."""
    CUSTOMER_ID = "customer-id"
    """A customer number of another system (billing, a shop)."""
    ACCOUNT_NUMBER = "account-number"
    """A billing or bank account number."""
    MSISDN = "msisdn"
    """A telephone number (E.164); numbers are recycled, so it names a subscriber only
    between two dates."""
    IMSI = "imsi"
    """The SIM's subscriber identity."""
    IMEI = "imei"
    """The handset's identity."""
    EMAIL = "email"
    """An e-mail address."""
    IP_ADDRESS = "ip-address"
    """An IP address assigned to a subscriber's connection."""
    MAC_ADDRESS = "mac-address"
    """A device's hardware address."""
    COOKIE_ID = "cookie-id"
    """A website visitor's cookie identifier."""


class DataOrigin(StrEnum):
    """Where the data comes from (GDPR Art. 14(2)(f)); the access answer owes it."""

    SUBJECT = "subject"
    """The subject gave it."""
    OBSERVED = "observed"
    """Observed from the subject's use of the service."""
    THIRD_PARTY = "third-party"
    """Received from a third party (an employer, a credit agency)."""
    PUBLIC = "public"
    """Taken from a publicly accessible source."""


class Provenance(StrEnum):
    """How the data came to be; portability (Art. 20) covers what was provided or observed."""

    PROVIDED = "provided"
    """The subject provided it knowingly (a form, a contract)."""
    OBSERVED = "observed"
    """Recorded from the subject's use of the service (CDRs, sessions)."""
    DERIVED = "derived"
    """Inferred or computed by the operator (segments, scores)."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )


class SubjectKey(_Model):
    """A column that names a data subject, and what kind of key it holds."""

    column: ColumnName
    """The column's name in the dataset."""
    kind: KeyKind
    """What it holds: `subscriber-id`, or a key resolved through an identity (`msisdn`)."""


class OtherPartyKey(SubjectKey):
    """A column naming another party of the record (a CDR's B-number): their data too."""

    found_in: DatasetId | None = None
    """A dataset holding the same records keyed by this party (the switch's terminating
    records, keyed by the B-number and clustered by it): a request finds the records in
    which a subscriber is this party there, as that dataset's own records, instead of
    searching this dataset by this column (which no layout by the record's subject makes
    cheap)."""


class Column(_Model):
    """One column of a dataset: the data category it holds.

    In YAML a column is written `name: category`, or `name: {category: …, identifier: true}`.
    """

    category: CategoryId
    """The data category of the policy the column holds, by id."""
    identifier: bool = False
    """It identifies a subject directly (a number, an e-mail): dropped when anonymising."""

    @model_validator(mode="before")
    @classmethod
    def _category_alone(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"category": value}
        return value


class Partitioning(_Model):
    """A lake dataset partitioned by the month (or day) of its time column: `month=2026-03/`.

    Retention uses it to drop whole expired partitions as metadata-only commits and rewrite
    only the partition a cutoff falls in; one subscriber's lookup reads one month's files.
    """

    column: ColumnName
    """The partition column (`month`), holding `YYYY-MM` (or `YYYY-MM-DD` by day)."""
    unit: Literal["month", "day"] = "month"
    """What one partition spans."""


class Dataset(_Model):
    """A table, Delta table or Parquet folder holding records of one record type."""

    id: Id
    """Lowercase kebab case; unique among the datasets of the whole map."""
    name: str | None = None
    """What the dataset is, for people (`Call detail records`)."""
    location: str = Field(min_length=1)
    """The table name (SQL) or the path under the system's root (Delta, Parquet)."""
    kind: DatasetKind
    """table, delta-table or parquet-folder."""
    subject_key: SubjectKey | None = None
    """The column that says whose record it is; a dataset without one cannot be searched."""
    other_party_keys: list[OtherPartyKey] = []
    """Columns naming another party (the B-number of a CDR): that party's records too, but
    masked in access answers to the record's subject."""
    time_column: ColumnName | None = None
    """The column with the record's instant, from which retention periods run."""
    partitioned_by: Partitioning | None = None
    """For a Delta table or Parquet folder: the partition column holding the month (or
    day) of `time_column`."""
    record_type: str
    """The id of the policy's retention rule that governs these records."""
    source: DataOrigin
    """Where the data comes from: subject, observed, third-party or public."""
    provenance: Provenance
    """provided, observed or derived: portability covers provided and observed."""
    columns: dict[ColumnName, Column] = {}
    """Each column holding personal data, by name, with its data category."""

    @property
    def categories(self) -> tuple[CategoryId, ...]:
        """The data categories its columns hold, each once, sorted."""
        return tuple(sorted({column.category for column in self.columns.values()}))


class System(_Model):
    """A database or lake of the estate, and the datasets it holds."""

    id: Id
    """Lowercase kebab case; unique among the systems of the map."""
    name: str
    """The system's name, for people (`CRM`)."""
    kind: SystemKind
    """sql, delta or parquet."""
    connection: str = Field(min_length=1)
    """How to reach it: a URL or path, or `env:VARIABLE` to read it from the environment
    when used (keeps passwords out of the map)."""
    datasets: list[Dataset] = []
    """The datasets it holds."""


class Identity(_Model):
    """Which subscriber held a key, and when: a time-bounded assignment such as
    MSISDN -> subscriber (valid from / to)."""

    id: Id
    """Lowercase kebab case; unique among the identities of the map."""
    dataset: DatasetId
    """The dataset holding the assignments, by id."""
    key: SubjectKey
    """The column holding the key (the number) and its kind."""
    subject_column: ColumnName
    """The column holding the subscriber id the key is assigned to."""
    valid_from: ColumnName
    """The column with the first instant the subscriber holds the key."""
    valid_to: ColumnName
    """The column with the instant the subscriber stops holding it (excluded); null while
    the subscriber still holds it."""


class DataMap(_Model):
    """One estate's data map: its systems, datasets and identities."""

    format: Literal[1]
    """The data map format: 1."""
    estate: str = Field(min_length=1)
    """The estate's name (`ipko-demo`)."""
    policy: Id
    """The id of the policy the map is checked against (`ipko`)."""
    systems: list[System]
    """The databases and lakes that hold personal data."""
    identities: list[Identity] = []
    """How keys other than the subscriber id resolve to a subscriber over time."""

    _file: str | None = PrivateAttr(None)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    def with_source(self, file: str, lines: dict[tuple[str | int, ...], int]) -> DataMap:
        """Record the file and the line of each YAML path it was read from (for messages)."""
        self._file = file
        self._lines = dict(lines)
        return self

    @property
    def file(self) -> str | None:
        """The file the map was read from, when it was read from one."""
        return self._file

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """The line of `loc` or of its closest ancestor; None when not read from a file."""
        parts = tuple(loc)
        while parts:
            if parts in self._lines:
                return self._lines[parts]
            parts = parts[:-1]
        return self._lines.get(())

    def located_datasets(self) -> Iterator[tuple[tuple[str | int, ...], System, Dataset]]:
        """Every dataset with its YAML location (`("systems", 0, "datasets", 2)`) and system."""
        for system_index, system in enumerate(self.systems):
            for dataset_index, dataset in enumerate(system.datasets):
                yield ("systems", system_index, "datasets", dataset_index), system, dataset

    def dataset(self, dataset_id: str) -> Dataset | None:
        """The dataset with this id, or None."""
        return next(
            (dataset for _, _, dataset in self.located_datasets() if dataset.id == dataset_id), None
        )

    def identities_for(self, kind: KeyKind) -> list[Identity]:
        """The identities that resolve keys of this kind to a subscriber."""
        return [identity for identity in self.identities if identity.key.kind is kind]
