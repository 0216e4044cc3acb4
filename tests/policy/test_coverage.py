"""Coverage maps every source paragraph to the elements encoding it, and catches the gaps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from placet.errors import PolicyValidationError
from placet.policy import load_policy_set
from placet.policy.check import check_policy
from placet.policy.coverage import check_coverage, read_sources, resolve_element
from tests.conftest import FIXTURES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


def report_for(folder: Path) -> tuple[str, ...]:
    policy = load_policy_set(folder).latest
    return check_coverage(folder, policy).problems


def test_fully_mapped_sources_have_no_coverage_problems(folder: Path) -> None:
    assert report_for(folder) == ()


def test_source_paragraphs_are_numbered_per_file(folder: Path) -> None:
    ids = [paragraph.id for paragraph in read_sources(folder)]
    assert ids == [f"000-en-long#{n}" for n in range(1, 5)]


def test_unmapped_paragraph_is_a_coverage_problem(folder: Path) -> None:
    source = folder / "source" / "000-en-long.txt"
    source.write_text(source.read_text() + "\n[5] A new promise.\n")
    assert report_for(folder) == (
        "000-en-long#5: unmapped; map it to elements or mark it informative with a reason",
    )


def test_paragraph_mapped_to_a_missing_element_is_a_coverage_problem(folder: Path) -> None:
    coverage = folder / "coverage.yaml"
    coverage.write_text(
        coverage.read_text().replace("retention_rules.traffic]", "retention_rules.trafic]", 1)
    )
    problems = report_for(folder)
    assert problems == (
        "000-en-long#4: element 'retention_rules.trafic' does not exist in policy 1.0",
    )


def test_mapping_to_an_unknown_paragraph_is_a_coverage_problem(folder: Path) -> None:
    coverage = folder / "coverage.yaml"
    coverage.write_text(coverage.read_text().replace("000-en-long#1:", "000-en-long#9:", 1))
    problems = report_for(folder)
    assert "coverage.yaml: paragraph '000-en-long#9' is not in any source file" in problems
    assert any(problem.startswith("000-en-long#1: unmapped") for problem in problems)


def test_misnumbered_source_paragraph_is_refused_with_its_line(folder: Path) -> None:
    source = folder / "source" / "000-en-long.txt"
    source.write_text(source.read_text().replace("[4]", "[7]"))
    with pytest.raises(PolicyValidationError) as caught:
        read_sources(folder)
    assert caught.value.issues[0].code == "bad-paragraph"
    assert caught.value.issues[0].line == 8


def test_element_paths_resolve_by_id_kind_and_field() -> None:
    policy = load_policy_set(FIXTURES / "minimal").latest
    assert resolve_element(policy, "purposes.marketing.conditions.post_contract") is not None
    assert resolve_element(policy, "rights.access") is not None
    assert resolve_element(policy, "controller.dpo.email") == "dpo@example.test"
    assert resolve_element(policy, "purposes.nothing") is None


def test_acknowledged_warning_does_not_count_against_the_check(folder: Path) -> None:
    result = check_policy(folder)
    open_keys = {warning.key for _, warning in result.unacknowledged}
    all_keys = {warning.key for _, warning in result.warnings}
    assert ("missing-right", "rights.portability") in all_keys
    assert ("missing-right", "rights.portability") not in open_keys


def test_missing_coverage_file_is_reported_as_missing_coverage(folder: Path) -> None:
    (folder / "coverage.yaml").unlink()
    policy = load_policy_set(folder).latest
    with pytest.raises(PolicyValidationError) as caught:
        check_coverage(folder, policy)
    assert [issue.code for issue in caught.value.issues] == ["missing-coverage"]


def test_acknowledgement_of_a_warning_that_no_longer_occurs_is_stale(folder: Path) -> None:
    coverage = folder / "coverage.yaml"
    coverage.write_text(
        coverage.read_text()
        + "  - code: missing-right\n    element: rights.access\n"
        + "    reason: Access was missing once, it is not any more.\n"
    )
    result = check_policy(folder)
    assert [(ack.code, ack.element) for ack in result.stale_acknowledgements] == [
        ("missing-right", "rights.access")
    ]
    assert not result.is_clean


def test_misspelt_key_in_coverage_file_is_located_with_a_suggestion(folder: Path) -> None:
    coverage = folder / "coverage.yaml"
    coverage.write_text(
        coverage.read_text().replace("    informative: Title.", "    informatve: Title.")
    )
    policy = load_policy_set(folder).latest
    with pytest.raises(PolicyValidationError) as caught:
        check_coverage(folder, policy)
    issues = [(issue.line, issue.code) for issue in caught.value.issues]
    assert (3, "invalid-coverage") in issues
    assert any("did you mean 'informative'?" in issue.message for issue in caught.value.issues)
