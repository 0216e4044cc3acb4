"""`load_datamap` reads a map or reports every problem of its shape with file, line and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from placet.datamap import DataOrigin, KeyKind, Provenance, load_datamap
from placet.errors import DataMapError, DataMapValidationError
from tests.conftest import replace_once
from tests.datamap.conftest import SMALL_MAP, MapWriter, line_of


def issues_of(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DataMapValidationError) as caught:
        load_datamap(path)
    return [(issue.line, issue.path, issue.code) for issue in caught.value.issues]


def test_small_map_loads_with_its_datasets_keys_and_columns(write_map: MapWriter) -> None:
    datamap = load_datamap(write_map(SMALL_MAP))

    cdrs = datamap.dataset("cdrs")

    assert cdrs is not None
    assert cdrs.subject_key is not None
    assert cdrs.subject_key.kind is KeyKind.MSISDN
    assert [key.column for key in cdrs.other_party_keys] == ["b_number"]
    assert cdrs.source is DataOrigin.OBSERVED
    assert cdrs.provenance is Provenance.OBSERVED
    assert cdrs.columns["cell_id"].category == "location-data"
    assert cdrs.columns["a_number"].identifier


def test_a_column_written_as_its_category_alone_is_no_identifier(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "cell_id: location-data", "cell_id: {category: location-data}")

    plain = load_datamap(write_map(SMALL_MAP)).dataset("cdrs")
    spelled_out = load_datamap(write_map(text)).dataset("cdrs")

    assert plain is not None
    assert spelled_out is not None
    assert plain.columns["cell_id"] == spelled_out.columns["cell_id"]
    assert not plain.columns["cell_id"].identifier


def test_misspelt_key_is_located_with_a_suggestion(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "time_column: start_time", "time_colum: start_time")

    with pytest.raises(DataMapValidationError) as caught:
        load_datamap(write_map(text))

    [issue] = caught.value.issues
    assert (issue.line, issue.path, issue.code) == (
        line_of(text, "time_colum: start_time"),
        "systems[1].datasets[0].time_colum",
        "unknown-field",
    )
    assert "did you mean 'time_column'?" in issue.message


def test_misspelt_key_inside_a_column_is_located_with_a_suggestion(write_map: MapWriter) -> None:
    text = replace_once(
        SMALL_MAP,
        "email: {category: contact, identifier: true}",
        "email: {category: contact, identifer: true}",
    )

    with pytest.raises(DataMapValidationError) as caught:
        load_datamap(write_map(text))

    [issue] = caught.value.issues
    assert issue.path == "systems[0].datasets[0].columns.email.identifer"
    assert issue.line == line_of(text, "identifer: true")
    assert "did you mean 'identifier'?" in issue.message


def test_every_shape_problem_is_reported_together(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "kind: delta-table", "kind: delta-tabel")
    text = replace_once(text, "        provenance: provided\n", "")

    issues = issues_of(write_map(text))

    assert issues == [
        (
            line_of(text, "  - id: subscribers"),
            "systems[0].datasets[0].provenance",
            "missing-field",
        ),
        (line_of(text, "kind: delta-tabel"), "systems[1].datasets[0].kind", "invalid-value"),
    ]


def test_unknown_key_kind_is_an_invalid_value(write_map: MapWriter) -> None:
    text = replace_once(
        SMALL_MAP, "{column: a_number, kind: msisdn}", "{column: a_number, kind: phone}"
    )

    assert issues_of(write_map(text)) == [
        (line_of(text, "kind: phone"), "systems[1].datasets[0].subject_key.kind", "invalid-value")
    ]


def test_yaml_syntax_error_names_the_line(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "estate: ipko-small", "estate: [ipko-small")

    [(line, _, code)] = issues_of(write_map(text))

    assert code == "yaml-syntax"
    assert line is not None


def test_missing_file_is_a_data_map_error(tmp_path: Path) -> None:
    with pytest.raises(DataMapError, match="unreadable-file"):
        load_datamap(tmp_path / "nowhere.yaml")


def test_error_message_says_how_to_check_again(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "format: 1", "format: 2")

    with pytest.raises(DataMapValidationError, match="placet datamap check"):
        load_datamap(write_map(text))
