"""Find columns in an estate that look personal but that the data map does not map.

The stores read what is there (`ObservedTable`: a table's columns and a sample of their
values); this module says which columns look personal, by their name or by their values
(phone numbers, e-mail and IP addresses, MAC addresses), and which of those the map does
not list, so that the map stays honest as the estate changes. It also resolves where each
system of the map is (`system_locations`), from the map, overrides and the environment,
all passed in.
Imports nothing outside the standard library and `placet.datamap.model`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from placet.datamap.model import DataMap, System, SystemKind
from placet.errors import DataMapError

__all__ = [
    "ENV_PREFIX",
    "Evidence",
    "ObservedTable",
    "ScanFinding",
    "SystemLocation",
    "find_unmapped",
    "looks_personal",
    "system_locations",
]

ENV_PREFIX = "env:"
"""A connection written `env:VARIABLE` is read from that environment variable."""


@dataclass(frozen=True, slots=True)
class SystemLocation:
    """Where a system of the map is: a database URL (sql) or a folder (delta, parquet)."""

    system: str
    kind: SystemKind
    where: str


@dataclass(frozen=True, slots=True)
class ObservedTable:
    """A table or lake folder as a store found it: its columns, each with sampled values
    (as text, nulls left out)."""

    where: str
    """The database URL or lake folder it was found in."""
    location: str
    """The table's name, or the folder's path under the lake's root."""
    columns: Mapping[str, Sequence[str]]


class Evidence(StrEnum):
    NAME = "name"
    """The column's name says what it holds."""
    VALUES = "values"
    """Most of its sampled values have the shape of personal data."""


@dataclass(frozen=True, slots=True)
class ScanFinding:
    """A column that looks personal and that no dataset of the map lists."""

    where: str
    location: str
    column: str
    looks_like: str
    evidence: Evidence
    dataset: str | None
    """The dataset of the map at this location (None: the whole table is unmapped)."""

    @property
    def message(self) -> str:
        what = f"dataset {self.dataset}" if self.dataset else "a table the map does not name"
        return (
            f"{self.location}.{self.column} looks like {self.looks_like} (by its "
            f"{self.evidence.value}) but is not mapped ({what})"
        )


def system_locations(
    datamap: DataMap, overrides: Mapping[str, str], environment: Mapping[str, str]
) -> list[SystemLocation]:
    """Where each system is: an override by system id, else its connection, read from the
    environment when written `env:VARIABLE`. A variable that is not set is an error naming
    the system and the variable."""
    unknown = sorted(set(overrides) - {system.id for system in datamap.systems})
    if unknown:
        known = ", ".join(system.id for system in datamap.systems)
        raise DataMapError(
            f"the data map has no system {', '.join(unknown)}; its systems are: {known}"
        )
    return [
        SystemLocation(
            system.id, system.kind, overrides.get(system.id) or _read(system, environment)
        )
        for system in datamap.systems
    ]


def _read(system: System, environment: Mapping[str, str]) -> str:
    if not system.connection.startswith(ENV_PREFIX):
        return system.connection
    variable = system.connection.removeprefix(ENV_PREFIX)
    value = environment.get(variable)
    if not value:
        raise DataMapError(
            f"system {system.id} is reached through the environment variable {variable}, "
            f"which is not set. Set it, or name the system's location with "
            f"--connect {system.id}=URL_OR_FOLDER (or --estate for a `placet synth` estate)."
        )
    return value


def find_unmapped(
    datamap: DataMap, locations: Sequence[SystemLocation], observed: Iterable[ObservedTable]
) -> list[ScanFinding]:
    """Every observed column that looks personal and is not among the columns of the
    dataset at its place (all such columns, for a table no dataset names). Systems that
    share a database or lake share its tables."""
    where = {location.system: location.where for location in locations}
    mapped: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}
    for _, system, dataset in datamap.located_datasets():
        mapped[(where[system.id], dataset.location)] = (dataset.id, frozenset(dataset.columns))
    findings = []
    for table in observed:
        dataset_id, columns = mapped.get((table.where, table.location), (None, frozenset()))
        for column, samples in table.columns.items():
            found = None if column in columns else looks_personal(column, samples)
            if found is not None:
                looks_like, evidence = found
                findings.append(
                    ScanFinding(
                        table.where, table.location, column, looks_like, evidence, dataset_id
                    )
                )
    return findings


# ---------------------------------------------------------------- what looks personal

_NAMES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (looks_like, frozenset(names.split()))
    for looks_like, names in (
        ("a phone number", "msisdn phone mobile telephone tel a_number b_number caller callee"),
        ("a subscriber identity (IMSI)", "imsi"),
        ("a device identity (IMEI)", "imei"),
        ("an e-mail address", "email e_mail"),
        ("an IP address", "ip ip_address ip_addr ipv4 ipv6"),
        ("a MAC address", "mac mac_address mac_addr"),
        ("a person's name", "name first_name last_name surname given_name full_name family_name"),
        ("a birth date", "birth_date date_of_birth dob birthday birthdate"),
        ("a postal address", "address street postcode postal_code zip_code"),
        ("an identity number", "personal_number national_id ssn cpr passport id_number"),
        ("a payment account", "iban account_number card_number"),
        ("a location", "cell_id latitude longitude lat lon lng gps"),
    )
)
"""Column names that say what they hold (lowercase snake case): the whole name, its first
or last words, or (for one-word names) any of its words."""
_WHOLE_NAME_ONLY = frozenset({"name"})
"""Too common to match as one word of a name: `device_name` is not a person's name."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
_PHONE = re.compile(r"^\+\d{8,15}$|^00\d{8,15}$")
_SHARE = 0.8
"""The share of sampled values that must have a shape for the column to be taken for it."""


def looks_personal(column: str, samples: Sequence[str]) -> tuple[str, Evidence] | None:
    """What the column looks like it holds, and why; None if nothing personal shows.

    >>> looks_personal("contact_phone", [])
    ('a phone number', <Evidence.NAME: 'name'>)
    >>> looks_personal("x1", ["+38344111222", "+38349000111"])
    ('a phone number', <Evidence.VALUES: 'values'>)
    """
    words = _snake(column)
    parts = set(words.split("_"))
    for looks_like, names in _NAMES:
        if any(_names_it(words, parts, name) for name in names):
            return looks_like, Evidence.NAME
    values = [value.strip() for value in samples if value and value.strip()]
    if not values:
        return None
    for looks_like, matches in _VALUE_SHAPES:
        if sum(map(matches, values)) >= _SHARE * len(values):
            return looks_like, Evidence.VALUES
    return None


def _names_it(words: str, parts: set[str], name: str) -> bool:
    if words == name:
        return True
    if name in _WHOLE_NAME_ONLY:
        return False
    if words.startswith(name + "_") or words.endswith("_" + name):
        return True
    return "_" not in name and name in parts


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_VALUE_SHAPES = (
    ("an e-mail address", lambda value: _EMAIL.match(value) is not None),
    ("an IP address", _is_ip),
    ("a MAC address", lambda value: _MAC.match(value) is not None),
    ("a phone number", lambda value: _PHONE.match(value) is not None),
)


def _snake(name: str) -> str:
    """`contactPhone`, `Contact-Phone` -> `contact_phone`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")
