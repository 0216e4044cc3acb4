"""The loader accepts valid policies and names file, line and field for every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from placet.errors import PolicyNotFoundError, PolicyValidationError
from placet.policy import load_policy, load_policy_set, resolve_policy_dir
from placet.policy.model import Anchor, LegalBasis, ObjectionEffect
from tests.conftest import MINIMAL, PolicyWriter, minimal_text, replace_once, with_zone


def issues_of(folder: Path) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(folder)
    return [(Path(i.file).name, i.line, i.path, i.code) for i in caught.value.issues]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_minimal_policy_loads_with_its_purposes_and_conditions() -> None:
    policy = load_policy(MINIMAL)
    assert [p.id for p in policy.purposes] == ["contract", "marketing"]
    assert policy.purpose("marketing").legal_basis is LegalBasis.CONSENT
    assert policy.purpose("contract").conditions.objection is ObjectionEffect.NOT_APPLICABLE
    assert str(policy.purpose("marketing").conditions.post_contract) == "2 years"
    assert policy.retention_rules[0].anchors == [Anchor.COLLECTION]


def test_strings_tagged_tr_are_recorded_as_translations() -> None:
    policy = load_policy(MINIMAL)
    assert "purposes[0].name.sq" in policy.translated_paths
    assert "purposes[0].name.en" not in policy.translated_paths


def test_unknown_category_is_reported_with_file_line_and_field(write_policy: PolicyWriter) -> None:
    text = replace_once(
        minimal_text(),
        "categories: [contact]\n    channels: [sms]",
        "categories: [contakt]\n    channels: [sms]",
    )
    issues = issues_of(write_policy(text))
    assert issues == [
        (
            "policy.yaml",
            line_of(text, "categories: [contakt]"),
            "purposes[1].categories[0]",
            "unknown-category",
        ),
    ]


def test_unknown_purpose_in_a_consent_option_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "purposes: [marketing]", "purposes: [marketting]")
    assert [i[3] for i in issues_of(write_policy(text))] == ["unknown-purpose"]


def test_duplicate_id_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "  - id: marketing\n", "  - id: contract\n")
    codes = [i[3] for i in issues_of(write_policy(text))]
    assert "duplicate-id" in codes


def test_consent_option_covering_nothing_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "purposes: [marketing]", "purposes: []")
    assert [i[2:] for i in issues_of(write_policy(text))] == [
        ("consent_options[0].purposes", "empty-consent-option")
    ]


def test_purpose_without_legal_basis_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "    legal_basis: consent\n", "")
    assert [i[2:] for i in issues_of(write_policy(text))] == [
        ("purposes[1]", "missing-legal-basis")
    ]


def test_retention_rule_with_unknown_anchor_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "anchor: collection", "anchor: birthday")
    issues = issues_of(write_policy(text))
    assert [i[2:] for i in issues] == [("retention_rules[0].anchors[0]", "unknown-anchor")]
    assert issues[0][1] == line_of(text, "anchor: birthday")


def test_text_missing_in_a_declared_language_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(
        minimal_text(),
        "    name: {en: Direct marketing, sq: !tr Marketing i drejtpërdrejtë}\n",
        "    name: {en: Direct marketing}\n",
    )
    assert [i[2:] for i in issues_of(write_policy(text))] == [
        ("purposes[1].name", "missing-translation")
    ]


def test_unknown_field_is_reported_with_its_line(write_policy: PolicyWriter) -> None:
    text = replace_once(
        minimal_text(),
        "    is_direct_marketing: true\n",
        "    is_direct_marketing: true\n    legal_bassis: consent\n",
    )
    issues = issues_of(write_policy(text))
    assert issues == [
        ("policy.yaml", line_of(text, "legal_bassis"), "purposes[1].legal_bassis", "unknown-field")
    ]


def test_every_problem_is_reported_at_once_not_only_the_first(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "purposes: [marketing]", "purposes: [nothing]")
    text = replace_once(text, "categories: [traffic-data]", "categories: [cdr]")
    text = replace_once(text, "    legal_basis: consent\n", "")
    codes = sorted(i[3] for i in issues_of(write_policy(text)))
    assert codes == ["missing-legal-basis", "unknown-category", "unknown-purpose"]


def test_yaml_syntax_error_names_the_line(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), 'version: "1.0"', "version: [1.0")
    issues = issues_of(write_policy(text))
    assert issues[0][3] == "yaml-syntax"
    assert issues[0][1] is not None


def test_duplicate_yaml_key_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), 'version: "1.0"\n', 'version: "1.0"\nversion: "2"\n')
    assert [i[2:] for i in issues_of(write_policy(text))] == [("version", "duplicate-key")]


def test_bad_period_is_reported(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "period: 12 months", "period: a year or so")
    assert [i[2:] for i in issues_of(write_policy(text))] == [
        ("retention_rules[0].period", "invalid-value")
    ]


def test_a_time_zone_the_iana_database_does_not_hold_is_reported(
    write_policy: PolicyWriter,
) -> None:
    text = with_zone(minimal_text(), "Europe/Pristina")

    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(write_policy(text))

    (issue,) = caught.value.issues
    assert (issue.path, issue.code) == ("controller.timezone", "invalid-value")
    assert "'Europe/Pristina' is not a time zone of the IANA database" in issue.message


def test_the_reference_policies_count_their_days_on_their_own_clocks() -> None:
    assert str(load_policy_set("ipko").latest.zone) == "Europe/Belgrade"
    assert str(load_policy_set("ipnordic").latest.zone) == "Europe/Copenhagen"
    assert str(load_policy(MINIMAL).zone) == "UTC"


def test_error_message_names_file_line_and_what_to_do(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "purposes: [marketing]", "purposes: [marketting]")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(write_policy(text))
    message = str(caught.value)
    assert f"policy.yaml:{line_of(text, 'marketting')}" in message
    assert "marketting" in message
    assert "Fix each one" in message


def test_unknown_policy_name_lists_the_bundled_operators() -> None:
    with pytest.raises(PolicyNotFoundError, match="ipko"):
        resolve_policy_dir("no-such-operator")


def test_bundled_operator_resolves_by_name() -> None:
    assert (resolve_policy_dir("ipko") / "policy.yaml").is_file()


def test_cookie_category_naming_an_unknown_consent_option_is_reported(
    write_policy: PolicyWriter,
) -> None:
    text = minimal_text() + (
        "cookies:\n"
        "  legal_basis: consent\n"
        "  description: {en: We use cookies., sq: !tr Ne përdorim cookies.}\n"
        "  categories:\n"
        "    - id: statistics\n"
        "      name: {en: Statistics, sq: !tr Statistika}\n"
        "      description: {en: Counting visits., sq: !tr Numërimi i vizitave.}\n"
        "      consent_options: [cookie-stats]\n"
    )
    assert [i[2:] for i in issues_of(write_policy(text))] == [
        ("cookies.categories[0].consent_options[0]", "unknown-consent-option")
    ]


def test_unknown_yaml_tag_is_reported_not_raised(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "title:\n  en: Example", "title:\n  en: !foo Example")
    issues = issues_of(write_policy(text))
    assert [i[1:] for i in issues] == [(line_of(text, "!foo"), "title.en", "unknown-tag")]


def test_impossible_date_is_reported_as_invalid_date(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "effective_from: 2024-01-01", "effective_from: 2024-13-01")
    issues = issues_of(write_policy(text))
    assert ("effective_from", "invalid-date") in [i[2:] for i in issues]


def test_direct_marketing_that_survives_an_objection_is_refused(write_policy: PolicyWriter) -> None:
    text = replace_once(
        minimal_text(),
        "conditions: {post_contract: 2 years}",
        "conditions: {post_contract: 2 years, objection: overrides}",
    )
    assert [i[2:] for i in issues_of(write_policy(text))] == [
        ("purposes[1].conditions.objection", "objection-on-direct-marketing")
    ]


def test_tab_indentation_is_reported_with_a_hint_to_use_spaces(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "  legal_name: Example", "\tlegal_name: Example")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(write_policy(text))
    assert caught.value.issues[0].code == "yaml-syntax"
    assert "spaces, not tabs" in caught.value.issues[0].message


def test_impossible_date_is_reported_once(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "effective_from: 2024-01-01", "effective_from: 2024-02-30")
    issues = issues_of(write_policy(text))
    assert [i[2:] for i in issues] == [("effective_from", "invalid-date")]


def test_unknown_reference_suggests_the_closest_declared_name(write_policy: PolicyWriter) -> None:
    text = replace_once(minimal_text(), "purposes: [marketing]", "purposes: [marketting]")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(write_policy(text))
    assert "did you mean 'marketing'?" in caught.value.issues[0].message


def test_a_file_loaded_again_after_an_edit_is_read_as_edited(write_policy: PolicyWriter) -> None:
    folder = write_policy()
    assert str(load_policy_set(folder).versions[0].version) == "1.0"
    assert load_policy_set(folder).versions[0] is load_policy_set(folder).versions[0]

    write_policy(replace_once(minimal_text(), 'version: "1.0"\n', 'version: "1.1"\n'))
    assert str(load_policy_set(folder).versions[0].version) == "1.1"

    write_policy(replace_once(minimal_text(), "period: 12 months", "period: a year or so"))
    assert [i[2:] for i in issues_of(folder)] == [("retention_rules[0].period", "invalid-value")]
    # The same broken text again reports the same problem (the issues are not shared and used up).
    assert [i[2:] for i in issues_of(folder)] == [("retention_rules[0].period", "invalid-value")]
