"""Load policy files and folders, reporting every problem with its file, line and field.

Imports nothing outside the standard library, pydantic, PyYAML and `placet.policy`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from placet.errors import PolicyIssue, PolicyNotFoundError, PolicyValidationError
from placet.policy.model import Policy
from placet.policy.validation import find_problems
from placet.policy.versions import PolicySet, check_versions
from placet.policy.yamlsource import YamlDocument, format_path, located_issues, read_yaml

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
    bundled = bundled_operators()
    # A folder of the same name as a bundled operator wins only if it holds a policy.
    if path.is_dir() and (any(path.glob(POLICY_GLOB)) or str(name) not in bundled):
        return path
    if path.is_file():
        return path.parent
    if isinstance(name, str) and name in bundled:
        return Path(str(resources.files("placet") / "_policies" / name))
    raise PolicyNotFoundError(str(name), bundled)


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
    return PolicySet(
        directory=directory, versions=tuple(policy for _, policy in loaded), name=str(name)
    )


def _load_file(file: Path) -> tuple[Policy | None, list[PolicyIssue], YamlDocument]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return _parse_file(file, None)  # read_yaml names the problem
    policy, issues, document = _parsed(file, text)
    return policy, list(issues), document


@lru_cache(maxsize=64)
def _parsed(file: Path, text: str) -> tuple[Policy | None, tuple[PolicyIssue, ...], YamlDocument]:
    """`_parse_file`, kept for a file that says the same again: a policy is immutable, and
    a process may load the same files many times (an API and its privacy center, the demo's
    sites, a test suite), each load parsing and validating them from scratch (a tenth of a
    second each for a reference policy). The key is the text itself, so an edited file is
    parsed again."""
    policy, issues, document = _parse_file(file, text)
    return policy, tuple(issues), document


def _parse_file(
    file: Path, text: str | None
) -> tuple[Policy | None, list[PolicyIssue], YamlDocument]:
    document = read_yaml(file, text)
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
        issues += located_issues(document, exc, Policy)
        return None, issues, document
    issues += [
        document.issue(problem.loc, problem.code, problem.message)
        for problem in find_problems(policy)
    ]
    return (None if issues else policy), issues, document
