"""`placet policy …` from the command line: exit codes, messages and outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from tests.conftest import FIXTURES, PolicyWriter, minimal_text, replace_once

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


def test_check_of_a_valid_policy_exits_zero(minimal: Path) -> None:
    code, output = run("policy", "check", str(minimal))
    assert code == 0, output
    assert "valid" in output


def test_check_of_a_broken_policy_exits_non_zero_listing_every_error(
    write_policy: PolicyWriter,
) -> None:
    text = replace_once(minimal_text(), "purposes: [marketing]", "purposes: [nothing]")
    text = replace_once(text, "    legal_basis: consent\n", "")
    code, output = run("policy", "check", str(write_policy(text)))
    assert code == 1
    assert "unknown-purpose" in output
    assert "missing-legal-basis" in output
    assert "policy.yaml:" in output


def test_check_strict_fails_on_unacknowledged_warnings(minimal: Path) -> None:
    code, output = run("policy", "check", str(minimal), "--strict")
    assert code == 1
    assert "missing-right" in output


def test_check_strict_passes_once_every_warning_is_acknowledged(minimal: Path) -> None:
    coverage = minimal / "coverage.yaml"
    extra = "".join(
        f"  - code: {code}\n    element: {element}\n    reason: Acknowledged for the test.\n"
        for code, element in [
            ("missing-right", f"rights.{kind}")
            for kind in ("rectification", "erasure", "restriction", "objection", "withdraw-consent")
        ]
        + [
            ("missing-complaint-route", "complaints"),
            ("missing-provision-requirement", "provision_requirement"),
            ("missing-automated-decisions", "automated_decisions"),
            ("missing-sources", "data_sources"),
            ("missing-security", "security"),
        ]
    )
    coverage.write_text(coverage.read_text() + extra)
    code, output = run("policy", "check", str(minimal), "--strict")
    assert code == 0, output


def test_check_of_an_unknown_policy_says_which_are_bundled() -> None:
    code, output = run("policy", "check", "no-such-policy")
    assert code == 1
    assert "ipko" in output
    assert "ipnordic" in output


def test_coverage_fails_on_an_unmapped_paragraph(minimal: Path) -> None:
    source = minimal / "source" / "000-en-long.txt"
    source.write_text(source.read_text() + "\n[5] A promise nobody encoded.\n")
    code, output = run("policy", "coverage", str(minimal))
    assert code == 1
    assert "000-en-long#5" in output


def test_coverage_of_a_fully_mapped_policy_exits_zero(minimal: Path) -> None:
    code, output = run("policy", "coverage", str(minimal))
    assert code == 0, output
    assert "every paragraph is accounted for" in output


def test_diff_between_two_versions_lists_the_changes(minimal: Path) -> None:
    text = replace_once(minimal_text(), 'version: "1.0"', 'version: "1.1"')
    text = replace_once(text, "effective_from: 2024-01-01", "effective_from: 2025-01-01")
    text = replace_once(text, "period: 12 months", "period: 6 months")
    (minimal / "policy-1.1.yaml").write_text(text)
    code, output = run("policy", "diff", str(minimal), "--from", "1.0", "--to", "1.1")
    assert code == 0, output
    assert "retention_rules.traffic.period: 12 months -> 6 months" in output


def test_versions_marks_the_version_in_force(minimal: Path) -> None:
    code, output = run("policy", "versions", str(minimal), "--at", "2024-06-01")
    assert code == 0, output
    assert "1.0: from 2024-01-01" in output
    assert "in force" in output


def test_bad_instant_is_refused_with_the_expected_form(minimal: Path) -> None:
    code, output = run("policy", "versions", str(minimal), "--at", "yesterday")
    assert code == 2
    assert "ISO 8601" in output


def test_notice_writes_markdown_to_standard_output() -> None:
    code, output = run("policy", "notice", "ipko", "--lang", "sq", "--format", "md")
    assert code == 0, output
    assert output.lstrip().startswith("#")
    assert "IPKO" in output


def test_notice_in_an_undeclared_language_is_refused() -> None:
    code, output = run("policy", "notice", "ipnordic", "--lang", "sq", "--format", "md")
    assert code == 1
    assert "da" in output


def test_ropa_json_goes_to_the_output_file(tmp_path: Path) -> None:
    target = tmp_path / "ropa.json"
    code, output = run("policy", "ropa", "ipnordic", "--format", "json", "--output", str(target))
    assert code == 0, output
    assert json.loads(target.read_text())


def test_export_jsonld_is_json() -> None:
    code, output = run("policy", "export", "ipnordic", "--format", "jsonld")
    assert code == 0
    assert "@context" in json.loads(output)


def test_version_option_prints_the_version() -> None:
    code, output = run("--version")
    assert code == 0
    assert output.startswith("placet ")


def test_version_and_at_together_are_refused(minimal: Path) -> None:
    code, output = run("policy", "notice", str(minimal), "--version", "1.0", "--at", "2024-06-01")
    assert code == 2
    assert "not both" in output


def test_output_that_cannot_be_written_is_refused_without_a_traceback(tmp_path: Path) -> None:
    code, output = run("policy", "notice", "ipnordic", "--format", "md", "--output", str(tmp_path))
    assert code == 2
    assert "cannot write" in output
    assert "Traceback" not in output


def test_misspelt_operator_gets_a_suggestion() -> None:
    code, output = run("policy", "check", "ipkoo")
    assert code == 1
    assert "Did you mean 'ipko'?" in output


def test_misspelt_field_gets_a_suggestion_and_the_fields_allowed(
    write_policy: PolicyWriter,
) -> None:
    text = replace_once(minimal_text(), "    legal_basis: consent\n", "    legal_bases: consent\n")
    code, output = run("policy", "check", str(write_policy(text)))
    assert code == 1
    assert "did you mean 'legal_basis'?" in output


def test_bundled_policy_errors_name_the_policy_not_the_install_folder() -> None:
    code, output = run("policy", "notice", "ipnordic", "--version", "9")
    assert code == 1
    assert "ipnordic: there is no version '9'" in output
    assert "_policies" not in output


def test_element_paths_in_warnings_are_printed(minimal: Path) -> None:
    code, output = run("policy", "check", str(minimal))
    assert code == 0
    assert "[rights.rectification]" in output


def test_diff_prints_list_values(minimal: Path) -> None:
    text = replace_once(minimal_text(), 'version: "1.0"', 'version: "1.1"')
    text = replace_once(text, "effective_from: 2024-01-01", "effective_from: 2025-01-01")
    text = replace_once(
        text, "    channels: [sms]\n    is_direct", "    channels: [sms, email]\n    is_direct"
    )
    (minimal / "policy-1.1.yaml").write_text(text)
    code, output = run("policy", "diff", str(minimal), "--from", "1.0", "--to", "1.1")
    assert code == 0, output
    assert "changed purposes.marketing.channels: [sms] -> [sms, email]" in output


def test_coverage_prints_the_readings_when_asked(minimal: Path) -> None:
    code, output = run("policy", "coverage", str(minimal), "--readings")
    assert code == 0, output
    assert "reading twelve-months-is-a-maximum" in output
    assert "1 reading of ambiguous text recorded" in output


def test_example_policy_checks_clean_in_strict_mode() -> None:
    code, output = run("policy", "check", "examples/example-telecom", "--strict")
    assert code == 0, output
