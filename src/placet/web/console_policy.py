"""The policy in the DPO console: every version with its dates, languages and what it
holds, and what changed from one version to another.

Every role may read both pages. A version is added by a new `policy*.yaml` file in the
policy folder, never through the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from placet.notices.wording import Wording
from placet.policy import Policy, PolicySet
from placet.policy.calendar import local_date
from placet.policy.diff import ChangeKind, diff_policies
from placet.web.catalogue import LANGUAGE_NAMES
from placet.web.console_frame import (
    CONSOLE_PREFIX,
    ConsoleRoute,
    Context,
    signed_in_staff,
    wording_of,
)
from placet.web.pages import render
from placet.web.privacy import PRIVACY_PREFIX

__all__ = ["ElementChange", "VersionRow", "VersionState", "router"]

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

NOTICE_PATH: Final = f"{PRIVACY_PREFIX}/notice"
"""Where the privacy center publishes the notice of the version in force."""
_ELEMENTS: Final = {
    "purposes": "Purpose",
    "consent_options": "Consent option",
    "retention_rules": "Retention rule",
    "recipients": "Recipient",
    "data_categories": "Data category",
    "data_sources": "Data source",
    "subject_types": "Subject type",
    "rights": "Right",
    "sections": "Section",
}
"""The policy's lists of elements, named as the DPO reads them."""


class VersionState(StrEnum):
    IN_FORCE = "in force"
    SCHEDULED = "scheduled"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version of the policy as the versions page lists it."""

    version: str
    effective_from: date
    last_day: date | None
    """The last day in force: its `effective_until`, else the day before its successor
    takes effect; None while no end is set."""
    successor: str | None
    state: VersionState
    languages: tuple[str, ...]
    """The languages in their own words, the source language first."""
    purposes: int
    consent_options: int
    recipients: int
    retention_rules: int
    previous: str | None
    """The version before it, to compare with; None for the first."""


@dataclass(frozen=True, slots=True)
class ElementChange:
    """One change as the diff page shows it, with whole texts (the CLI shortens them)."""

    kind: ChangeKind
    element: str
    """The element's path, as `placet policy diff` prints it (`purposes.surveys`)."""
    label: str
    """What the element is, in words (`Purpose "Polls"`)."""
    field: str
    before: str
    after: str


@router.get("/policy", response_class=HTMLResponse)
def policy_versions(context: Context) -> Response:
    """Every version of the policy, which one is in force, and links to what changed."""
    signed_in_staff(context)
    policies = context.services.policies
    rows = version_rows(
        policies, in_force=context.policy, today=local_date(context.now, context.policy.zone)
    )
    return render(context, "console/policy.html", rows=rows, notice_path=NOTICE_PATH)


@router.get("/policy/diff", response_class=HTMLResponse)
def policy_diff(
    context: Context,
    old: Annotated[str | None, Query(alias="from")] = None,
    new: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    """What changed from version `from` to version `to`: added, removed, changed. Without
    `to`, the latest version; without `from`, the one before `to`."""
    signed_in_staff(context)
    policies = context.services.policies
    known = [policy.version for policy in policies.versions]
    unknown = [version for version in (old, new) if version is not None and version not in known]
    if unknown:
        # Rendered here, not raised: a 404 HTTPException shows only "not found", and the
        # DPO needs the versions there are.
        return render(context, "console/error.html", 404, message=_unknown(policies, unknown[0]))
    later = policies.latest if new is None else policies.version(new)
    earlier = _previous(policies, later) if old is None else policies.version(old)
    changes = element_changes(earlier, later)
    groups = [(kind, [change for change in changes if change.kind is kind]) for kind in ChangeKind]
    return render(
        context,
        "console/policy_diff.html",
        earlier=earlier,
        later=later,
        changes=changes,
        groups=groups,
        versions=known,
    )


def version_rows(policies: PolicySet, *, in_force: Policy, today: date) -> list[VersionRow]:
    """The versions, oldest first, each with its dates and state on `today`."""
    versions = policies.versions
    rows: list[VersionRow] = []
    for index, policy in enumerate(versions):
        successor = versions[index + 1] if index + 1 < len(versions) else None
        last_day = policy.effective_until
        if last_day is None and successor is not None:
            last_day = successor.effective_from - timedelta(days=1)
        if policy.version == in_force.version:
            state = VersionState.IN_FORCE
        elif policy.effective_from > today:
            state = VersionState.SCHEDULED
        else:
            state = VersionState.ENDED
        rows.append(
            VersionRow(
                version=policy.version,
                effective_from=policy.effective_from,
                last_day=last_day,
                successor=None if successor is None else successor.version,
                state=state,
                languages=tuple(LANGUAGE_NAMES.get(code, code) for code in policy.languages),
                purposes=len(policy.purposes),
                consent_options=len(policy.consent_options),
                recipients=len(policy.recipients),
                retention_rules=len(policy.retention_rules),
                previous=versions[index - 1].version if index > 0 else None,
            )
        )
    return rows


def element_changes(old: Policy, new: Policy) -> list[ElementChange]:
    """`diff_policies(old, new)` for reading on a page: each element named in words, and
    each changed field's whole value before and after."""
    before = old.model_dump(mode="json", by_alias=False)
    after = new.model_dump(mode="json", by_alias=False)
    shown: list[ElementChange] = []
    for change in diff_policies(old, new, shown=None):
        # A removed element is named as the earlier version had it, the others as the later.
        source, dump = (old, before) if change.kind is ChangeKind.REMOVED else (new, after)
        shown.append(
            ElementChange(
                kind=change.kind,
                element=change.element,
                label=_label(change.element, dump, wording_of(source)),
                field=change.field,
                before=change.before,
                after=change.after,
            )
        )
    return shown


def _previous(policies: PolicySet, policy: Policy) -> Policy:
    """The version before `policy`; `policy` itself when it is the first."""
    index = policies.versions.index(policy)
    return policies.versions[max(index - 1, 0)]


def _unknown(policies: PolicySet, version: str) -> str:
    """The message for a version the policy does not have; unlike `PolicySet.version`'s,
    it does not show the server's policy folder."""
    known = ", ".join(policy.version for policy in policies.versions)
    return (
        f"There is no version '{version}' of policy '{policies.policy_id}'. "
        f"The versions are {known}."
    )


_MISSING: Final = object()


def _item(dump: Mapping[str, Any], element: str) -> Any:
    """The dumped element at `element` (`purposes.surveys`, `title`), `_MISSING` if none."""
    name, _, key = element.partition(".")
    value = dump.get(name, _MISSING)
    if not key:
        return value
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and str(item.get("id") or item.get("kind")) == key:
            return item
    return _MISSING


def _label(element: str, dump: Mapping[str, Any], wording: Wording) -> str:
    name, _, key = element.partition(".")
    kind = _ELEMENTS.get(name, name.replace("_", " ").capitalize())
    if not key:
        return kind
    item = _item(dump, element)
    text = ""
    if isinstance(item, dict):
        title = item.get("name") or item.get("title") or item.get("record_type")
        text = wording.text(title) if isinstance(title, dict) else ""
    return f'{kind} "{text}"' if text else f"{kind} {key}"
