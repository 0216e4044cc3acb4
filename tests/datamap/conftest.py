"""Builders for data map tests: a small map of the IPKO estate to break one thing in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from placet.datamap import DataMap, DataMapProblem, check_datamap, load_datamap
from placet.policy import Policy, load_policy_set

SMALL_MAP = """\
format: 1
estate: ipko-small
policy: ipko
systems:
  - id: crm
    name: CRM
    kind: sql
    connection: env:PLACET_CRM_URL
    datasets:
      - id: subscribers
        location: subscribers
        kind: table
        subject_key: {column: subscriber_id, kind: subscriber-id}
        time_column: created_at
        record_type: contract-period
        source: subject
        provenance: provided
        columns:
          subscriber_id: {category: identity, identifier: true}
          email: {category: contact, identifier: true}
          created_at: contract-data
      - id: msisdn-assignments
        location: msisdn_assignments
        kind: table
        subject_key: {column: subscriber_id, kind: subscriber-id}
        record_type: contract-period
        source: observed
        provenance: observed
        columns:
          msisdn: {category: contact, identifier: true}
          subscriber_id: {category: identity, identifier: true}
          valid_from: contract-data
          valid_to: contract-data
  - id: lake
    name: Traffic lake
    kind: delta
    connection: lake/
    datasets:
      - id: cdrs
        location: cdrs
        kind: delta-table
        subject_key: {column: a_number, kind: msisdn}
        other_party_keys:
          - {column: b_number, kind: msisdn}
        time_column: start_time
        record_type: traffic-and-location-data
        source: observed
        provenance: observed
        columns:
          a_number: {category: mobile-traffic-data, identifier: true}
          b_number: {category: mobile-traffic-data, identifier: true}
          start_time: mobile-traffic-data
          cell_id: location-data
identities:
  - id: msisdn
    dataset: msisdn-assignments
    key: {column: msisdn, kind: msisdn}
    subject_column: subscriber_id
    valid_from: valid_from
    valid_to: valid_to
"""
"""A valid map: subscribers, number assignments and CDRs, checked against `ipko`."""

MapWriter = Callable[[str], Path]


@pytest.fixture
def write_map(tmp_path: Path) -> MapWriter:
    """Write data map YAML to a file: `write_map(text) -> path`."""

    def write(text: str) -> Path:
        path = tmp_path / "datamap.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def ipko() -> Policy:
    return load_policy_set("ipko").latest


def problems_of(path: Path, policy: Policy) -> list[DataMapProblem]:
    datamap: DataMap = load_datamap(path)
    return check_datamap(datamap, policy)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of `text` holding `needle`."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]
