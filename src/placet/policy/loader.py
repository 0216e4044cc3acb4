"""Load policy files and folders, reporting every problem with its file, line and field.

Imports nothing outside the standard library, pydantic, PyYAML and `placet.policy`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from placet.errors import PolicyIssue, PolicyNotFoundError, PolicyValidationError
from placet.policy.model import Policy
from placet.policy.validation import find_problems
from placet.policy.versions import PolicySet, check_versions
from placet.policy.yamlsource import YamlDocument, format_path, read_yaml

__all__ = [
    "POLICY_GLOB",
    "bundled_operators",
    "load_policy",
    "load_policy_set",
    "resolve_policy_dir",
]

log = logging.getLogger(__name__)

POLICY_GLOB = "policy*.yaml"
"""Each file matching this in a policy folder is one version of the policy."""


def bundled_operators() -> list[str]:
    """The reference policies shipped inside the package: `['ipko', 'ipnordic']`."""
    root = resources.files("placet") / "_policies"
    if not root.is_dir():
        return []
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and any(child.name.startswith("policy") for child in entry.iterdir())
    )


def resolve_policy_dir(name: str | Path) -> Path:
    """A policy folder by path, or a bundled operator by name (`ipko`)."""
    path = Path(name)
    if path.is_dir():
        return path
    if path.is_file():
        return path.parent
    if isinstance(name, str) and name in bundled_operators():
        bundled = resources.files("placet") / "_policies" / name
        return Path(str(bundled))
    raise PolicyNotFoundError(str(name), bundled_operators())


def load_policy(file: Path) -> Policy:
    """One policy version from one YAML file; raises `PolicyValidationError` with every issue."""
    policy, issues, _ = _load_file(file)
    if issues or policy is None:
        raise PolicyValidationError(issues)
    return policy


def load_policy_set(name: str | Path) -> PolicySet:
    """Every version in a policy folder (or bundled operator), checked together."""
    directory = resolve_policy_dir(name)
    files = sorted(directory.glob(POLICY_GLOB))
    if not files:
        raise PolicyValidationError(
            [
                PolicyIssue(
                    str(directory),
                    None,
                    "",
                    "no-policy-file",
                    f"no {POLICY_GLOB} file in the folder; a policy folder holds one per version",
                )
            ]
        )
    issues: list[PolicyIssue] = []
    loaded: list[tuple[Path, Policy]] = []
    documents: dict[str, YamlDocument] = {}
    for file in files:
        policy, file_issues, documents[str(file)] = _load_file(file)
        issues += file_issues
        if policy is not None:
            loaded.append((file, policy))
    issues += [
        replace(issue, line=documents[issue.file].line_of(issue.path.split(".")))
        for issue in check_versions(loaded)
    ]
    if issues:
        raise PolicyValidationError(issues)
    log.debug("policy loaded", extra={"policy_dir": str(directory), "versions": len(loaded)})
    return PolicySet(directory=directory, versions=tuple(policy for _, policy in loaded))


def _load_file(file: Path) -> tuple[Policy | None, list[PolicyIssue], YamlDocument]:
    document = read_yaml(file)
    issues = list(document.issues)
    if document.data is None:
        return None, issues, document
    if not isinstance(document.data, dict):
        issues.append(document.issue((), "not-a-mapping", "a policy file is a YAML mapping"))
        return None, issues, document
    data: dict[str, Any] = dict(document.data)
    data["translated_paths"] = frozenset(format_path(loc) for loc in document.translated)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        issues += [_issue_from_pydantic(document, error) for error in exc.errors()]
        return None, issues, document
    issues += [
        document.issue(problem.loc, problem.code, problem.message)
        for problem in find_problems(policy)
    ]
    return (None if issues else policy), issues, document


_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "enum": "invalid-value",
    "string_pattern_mismatch": "invalid-format",
    "date_from_datetime_parsing": "invalid-date",
    "date_parsing": "invalid-date",
    "date_type": "invalid-date",
}


def _issue_from_pydantic(document: YamlDocument, error: ErrorDetails) -> PolicyIssue:
    loc = tuple(part for part in error["loc"] if not _is_validator_tag(part))
    code = _CODES.get(error["type"], "invalid-value")
    message = error["msg"]
    if error["type"] == "enum" and "anchors" in loc:
        code = "unknown-anchor"
    if error["type"] == "missing" and loc and loc[-1] == "legal_basis":
        code = "missing-legal-basis"
    if error["type"] == "extra_forbidden":
        message = f"'{loc[-1]}' is not a field here; check the spelling in docs/policy.md"
    elif error["type"] == "missing":
        message = f"'{loc[-1]}' is required here; add it (docs/policy.md lists each field)"
    elif isinstance(error.get("input"), str | int | float) and error["type"] != "missing":
        message = f"{message} (got {error['input']!r})"
    issue = document.issue(loc, code, message)
    if "anchors" in loc:
        # `anchor: x` is shorthand for `anchors: [x]`; point at the line the author wrote.
        written = (*loc[: loc.index("anchors")], "anchor")
        if written in document.lines:
            issue = replace(issue, line=document.lines[written])
    return issue


def _is_validator_tag(part: str | int) -> bool:
    """pydantic adds tags such as 'function-before[...]' to the error location."""
    return isinstance(part, str) and "[" in part and part.endswith("]")
