"""Read YAML keeping where each value came from, and say where a value went wrong.

Every field's line and the `!tr` translations are kept; validation errors become issues
located by file, line and YAML path, with a suggestion where a name looks misspelt.
Imports nothing outside the standard library, PyYAML, pydantic and `placet.errors`.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from placet.errors import PolicyIssue

__all__ = [
    "TRANSLATION_TAG",
    "YamlDocument",
    "closest",
    "format_path",
    "located_issues",
    "read_yaml",
]

TRANSLATION_TAG = "!tr"
"""Marks a text translated for Placet rather than taken from the operator's own wording."""

_Loc = tuple[str | int, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (several times faster), else Python's."""


def format_path(loc: Iterable[str | int]) -> str:
    """`("purposes", 3, "name")` -> `purposes[3].name`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass
class YamlDocument:
    """A parsed YAML file: its data, the line of each path, and where translations are."""

    file: Path
    data: Any
    lines: dict[_Loc, int] = field(default_factory=dict)
    translated: set[_Loc] = field(default_factory=set)
    issues: list[PolicyIssue] = field(default_factory=list)

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """The line of `loc`, or of its closest ancestor that has one (1-based)."""
        parts = tuple(loc)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)

    def issue(self, loc: Iterable[str | int], code: str, message: str) -> PolicyIssue:
        parts = tuple(loc)
        return PolicyIssue(str(self.file), self.line_of(parts), format_path(parts), code, message)


def read_yaml(file: Path, text: str | None = None) -> YamlDocument:
    """Parse `file` (or `text`, read from it beforehand); syntax errors and duplicate keys
    become issues, never exceptions."""
    document = YamlDocument(file=file, data=None)
    if text is None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            document.issues.append(PolicyIssue(str(file), None, "", "unreadable-file", str(exc)))
            return document
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        message = f"{exc.problem or exc}"
        if exc.context:
            message = f"{exc.context}: {message}"
        if line is not None and _has_tab_indent(text, line):
            message += "; indent with spaces, not tabs"
        document.issues.append(PolicyIssue(str(file), line, "", "yaml-syntax", message))
        return document
    if node is None:
        document.issues.append(PolicyIssue(str(file), 1, "", "empty-file", "the file is empty"))
        return document
    document.data = _convert(node, (), document)
    return document


def _has_tab_indent(text: str, line: int) -> bool:
    """Whether line `line` (1-based) of `text` is indented with a tab."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    current = lines[line - 1]
    return "\t" in current[: len(current) - len(current.lstrip())]


def _convert(node: yaml.Node, loc: _Loc, document: YamlDocument) -> Any:
    document.lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                document.issues.append(
                    PolicyIssue(
                        str(document.file),
                        key_node.start_mark.line + 1,
                        format_path((*loc, str(key))),
                        "duplicate-key",
                        f"key '{key}' is given twice; the first is on line "
                        f"{document.lines[(*loc, str(key))]}. Keep one.",
                    )
                )
                continue
            result[key] = _convert(value_node, (*loc, str(key)), document)
            document.lines[(*loc, str(key))] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, index), document) for index, item in enumerate(node.value)]
    if node.tag == TRANSLATION_TAG:
        document.translated.add(loc)
        return str(node.value)
    try:
        return _scalar(node)
    except yaml.constructor.ConstructorError as exc:
        code, message = "unknown-tag", f"{exc.problem}; only !tr is known"
    except ValueError as exc:
        code, message = "invalid-date", f"'{node.value}' is not a date: {exc}"
    document.issues.append(
        PolicyIssue(str(document.file), node.start_mark.line + 1, format_path(loc), code, message)
    )
    return str(node.value)


def _scalar(node: yaml.Node) -> Any:
    """Resolve a scalar with PyYAML's safe rules (ints, dates, booleans, strings)."""
    if not isinstance(node, yaml.ScalarNode):
        return yaml.safe_load(yaml.serialize(node))
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def closest(name: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` when one known name is close to `name`, else `.`."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    return f"; did you mean '{matches[0]}'?" if matches else "."


_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "enum": "invalid-value",
    "string_pattern_mismatch": "invalid-format",
    "date_from_datetime_parsing": "invalid-date",
    "date_parsing": "invalid-date",
    "date_type": "invalid-date",
}


def located_issues(
    document: YamlDocument, error: ValidationError, model: type[BaseModel]
) -> list[PolicyIssue]:
    """Each validation error of `model` read from `document`, as a located issue.

    A value the YAML reading already reported (an impossible date) is not reported twice.
    """
    reported = {issue.path for issue in document.issues}
    issues = [_located(document, detail, model) for detail in error.errors()]
    return [issue for issue in issues if issue.path not in reported]


def _located(document: YamlDocument, error: ErrorDetails, model: type[BaseModel]) -> PolicyIssue:
    loc = tuple(part for part in error["loc"] if not _is_validator_tag(part))
    code = _CODES.get(error["type"], "invalid-value")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "enum" and "anchors" in loc:
        code = "unknown-anchor"
    if error["type"] == "missing" and loc and loc[-1] == "legal_basis":
        code = "missing-legal-basis"
    if error["type"] == "extra_forbidden":
        fields = _fields_at(model, loc[:-1])
        message = f"'{loc[-1]}' is not a field here{closest(str(loc[-1]), fields)}"
        if fields:
            message += f" The fields here are: {', '.join(sorted(fields))}."
    elif error["type"] == "missing":
        message = f"'{loc[-1]}' is required here; add it (docs/policy.md lists each field)"
    elif error["type"] != "value_error" and isinstance(error.get("input"), str | int | float):
        message = f"{message} (got {error['input']!r})"
    issue = document.issue(loc, code, message)
    if "anchors" in loc:
        # `anchor: x` is shorthand for `anchors: [x]`; point at the line the author wrote.
        written = (*loc[: loc.index("anchors")], "anchor")
        if written in document.lines:
            issue = replace(issue, line=document.lines[written])
    return issue


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names of the model found by following `loc` from `model`, if any."""
    current: Any = model
    for part in loc:
        if get_origin(current) in (list, dict):
            current = get_args(current)[-1]  # the item of a list, the value of a mapping
        else:
            current = _unwrap_optional(current)
            if not (isinstance(current, type) and issubclass(current, BaseModel)):
                return []
            if part not in current.model_fields:
                return []
            current = current.model_fields[str(part)].annotation
        current = _unwrap_optional(current)
    current = _unwrap_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [
            info.alias or name for name, info in current.model_fields.items() if not info.exclude
        ]
    return []


def _unwrap_optional(annotation: Any) -> Any:
    """`X | None` -> `X`; anything else as it is."""
    if get_origin(annotation) in (Union, types.UnionType):
        arguments = [argument for argument in get_args(annotation) if argument is not type(None)]
        if len(arguments) == 1:
            return arguments[0]
    return annotation


def _is_validator_tag(part: str | int) -> bool:
    """pydantic adds tags such as 'function-before[...]' to the error location."""
    return isinstance(part, str) and "[" in part and part.endswith("]")
