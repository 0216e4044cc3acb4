"""The sentences of import problems: what is wrong with a row's value, and how to fix it.

A sentence never repeats the subject's identifier: the line number finds the row.
"""

from __future__ import annotations

import difflib
from datetime import datetime

from placet.ledger.canonical import format_instant
from placet.ledger.importing.format import (
    ALL_DIRECT_MARKETING,
    CHANNEL_NAMES,
    COLLECTION_NAMES,
    COLUMN_NEEDS,
    CONSENT_EVENTS,
    GIVEN_BY_NAMES,
    MAX_KEY,
    MAX_TEXT,
    OBJECTION_EVENTS,
    ImportColumn,
)
from placet.policy.model import Policy
from placet.policy.versions import PolicySet

__all__ = ["Reasons"]


class Reasons:
    """The sentence of each problem: what is wrong with the value, and how to fix it."""

    def __init__(self, policies: PolicySet, recorded_at: datetime) -> None:
        self.policy_id = policies.policy_id
        self.versions = {policy.version: policy for policy in policies.versions}
        self.recorded_at = recorded_at

    def say(
        self,
        code: str,
        column: ImportColumn,
        *,
        value: str | None,
        target: str | None,
        version: str | None,
        first_line: int | None,
    ) -> str:
        shown = value or ""
        match code:
            case "missing-value":
                return f"no {COLUMN_NEEDS[column]}"
            case "bad-subject":
                return (
                    "the identifier has spaces in it; give it in one normal form without spaces "
                    "(an MSISDN in E.164: +38344123456), since another form names another subject"
                )
            case "unknown-event":
                return (
                    f"'{shown}' is not an event an import records; use "
                    f"{', '.join(CONSENT_EVENTS + OBJECTION_EVENTS)}"
                )
            case "unknown-option" | "unknown-purpose":
                return self._unknown_id(code, shown, self.versions[version or ""])
            case "unknown-channel":
                return (
                    f"not a channel: {shown.replace(';', ', ')}; the channels are "
                    f"{', '.join(CHANNEL_NAMES)} (separate them with ';')"
                )
            case "channel-not-covered":
                option = self.versions[version or ""].consent_option(target or "")
                covers = ", ".join(channel.value for channel in option.channels)
                return (
                    f"consent option '{target}' of policy {self.policy_id} version {version} "
                    f"does not cover {shown.replace(';', ', ')}; it covers {covers}. Name only "
                    "those, or leave channels empty for every channel it covers"
                )
            case "channels-on-objection":
                return (
                    f"an objection is to a purpose on every channel, but the row names "
                    f"{shown.replace(';', ', ')}; leave channels empty"
                )
            case _:
                return self._envelope(code, column, shown, first_line)

    def _unknown_id(self, code: str, value: str, policy: Policy) -> str:
        if code == "unknown-option":
            kind, ids = "consent option", [option.id for option in policy.consent_options]
            fix = f"its consent options are {', '.join(ids) or 'none'}"
        else:
            kind, ids = "purpose", [purpose.id for purpose in policy.purposes]
            fix = (
                f"name one of its purposes ({', '.join(ids)}), or {ALL_DIRECT_MARKETING} for "
                "an objection to all direct marketing"
            )
        match = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
        hint = f" (did you mean '{match[0]}'?)" if match else ""
        return (
            f"{kind} '{value}' is not in policy {self.policy_id} version {policy.version}, in "
            f"force at that instant{hint}; {fix}"
        )

    def _envelope(self, code: str, column: ImportColumn, value: str, first_line: int | None) -> str:
        match code:
            case "bad-instant":
                return (
                    f"'{value}' is not an ISO 8601 instant; write it as 2024-05-01T12:00:00Z, "
                    "or with its offset: 2024-05-01T14:00:00+02:00"
                )
            case "no-time-zone":
                return (
                    f"'{value}' has no time zone; add Z for UTC (2024-05-01T12:00:00Z) or its "
                    "offset (2024-05-01T14:00:00+02:00)"
                )
            case "future-instant":
                return (
                    f"'{value}' is after the import ({format_instant(self.recorded_at)}); an "
                    "import records what has happened: check the date"
                )
            case "no-policy-in-force":
                versions = ", ".join(
                    f"{policy.version} from {policy.effective_from}"
                    for policy in self.versions.values()
                )
                return (
                    f"no version of policy {self.policy_id} is in force at '{value}' (its "
                    f"versions: {versions}); check the date, or add the version in force then "
                    "to the policy folder"
                )
            case "unknown-collection":
                ways = ", ".join(COLLECTION_NAMES)
                return f"'{value}' is not a way of collection; use one of {ways}"
            case "unknown-given-by":
                return (
                    f"'{value}' is not who gave it; use {', '.join(GIVEN_BY_NAMES)}, or leave it "
                    "empty for the subject"
                )
            case "too-long":
                limit = MAX_KEY if column is ImportColumn.IDEMPOTENCY_KEY else MAX_TEXT
                return (
                    f"{column} has {value} characters; the ledger holds at most {limit}: shorten it"
                )
            case _:
                return (
                    f"idempotency key '{value}' is also on line {first_line} for a different "
                    "event; give each event its own key, or leave the column empty to derive "
                    "one from the row"
                )
