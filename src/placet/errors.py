"""Placet errors: one tree, each class building a message that says what happened and what to do.

PlacetError
├── PolicyError            the policy files are wrong (fix the YAML)
│   ├── PolicyValidationError   carries every problem found, not just the first
│   ├── UnknownReferenceError   a rule names a purpose/category that is not declared
│   ├── PolicyNotFoundError     no policy at the path or bundled name given
│   ├── NoVersionInForceError   no version of the policy is in force at the instant asked
│   └── CoverageError           a source paragraph is unmapped or maps to nothing
├── DataMapError           the data map file is wrong (fix the YAML)
│   └── DataMapValidationError  carries every problem found, not just the first
├── LedgerError
│   ├── ChainBrokenError        a stored entry does not match its hash
│   ├── InvalidEventError       an event cannot be recorded or replayed as given
│   ├── IdempotencyConflictError  an idempotency key is re-sent with a different event
│   ├── DuplicateEventError     an event id is already in the ledger under another key
│   ├── PseudonymKeyError       the key that makes subjects' pseudonyms is missing or weak
│   ├── ImportRejectedError     a bulk import has bad rows; carries every problem found
│   ├── EventNotFoundError      no event with the id asked is in the ledger
│   ├── ReceiptError            a consent receipt cannot be built, or a key is unusable
│   │   └── ReceiptVerificationError  a signed receipt does not verify
│   ├── CheckpointVerificationError  a signed checkpoint of the chain heads does not verify
│   └── CheckpointMismatchError  the ledger no longer holds what a signed checkpoint names
├── AccessError            an API caller may not do what it asked
│   ├── AuthenticationError     no API key, or one that is unknown or revoked
│   ├── PermissionDeniedError   the API key lacks the scope the operation needs
│   └── UnknownApiKeyError      no API key has the id given
├── SettingsError          a setting Placet needs for this is missing or unusable
├── DisclosureError        a disclosure, agreement or law-enforcement request is given wrong
│   └── DisclosureRefusedError  the policy does not allow the disclosure (a DPO may override)
├── RequestError           a data-subject request cannot proceed as asked
│   └── RequestNotFoundError    no request has the id given
├── RetentionError         a retention rule, hold or guard is asked something it cannot do
└── StoreError             a store is unreachable or not in the shape the policy says
    └── LedgerSchemaError       the ledger database is missing or at another schema revision

Imports nothing outside the standard library.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = [
    "IMPORT_PROBLEM_CODES",
    "POLICY_ISSUE_CODES",
    "RECEIPT_FAILURE_CODES",
    "AccessError",
    "AuthenticationError",
    "ChainBrokenError",
    "CheckpointMismatchError",
    "CheckpointVerificationError",
    "CoverageError",
    "DataMapError",
    "DataMapValidationError",
    "DuplicateEventError",
    "EventNotFoundError",
    "IdempotencyConflictError",
    "ImportRejectedError",
    "InvalidEventError",
    "LedgerError",
    "LedgerSchemaError",
    "NoVersionInForceError",
    "PermissionDeniedError",
    "PlacetError",
    "PolicyError",
    "PolicyIssue",
    "PolicyNotFoundError",
    "PolicyValidationError",
    "PseudonymKeyError",
    "ReceiptError",
    "ReceiptVerificationError",
    "RequestError",
    "RequestNotFoundError",
    "RetentionError",
    "RowProblem",
    "SettingsError",
    "StoreError",
    "UnknownApiKeyError",
    "UnknownReferenceError",
]


class PlacetError(Exception):
    """Root of every error Placet raises on purpose."""


class PolicyError(PlacetError):
    """The policy files are wrong: fix the YAML."""


POLICY_ISSUE_CODES: dict[str, str] = {
    "unreadable-file": "the file cannot be read as UTF-8 text",
    "yaml-syntax": "the file is not valid YAML",
    "empty-file": "the file holds nothing",
    "unknown-tag": "a YAML tag other than !tr",
    "not-a-mapping": "a policy file must be a YAML mapping of fields",
    "duplicate-key": "a key is given twice in the same mapping",
    "no-policy-file": "a policy folder holds no policy*.yaml file",
    "missing-field": "a required field is absent",
    "unknown-field": "a field the policy format does not have (often a misspelling)",
    "invalid-value": "a value is not one of those allowed, or not of the right type",
    "invalid-format": "a value does not have the required form (ids are lowercase kebab case)",
    "invalid-date": "a date is not an ISO date (2024-01-31)",
    "unknown-anchor": "a retention rule runs from an event Placet does not know",
    "missing-legal-basis": "a purpose has no legal basis",
    "duplicate-id": "two elements of the same kind share an id",
    "unknown-category": "a data category is referenced but not declared",
    "unknown-purpose": "a purpose is referenced but not declared",
    "unknown-subject-type": "a subject type is referenced but not declared",
    "unknown-consent-option": "a consent option is referenced but not declared",
    "missing-translation": "a text lacks one of the declared languages",
    "undeclared-language": "a text is given in a language the controller does not declare",
    "empty-text": "a text is empty",
    "empty-consent-option": "a consent option covers no purpose",
    "missing-retention-period": "a retention rule has neither a period nor criteria",
    "objection-on-direct-marketing": "a direct-marketing purpose would survive an objection",
    "policy-id-mismatch": "versions in one folder name different policies",
    "duplicate-version": "two files carry the same version name",
    "overlapping-versions": "two versions would be in force at the same time",
    "bad-paragraph": "a source paragraph is not numbered [N] in order",
    "missing-coverage": "the policy folder has no coverage.yaml",
    "invalid-coverage": "coverage.yaml does not have the coverage format",
}
"""Every code a `PolicyIssue` can carry, with what it means (listed in docs/policy.md)."""


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem found in a policy file, located by file, line and YAML path."""

    file: str
    line: int | None
    path: str
    code: str
    message: str

    def __post_init__(self) -> None:
        if self.code not in POLICY_ISSUE_CODES:
            raise ValueError(f"unregistered policy issue code '{self.code}'")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" [{self.path}]" if self.path else ""
        return f"{where}{field} {self.code}: {self.message}"


class PolicyValidationError(PolicyError):
    """The policy is invalid; `issues` holds every problem found, in file order."""

    def __init__(self, issues: Sequence[PolicyIssue]) -> None:
        self.issues = tuple(issues)
        count = len(self.issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(
            f"The policy has {count} problem{'s' if count != 1 else ''}:\n{lines}\n"
            "Fix each one in the file and line named, then check again with "
            "`placet policy check`."
        )


class UnknownReferenceError(PolicyError):
    """A rule names a purpose, category or other element that is not declared."""

    def __init__(self, kind: str, name: str, where: str) -> None:
        self.kind = kind
        self.name = name
        self.where = where
        super().__init__(
            f"{where}: {kind} '{name}' is not declared. "
            f"Add it under '{kind}s:' in the policy or fix the spelling."
        )


class PolicyNotFoundError(PolicyError):
    """Neither a policy folder nor a bundled operator has the name given."""

    def __init__(self, name: str, bundled: Sequence[str]) -> None:
        self.name = name
        matches = difflib.get_close_matches(name, list(bundled), n=1, cutoff=0.6)
        hint = f" Did you mean '{matches[0]}'?" if matches else ""
        super().__init__(
            f"No policy at '{name}': it is neither a folder holding policy*.yaml files "
            f"nor a bundled operator ({', '.join(bundled) or 'none bundled'}).{hint}"
        )


class NoVersionInForceError(PolicyError):
    """No version of a policy is in force at the instant asked."""

    def __init__(self, policy: Path | str, at: datetime, first_effective: str) -> None:
        super().__init__(
            f"{policy}: no policy version is in force at {at.isoformat()}; "
            f"the earliest takes effect on {first_effective}. Ask for a later instant "
            "or add a version whose 'effective_from' is on or before it."
        )


class CoverageError(PolicyError):
    """The coverage file leaves a source paragraph unmapped or names a missing element."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"Coverage is incomplete ({len(self.problems)} problems):\n{lines}\n"
            "Map every paragraph to the policy elements that encode it, or mark it "
            "'informative' with a reason."
        )


class DataMapError(PlacetError):
    """The data map file is wrong: fix the YAML."""


class DataMapValidationError(DataMapError):
    """The data map cannot be read; `issues` holds every problem found, in file order.

    The issues carry the codes of `POLICY_ISSUE_CODES` that concern reading and fields
    (`yaml-syntax`, `unknown-field`, `missing-field`, `invalid-value`, …).
    """

    def __init__(self, issues: Sequence[PolicyIssue]) -> None:
        self.issues = tuple(issues)
        count = len(self.issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(
            f"The data map has {count} problem{'s' if count != 1 else ''}:\n{lines}\n"
            "Fix each one in the file and line named (docs/datamap.md lists each field), "
            "then check again with `placet datamap check`."
        )


class LedgerError(PlacetError):
    """The consent ledger cannot do what was asked."""


class ChainBrokenError(LedgerError):
    """A stored ledger entry does not match its hash: altered, removed, inserted or reordered."""

    def __init__(
        self,
        position: int,
        kind: str,
        event_id: str | None,
        detail: str,
        verified: int,
        *,
        chain: str = "event",
    ) -> None:
        self.position = position
        self.kind = kind
        self.event_id = event_id
        self.detail = detail
        self.chain = chain
        event = f" ({chain} {event_id})" if event_id else ""
        before = f"{verified} {chain}{'s' if verified != 1 else ''} before it verified"
        which = "The ledger's hash chain" if chain == "event" else f"The {chain}s' hash chain"
        super().__init__(
            f"{which} is broken at position {position}{event}, {kind}: "
            f"{detail}. The {before}. Stop appending, compare the database with its last "
            "verified backup from that position on, restore it, and report the tampering to "
            "the DPO."
        )


class InvalidEventError(LedgerError):
    """An event cannot be recorded or replayed as given."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}. {fix}")


class IdempotencyConflictError(LedgerError):
    """An idempotency key was sent again with a different event."""

    def __init__(self, key: str, position: int | None) -> None:
        self.key = key
        where = f"the event at position {position}" if position else "another event of the batch"
        super().__init__(
            f"Idempotency key '{key}' was already used for {where}, which differs from this "
            "one. Re-send the original event unchanged to get it back, or give a new event a "
            "new key. Nothing was recorded."
        )


class DuplicateEventError(LedgerError):
    """An event id is already in the ledger under another idempotency key."""

    def __init__(self, event_id: str) -> None:
        super().__init__(
            f"Event {event_id} is already in the ledger under another idempotency key. "
            "Give each new event a new id. Nothing was recorded."
        )


class PseudonymKeyError(LedgerError):
    """The key that turns identifiers into pseudonyms is missing, malformed or too short."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"The pseudonym key is unusable: {problem}. Generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, set it as "
            "PLACET_PSEUDONYM_KEY, keep it out of the ledger database, and never change it "
            "without re-keying the ledger: pseudonyms made with another key name no one."
        )


class EventNotFoundError(LedgerError):
    """No event with the id asked is in the ledger."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(
            f"There is no event {event_id} in the ledger. Check the id: it is the `event_id` "
            "returned when the event was recorded, and is listed in the subject's history."
        )


class DecisionNotFoundError(LedgerError):
    """No decision record with the id asked (of the kind asked) is in the ledger."""

    def __init__(self, record_id: str, kind: str | None = None) -> None:
        self.record_id = record_id
        what = f"{kind} record" if kind else "decision record"
        super().__init__(
            f"There is no {what} {record_id} in the ledger. Check the id: it is printed when "
            "the decision is made (the `Placet-Decision-Record` header of an audience) and "
            "listed by `placet decisions list`."
        )


class DecisionNotReplayableError(LedgerError):
    """A decision record that holds too little to be decided again (its kind, or its age)."""

    def __init__(self, record_id: str, why: str) -> None:
        self.record_id = record_id
        super().__init__(
            f"Decision record {record_id} cannot be replayed: {why}. "
            f"`placet decisions show {record_id}` prints it as decided."
        )


IMPORT_PROBLEM_CODES: dict[str, str] = {
    "missing-column": "the header lacks a column every row needs",
    "unknown-column": "the header has a column an import does not know (often a misspelling)",
    "unreadable-column": "a Parquet column holds a type that cannot be read as text",
    "missing-value": "a column every row needs is empty on this row",
    "bad-subject": "the subject identifier has spaces inside it",
    "unknown-event": "the event is not one an import records",
    "unknown-option": "the consent option is not in the policy version in force at that instant",
    "unknown-purpose": "the purpose is not in the policy version in force at that instant",
    "unknown-channel": "a channel Placet does not know",
    "channel-not-covered": "the consent option does not cover that channel",
    "channels-on-objection": "an objection names channels; it covers every channel",
    "bad-instant": "effective_at is not an ISO 8601 instant",
    "no-time-zone": "effective_at has no time zone",
    "future-instant": "effective_at is after the import",
    "no-policy-in-force": "no policy version is in force at the row's effective_at",
    "unknown-collection": "collected_via is not a way of collection the ledger knows",
    "unknown-given-by": "given_by is not subject, representative or employer",
    "too-long": "a text is longer than the ledger holds",
    "key-reused": "an idempotency key is used on two lines for different events",
}
"""Every code a `RowProblem` can carry, with what it means (listed in docs/ledger.md)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of a bulk import: the line (the header is line 1), the column, and the fix."""

    line: int
    column: str
    reason: str
    code: str

    def __post_init__(self) -> None:
        if self.code not in IMPORT_PROBLEM_CODES:
            raise ValueError(f"unregistered import problem code '{self.code}'")

    def __str__(self) -> str:
        return f"line {self.line}, column '{self.column}' {self.code}: {self.reason}"


class ImportRejectedError(LedgerError):
    """A bulk import was refused: nothing of the file was imported; `problems` holds them all."""

    shown = 20
    """How many problems the message lists; `problems` holds every one."""

    def __init__(self, source: str, problems: Sequence[RowProblem], rows: int) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.rows = rows
        lines = "\n".join(f"  {problem}" for problem in self.problems[: self.shown])
        more = len(self.problems) - self.shown
        if more > 0:
            lines += f"\n  … and {more} more problem{'s' if more != 1 else ''}"
        bad = len({problem.line for problem in self.problems})
        if all(problem.line == 1 for problem in self.problems):
            found = "its header has problems"
            fix = "Fix the header (docs/ledger.md lists the columns) and import the file again."
        else:
            found = f"{bad} of its {rows} rows have problems"
            fix = (
                "Fix each one in the line named and import the file again, or import only "
                "the good rows (--skip-bad-rows)."
            )
        super().__init__(f"Nothing was imported from {source}: {found}:\n{lines}\n{fix}")


RECEIPT_FAILURE_CODES: dict[str, str] = {
    "malformed": "the token is not a compact JWS of three base64url parts holding JSON",
    "algorithm": "the header names an algorithm other than EdDSA, such as 'none'",
    "unknown-key": "the key id is not among the published keys",
    "bad-signature": "the signature does not match the header and payload under that key",
    "bad-payload": "the signed payload is not a Placet consent receipt",
}
"""Why a signed receipt does not verify (listed in docs/receipts.md)."""


class ReceiptError(LedgerError):
    """A receipt cannot be built from the event and policy given, or a key is unusable."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}. {fix}")


class ReceiptVerificationError(ReceiptError):
    """A signed receipt does not verify: altered, forged, or signed with an unpublished key."""

    def __init__(self, code: str, problem: str) -> None:
        if code not in RECEIPT_FAILURE_CODES:
            raise ValueError(f"unregistered receipt failure code '{code}'")
        self.code = code
        super().__init__(
            f"The receipt does not verify ({code}): {problem}",
            "Do not rely on it: ask the operator for the receipt again and verify it against "
            "the keys the operator publishes (its JWKS)",
        )


class CheckpointVerificationError(LedgerError):
    """A signed checkpoint does not verify: altered, forged, or signed with an unpublished key."""

    def __init__(self, code: str, problem: str) -> None:
        if code not in RECEIPT_FAILURE_CODES:
            raise ValueError(f"unregistered checkpoint failure code '{code}'")
        self.code = code
        super().__init__(
            f"The checkpoint does not verify ({code}): {problem}. Do not rely on it: check it "
            "against the keys the operator publishes (its JWKS), or ask the auditor who "
            "holds it for the file again"
        )


class CheckpointMismatchError(LedgerError):
    """The ledger does not hold, at a signed checkpoint's positions, the hashes it names:
    what came before the checkpoint was rewritten, or the ledger was cut back."""

    def __init__(self, differences: Sequence[str]) -> None:
        self.differences = tuple(differences)
        super().__init__(
            "The ledger does not match the signed checkpoint: "
            + "; ".join(self.differences)
            + ". Everything up to the checkpoint was rewritten or removed since it was "
            "signed: restore the database from a backup taken before, and find who wrote it"
        )


class AccessError(PlacetError):
    """An API caller may not do what it asked."""


class AuthenticationError(AccessError):
    """The request carries no API key, or one that is unknown or revoked."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"{problem}. Send an API key in the Authorization header (`Authorization: Bearer "
            "<key>`) or the X-API-Key header; an administrator creates one with "
            "`placet keys create`."
        )


class PermissionDeniedError(AccessError):
    """The API key is valid but lacks the scope the operation needs."""

    def __init__(self, key_id: str, needed: str, held: Sequence[str]) -> None:
        self.needed = needed
        scopes = ", ".join(held) or "none"
        super().__init__(
            f"API key {key_id} lacks the scope '{needed}' this operation needs (it has: "
            f"{scopes}). Ask an administrator for a key with '{needed}'."
        )


class UnknownApiKeyError(AccessError):
    """No API key has the id given."""

    def __init__(self, key_id: str) -> None:
        super().__init__(
            f"There is no API key with id '{key_id}'. List the keys with `placet keys list`."
        )


class SettingsError(PlacetError):
    """A setting Placet needs for this operation is missing or unusable."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        super().__init__(f"The setting {setting} {problem}. {fix}")


class RetentionError(PlacetError):
    """A retention decision, legal hold or the destruction guard was given what it cannot
    use; the message says what to change."""


class DisclosureError(PlacetError):
    """A disclosure, an agreement with a recipient or a law-enforcement request cannot be
    recorded as given; the message says what to change."""


class DisclosureRefusedError(DisclosureError):
    """The policy does not allow a disclosure: each problem with its code, and how a DPO
    may still record it (an override with a justification)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(f"{message} [{code}]" for code, message in self.problems)
        super().__init__(
            f"the disclosure is refused: {listed}. Record it only as the policy allows, or "
            "have a DPO override it with a written justification"
        )


class RequestError(PlacetError):
    """A data-subject request cannot proceed as asked."""


class RequestNotFoundError(RequestError):
    """No request has the id asked."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(
            f"There is no request {request_id}. Check the id: `placet dsr list` and "
            "GET /v1/requests list them."
        )


class StoreError(PlacetError):
    """A store is unreachable or not in the shape the data map says."""


class LedgerSchemaError(StoreError):
    """The ledger database has no ledger tables, or tables of another schema revision."""

    def __init__(self, database: str, found: str | None, expected: str) -> None:
        self.found = found
        self.expected = expected
        state = "has no ledger tables" if found is None else f"is at schema revision '{found}'"
        super().__init__(
            f"The ledger database {database} {state}; this Placet needs revision "
            f"'{expected}'. Run `placet ledger upgrade` (back the database up first), or "
            "point PLACET_DATABASE_URL at the right database."
        )
