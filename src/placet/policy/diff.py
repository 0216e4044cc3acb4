"""What changed between two versions of a policy, for the DPO to read before publishing.

Elements are matched by id (rights by kind), so a renamed text shows as a change of that
element, and an added purpose as an addition. Imports nothing outside the standard library,
pydantic and `placet.policy.model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from placet.policy.model import Policy

__all__ = ["Change", "ChangeKind", "diff_policies"]

_IGNORED = {"translated_paths", "version", "effective_from", "effective_until"}


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: `element` is a coverage-style path, `field` the changed field in it."""

    kind: ChangeKind
    element: str
    field: str = ""
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        if self.kind is ChangeKind.CHANGED:
            return f"changed {self.element}.{self.field}: {self.before} -> {self.after}"
        return f"{self.kind} {self.element}"


def diff_policies(old: Policy, new: Policy, *, shown: int | None = 100) -> list[Change]:
    """Every element added, removed or changed from `old` to `new`, in policy order. A
    changed text longer than `shown` characters is cut with an ellipsis (for a terminal's
    line); `shown=None` keeps every text whole (for a page, which wraps them)."""
    before = old.model_dump(mode="json", by_alias=False)
    after = new.model_dump(mode="json", by_alias=False)
    changes: list[Change] = []
    for name in type(new).model_fields:
        if name in _IGNORED:
            continue
        changes += _diff_field(name, before.get(name), after.get(name), shown)
    return changes


def _diff_field(name: str, old: Any, new: Any, shown: int | None) -> list[Change]:
    if _is_keyed_list(old) or _is_keyed_list(new):
        return list(_diff_keyed(name, old or [], new or [], shown))
    if old is None and new is not None:
        return [Change(ChangeKind.ADDED, name)]
    if new is None and old is not None:
        return [Change(ChangeKind.REMOVED, name)]
    return list(_diff_values(name, "", old, new, shown))


def _key(item: dict[str, Any]) -> str:
    return str(item.get("id") or item.get("kind"))


def _is_keyed_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and ("id" in item or "kind" in item) for item in value)
    )


def _diff_keyed(name: str, old: list[Any], new: list[Any], shown: int | None) -> Iterator[Change]:
    old_items = {_key(item): item for item in old}
    new_items = {_key(item): item for item in new}
    for key in old_items.keys() - new_items.keys():
        yield Change(ChangeKind.REMOVED, f"{name}.{key}")
    for key, item in new_items.items():
        element = f"{name}.{key}"
        if key not in old_items:
            yield Change(ChangeKind.ADDED, element)
        else:
            yield from _diff_values(element, "", old_items[key], item, shown)


def _diff_values(
    element: str, field: str, old: Any, new: Any, shown: int | None
) -> Iterator[Change]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and not _is_period(old):
        for key in sorted(old.keys() | new.keys(), key=str):
            yield from _diff_values(
                element,
                f"{field}.{key}" if field else str(key),
                old.get(key),
                new.get(key),
                shown,
            )
        return
    yield Change(
        ChangeKind.CHANGED, element, field or "value", _show(old, shown), _show(new, shown)
    )


def _is_period(value: dict[str, Any]) -> bool:
    return {"amount", "unit"} <= value.keys()


def _show(value: Any, shown: int | None) -> str:
    """A dumped value in words; a text longer than `shown` cut with an ellipsis."""
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item, shown) for item in value) + "]"
    if isinstance(value, dict) and _is_period(value):
        amount = value["amount"]
        return f"{amount} {value['unit']}{'s' if amount != 1 else ''}"
    if isinstance(value, dict):
        return "{" + "; ".join(f"{key}: {_show(item, shown)}" for key, item in value.items()) + "}"
    text = " ".join(str(value).split())
    return text if shown is None or len(text) <= shown else text[: shown - 1] + "…"
