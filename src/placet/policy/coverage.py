"""Coverage: every paragraph of the source texts mapped to the policy elements encoding it.

A policy folder keeps the operator's published texts under `source/`, split into numbered
paragraphs (`[N] text`, blocks separated by a blank line), and `coverage.yaml`, which maps
each paragraph id (`002-sr-long#37`) to element paths (`purposes.fraud-prevention`) or marks
it informative with a reason. It also records the readings chosen where a text is
ambiguous and acknowledges completeness warnings with their reasons.
Imports nothing outside the standard library, pydantic, PyYAML and `placet.policy`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from placet.errors import PolicyIssue, PolicyValidationError
from placet.policy.completeness import WARNING_CODES, CompletenessWarning
from placet.policy.model import Policy
from placet.policy.yamlsource import located_issues, read_yaml

__all__ = [
    "COVERAGE_FILE",
    "SOURCE_DIR",
    "Acknowledgement",
    "CoverageFile",
    "CoverageReport",
    "CoverageRow",
    "Mapping",
    "Reading",
    "SourceParagraph",
    "check_coverage",
    "read_sources",
    "resolve_element",
]

COVERAGE_FILE = "coverage.yaml"
SOURCE_DIR = "source"

_PARAGRAPH = re.compile(r"^\[(\d+)\] ?(.*)$", re.DOTALL)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Mapping(_Strict):
    """Where one paragraph is encoded, or why nothing encodes it."""

    elements: list[str] = []
    """The policy elements that encode the paragraph (element paths)."""
    informative: str | None = None
    """Why the paragraph encodes nothing (a heading, website chrome)."""
    note: str | None = None
    """A short note for the reader."""


class Reading(_Strict):
    """An ambiguity in the source and the reading chosen, most protective of the subject."""

    id: str
    """A name for the reading (kebab case)."""
    paragraphs: list[str]
    """The paragraph ids whose text is ambiguous."""
    elements: list[str] = []
    """The element paths that carry the chosen reading."""
    reading: str
    """The reading chosen, the most protective of the subject, and why."""


class Acknowledgement(_Strict):
    """A completeness warning the DPO has reviewed, and why it stands."""

    code: str
    """The completeness warning code."""
    element: str
    """The element path the warning names."""
    reason: str = Field(min_length=10)
    """Why the warning stands (at least 10 characters)."""


class CoverageFile(_Strict):
    paragraphs: dict[str, Mapping]
    """Every paragraph id of every source file, with its mapping."""
    readings: list[Reading] = []
    """Ambiguities in the source and the reading chosen."""
    acknowledged_warnings: list[Acknowledgement] = []
    """Completeness warnings the DPO reviewed, with the reason each stands."""


@dataclass(frozen=True, slots=True)
class SourceParagraph:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class CoverageRow:
    paragraph: SourceParagraph
    mapping: Mapping | None


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """The table of paragraphs and their elements, and every problem found."""

    rows: tuple[CoverageRow, ...]
    coverage: CoverageFile
    problems: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return not self.problems

    def unacknowledged(self, warnings: Iterable[CompletenessWarning]) -> list[CompletenessWarning]:
        """The completeness warnings the coverage file does not acknowledge."""
        acknowledged = {(ack.code, ack.element) for ack in self.coverage.acknowledged_warnings}
        return [warning for warning in warnings if warning.key not in acknowledged]


def read_sources(policy_dir: Path) -> list[SourceParagraph]:
    """Every numbered paragraph under `policy_dir/source/`, file by file, in order."""
    paragraphs: list[SourceParagraph] = []
    issues: list[PolicyIssue] = []
    for file in sorted((policy_dir / SOURCE_DIR).glob("*.txt")):
        expected = 1
        text = file.read_text(encoding="utf-8")
        line = 1
        for block in re.split(r"\n[ \t]*\n", text):
            stripped = block.strip("\n")
            if stripped.strip():
                match = _PARAGRAPH.match(stripped)
                if match is None or int(match.group(1)) != expected:
                    issues.append(
                        PolicyIssue(
                            str(file),
                            line,
                            "",
                            "bad-paragraph",
                            f"expected a paragraph starting '[{expected}] '",
                        )
                    )
                else:
                    paragraphs.append(
                        SourceParagraph(f"{file.stem}#{expected}", match.group(2).strip())
                    )
                expected += 1
            line += block.count("\n") + 2
    if issues:
        raise PolicyValidationError(issues)
    return paragraphs


def check_coverage(policy_dir: Path, policy: Policy) -> CoverageReport:
    """Check `coverage.yaml` against the sources and the policy; never raises on gaps."""
    paragraphs = read_sources(policy_dir)
    coverage = _read_coverage(policy_dir / COVERAGE_FILE)
    problems: list[str] = []
    if not paragraphs:
        problems.append(f"{policy_dir / SOURCE_DIR}: no source paragraphs")
    known = {paragraph.id for paragraph in paragraphs}
    problems += [
        f"{COVERAGE_FILE}: paragraph '{name}' is not in any source file"
        for name in coverage.paragraphs
        if name not in known
    ]
    rows: list[CoverageRow] = []
    for paragraph in paragraphs:
        mapping = coverage.paragraphs.get(paragraph.id)
        rows.append(CoverageRow(paragraph, mapping))
        problems += _mapping_problems(paragraph.id, mapping, policy)
    for reading in coverage.readings:
        problems += [
            f"reading '{reading.id}': paragraph '{name}' is not in any source file"
            for name in reading.paragraphs
            if name not in known
        ]
        problems += _element_problems(f"reading '{reading.id}'", reading.elements, policy)
    problems += [
        f"acknowledged warning '{ack.code}' is not a completeness warning code"
        for ack in coverage.acknowledged_warnings
        if ack.code not in WARNING_CODES
    ]
    return CoverageReport(tuple(rows), coverage, tuple(problems))


def _mapping_problems(name: str, mapping: Mapping | None, policy: Policy) -> list[str]:
    if mapping is None:
        return [f"{name}: unmapped; map it to elements or mark it informative with a reason"]
    if not mapping.elements and not (mapping.informative or "").strip():
        return [f"{name}: neither elements nor an informative reason"]
    return _element_problems(name, mapping.elements, policy)


def _element_problems(where: str, elements: list[str], policy: Policy) -> list[str]:
    return [
        f"{where}: element '{element}' does not exist in policy {policy.version}"
        for element in elements
        if resolve_element(policy, element) is None
    ]


def resolve_element(policy: Policy, path: str) -> object | None:
    """The policy element at a coverage path (`purposes.fraud-prevention.conditions`), or None."""
    current: object = policy
    for part in path.split("."):
        current = _step(current, part)
        if current is None:
            return None
    return current


def _step(current: object, part: str) -> object:
    if isinstance(current, list):
        for item in current:
            key = getattr(item, "id", None) or getattr(item, "kind", None)
            if key == part:
                return item
        return None
    if isinstance(current, BaseModel):
        field = "policy_id" if part == "id" and isinstance(current, Policy) else part
        if field in type(current).model_fields:
            return getattr(current, field)
    if isinstance(current, dict):
        return current.get(part)
    return None


def _read_coverage(file: Path) -> CoverageFile:
    if not file.is_file():
        raise PolicyValidationError(
            [
                PolicyIssue(
                    str(file),
                    None,
                    "",
                    "missing-coverage",
                    f"no {COVERAGE_FILE}: map each source paragraph to the elements encoding it",
                )
            ]
        )
    document = read_yaml(file)
    if document.issues or document.data is None:
        raise PolicyValidationError(document.issues)
    try:
        return CoverageFile.model_validate(document.data)
    except ValidationError as exc:
        issues = located_issues(document, exc, CoverageFile)
        raise PolicyValidationError(
            [replace(issue, code="invalid-coverage") for issue in issues]
        ) from exc
