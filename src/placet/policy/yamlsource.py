"""Read YAML keeping where each value came from: the line of every field and `!tr` translations.

Imports nothing outside the standard library, PyYAML and `placet.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from placet.errors import PolicyIssue

__all__ = ["TRANSLATION_TAG", "YamlDocument", "format_path", "read_yaml"]

TRANSLATION_TAG = "!tr"
"""Marks a text translated for Placet rather than taken from the operator's own wording."""

_Loc = tuple[str | int, ...]


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


def read_yaml(file: Path) -> YamlDocument:
    """Parse `file`; syntax errors and duplicate keys become issues, never exceptions."""
    document = YamlDocument(file=file, data=None)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        document.issues.append(PolicyIssue(str(file), None, "", "unreadable-file", str(exc)))
        return document
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        message = f"{exc.problem or exc}"
        if exc.context:
            message = f"{exc.context}: {message}"
        document.issues.append(PolicyIssue(str(file), line, "", "yaml-syntax", message))
        return document
    if node is None:
        document.issues.append(PolicyIssue(str(file), 1, "", "empty-file", "the file is empty"))
        return document
    document.data = _convert(node, (), document)
    return document


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
