"""`check_datamap` finds every problem of a map against its policy, located by line and path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from placet.datamap import PROBLEM_CODES, DataMapProblem, Level, check_datamap, load_datamap
from placet.policy import Policy, load_policy_set
from tests.conftest import replace_once
from tests.datamap.conftest import SMALL_MAP, MapWriter, line_of, problems_of

ROOT = Path(__file__).resolve().parents[2]


def located(problems: list[DataMapProblem], code: str) -> list[tuple[str, int | None]]:
    return [(problem.path, problem.line) for problem in problems if problem.code == code]


def test_small_map_checks_clean(write_map: MapWriter, ipko: Policy) -> None:
    assert problems_of(write_map(SMALL_MAP), ipko) == []


@pytest.mark.parametrize("operator", ["ipko", "ipnordic"])
def test_example_map_checks_clean_against_its_policy(operator: str) -> None:
    datamap = load_datamap(ROOT / "examples" / "datamap" / f"{operator}.yaml")
    policy = load_policy_set(datamap.policy).latest

    problems = check_datamap(datamap, policy)

    assert datamap.policy == operator
    assert [str(problem) for problem in problems if problem.is_error] == []


def test_ipnordic_example_map_keeps_location_at_country_level() -> None:
    datamap = load_datamap(ROOT / "examples" / "datamap" / "ipnordic.yaml")

    columns = {name for _, _, dataset in datamap.located_datasets() for name in dataset.columns}

    assert "cell_id" not in columns
    assert "country" in columns


def test_map_written_for_another_policy_is_reported(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "policy: ipko", "policy: ipnordic")

    problems = problems_of(write_map(text), ipko)

    assert [(problem.code, problem.path, problem.line) for problem in problems] == [
        ("policy-mismatch", "policy", line_of(text, "policy: ipnordic"))
    ]


def test_map_checked_against_another_policy_reports_the_mismatch_alone() -> None:
    datamap = load_datamap(ROOT / "examples" / "datamap" / "ipnordic.yaml")

    problems = check_datamap(datamap, load_policy_set("ipko").latest)

    assert [problem.code for problem in problems] == ["policy-mismatch"]


def test_duplicate_dataset_id_is_reported_at_the_second(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "      - id: cdrs\n", "      - id: subscribers\n")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "duplicate-id") == [
        ("systems[1].datasets[0].id", line_of(text, "location: cdrs") - 1)
    ]


def test_unknown_category_is_reported_with_a_suggestion(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "cell_id: location-data", "cell_id: location-dta")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "unknown-category") == [
        ("systems[1].datasets[0].columns.cell_id", line_of(text, "cell_id: location-dta"))
    ]
    assert "did you mean 'location-data'?" in problems[0].message


def test_record_type_naming_no_retention_rule_is_reported(
    write_map: MapWriter, ipko: Policy
) -> None:
    text = replace_once(
        SMALL_MAP, "record_type: traffic-and-location-data", "record_type: traffic-data"
    )

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "unknown-record-type") == [
        ("systems[1].datasets[0].record_type", line_of(text, "record_type: traffic-data"))
    ]


def test_dataset_without_subject_key_is_reported(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "        subject_key: {column: a_number, kind: msisdn}\n", "")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "missing-subject-key") == [
        ("systems[1].datasets[0]", line_of(text, "- id: cdrs"))
    ]


def test_msisdn_key_without_an_identity_is_reported_for_subject_and_other_party(
    write_map: MapWriter, ipko: Policy
) -> None:
    text = SMALL_MAP.split("identities:")[0]

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "unresolved-subject-key") == [
        ("systems[1].datasets[0].subject_key.kind", line_of(text, "subject_key: {column: a_")),
        ("systems[1].datasets[0].other_party_keys[0].kind", line_of(text, "{column: b_number")),
    ]


def test_found_in_naming_no_dataset_is_reported(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(
        SMALL_MAP,
        "{column: b_number, kind: msisdn}",
        "{column: b_number, kind: msisdn, found_in: cdrs-terminatin}",
    )

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "unknown-dataset") == [
        ("systems[1].datasets[0].other_party_keys[0].found_in", line_of(text, "found_in:"))
    ]


def test_found_in_naming_a_dataset_keyed_otherwise_is_reported(
    write_map: MapWriter, ipko: Policy
) -> None:
    text = replace_once(
        SMALL_MAP,
        "{column: b_number, kind: msisdn}",
        "{column: b_number, kind: msisdn, found_in: subscribers}",
    )

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "found-in-key-mismatch") == [
        ("systems[1].datasets[0].other_party_keys[0].found_in", line_of(text, "found_in:"))
    ]


def test_collection_anchored_rule_without_time_column_is_reported(
    write_map: MapWriter, ipko: Policy
) -> None:
    text = replace_once(SMALL_MAP, "        time_column: start_time\n", "")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "missing-time-column") == [
        ("systems[1].datasets[0]", line_of(text, "- id: cdrs"))
    ]
    assert "collection" in problems[0].message


def test_key_column_not_among_the_columns_is_reported(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(
        SMALL_MAP, "{column: a_number, kind: msisdn}", "{column: anumber, kind: msisdn}"
    )

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "unknown-column") == [
        ("systems[1].datasets[0].subject_key.column", line_of(text, "{column: anumber"))
    ]
    assert "did you mean 'a_number'?" in problems[0].message


def test_identity_naming_a_missing_dataset_is_reported(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "dataset: msisdn-assignments", "dataset: msisdn-assignment")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "unknown-dataset") == [
        ("identities[0].dataset", line_of(text, "dataset: msisdn-assignment"))
    ]


def test_table_in_a_lake_system_is_reported(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "kind: delta-table", "kind: table")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "dataset-kind-mismatch") == [
        ("systems[1].datasets[0].kind", line_of(text, "location: cdrs") + 1)
    ]


def test_partition_needs_a_lake_dataset_with_a_time_column(
    write_map: MapWriter, ipko: Policy
) -> None:
    partitioned = replace_once(
        SMALL_MAP,
        "        time_column: start_time\n",
        "        time_column: start_time\n        partitioned_by: {column: month}\n",
    )
    assert problems_of(write_map(partitioned), ipko) == []
    untimed = replace_once(partitioned, "        time_column: start_time\n", "")
    problems = problems_of(write_map(untimed), ipko)
    assert [problem.path for problem in problems if problem.code == "partition-without-time"] == [
        "systems[1].datasets[0].partitioned_by"
    ]
    sql = replace_once(
        SMALL_MAP,
        "        time_column: created_at\n",
        "        time_column: created_at\n        partitioned_by: {column: month}\n",
    )
    problems = problems_of(write_map(sql), ipko)
    assert [problem.path for problem in problems if problem.code == "partition-without-time"] == [
        "systems[0].datasets[0].partitioned_by"
    ]


def test_category_outside_the_retention_rule_is_a_warning(
    write_map: MapWriter, ipko: Policy
) -> None:
    text = replace_once(SMALL_MAP, "cell_id: location-data", "cell_id: identity")

    problems = problems_of(write_map(text), ipko)

    assert located(problems, "category-outside-rule") == [
        ("systems[1].datasets[0].columns.cell_id", line_of(text, "cell_id: identity"))
    ]
    assert [problem.level for problem in problems] == [Level.WARNING]


def test_every_problem_is_reported_in_file_order(write_map: MapWriter, ipko: Policy) -> None:
    text = replace_once(SMALL_MAP, "cell_id: location-data", "cell_id: location-dta")
    text = replace_once(
        text,
        "record_type: contract-period\n        source: subject",
        ("record_type: contract\n        source: subject"),
    )

    problems = problems_of(write_map(text), ipko)

    assert [problem.code for problem in problems] == ["unknown-record-type", "unknown-category"]


def test_problem_reads_as_file_line_path_level_code_and_message(
    write_map: MapWriter, ipko: Policy
) -> None:
    path = write_map(
        replace_once(
            SMALL_MAP, "record_type: traffic-and-location-data", ("record_type: traffic-data")
        )
    )

    [problem] = problems_of(path, ipko)

    assert str(problem).startswith(
        f"{path}:{problem.line} [systems[1].datasets[0].record_type] error unknown-record-type: "
    )


def test_every_problem_code_is_documented() -> None:
    page = (ROOT / "docs" / "datamap.md").read_text(encoding="utf-8")

    undocumented = [
        code
        for code, (level, _) in PROBLEM_CODES.items()
        if not re.search(rf"^\| `{re.escape(code)}` \| {level.value} \|", page, re.MULTILINE)
    ]

    assert not undocumented, f"add a row to the problem table of docs/datamap.md: {undocumented}"
