"""A policy's elements in the words of one of its languages: texts, enum values, periods, rules.

Shared by the notice and the record of processing, so both say the same thing the same way.
Imports nothing outside the standard library, `placet.errors` and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from placet.errors import PolicyError
from placet.notices.phrases import LANGUAGES, country_name, enum_words, phrase, plural_form
from placet.policy.calendar import local_date
from placet.policy.model import (
    Anchor,
    Contact,
    Period,
    Policy,
    PolicyText,
    Purpose,
    Recipient,
    Requests,
    RetentionRule,
)

__all__ = ["Wording", "require_language"]


def require_language(policy: Policy, language: str) -> None:
    """Refuse a language the policy has no texts in, or Placet has no phrases for."""
    if language not in policy.languages:
        raise PolicyError(
            f"Policy '{policy.policy_id}' version {policy.version} has no texts in "
            f"'{language}'; its languages are {', '.join(policy.languages)}. "
            "Ask for one of those, or add the language to controller.languages and its texts."
        )
    if language not in LANGUAGES:
        raise PolicyError(
            f"Placet has no phrases for '{language}' (it has {', '.join(LANGUAGES)}); "
            "add the language to the tables of placet/notices/phrases/ before publishing in it."
        )


@dataclass(frozen=True, slots=True)
class Wording:
    """Says the elements of `policy` in `language`; build it with `Wording.of`."""

    policy: Policy
    language: str

    @classmethod
    def of(cls, policy: Policy, language: str) -> Wording:
        """The wording of `policy` in `language`, refused when the policy lacks the language."""
        require_language(policy, language)
        return cls(policy, language)

    def phrase(self, key: str, **values: object) -> str:
        return phrase(key, self.language, **values)

    def words(self, value: StrEnum) -> str:
        return enum_words(value, self.language)

    def text(self, value: PolicyText | None) -> str:
        """The policy's own text in this language ('' when the element has none)."""
        if not value:
            return ""
        return value.get(self.language) or value.get(self.policy.source_language, "")

    def country(self, code: str | None) -> str:
        """The country of an ISO 3166 code in words (`XK` is `Kosova` in Albanian); '' for none."""
        return country_name(code, self.language) if code else ""

    def listing(self, items: Iterable[str]) -> str:
        return ", ".join(item for item in items if item)

    def period(self, period: Period) -> str:
        """`6 years`, `24 meseca`, `12 muaj`, `1 måned`."""
        form = plural_form(self.language, period.amount)
        return f"{period.amount} {self.phrase(f'unit.{period.unit}.{form}')}"

    def date(self, day: date) -> str:
        month = self.phrase(f"month.{day.month}")
        return self.phrase("document.date", day=day.day, month=month, year=day.year)

    def day_of(self, instant: datetime) -> str:
        """The date `instant` falls on in the controller's zone (`Policy.zone`), said as
        `date` says it; a naive instant is taken as UTC."""
        aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
        return self.date(local_date(aware, self.policy.zone))

    def category_names(self, category_ids: Sequence[str]) -> str:
        return self.listing(self.text(self.policy.category(ident).name) for ident in category_ids)

    def purpose_names(self, purposes: Iterable[Purpose]) -> str:
        return self.listing(self.text(purpose.name) for purpose in purposes)

    def subject_type_names(self, subject_type_ids: Sequence[str]) -> str:
        names = {kind.id: self.text(kind.name) for kind in self.policy.subject_types}
        return self.listing(names.get(ident, ident) for ident in subject_type_ids)

    def retention_period(self, rule: RetentionRule) -> str:
        """`At most 6 years from the end of the year … or from …, whichever is later`."""
        if rule.period is None:
            if not rule.anchors:
                return self.phrase("retention.no-period")
            return _capitalised(self._anchors(rule.anchors, "anchor-until"))
        bound = "retention.at-most" if rule.maximum else "retention.at-least"
        words = self.phrase(bound, period=self.period(rule.period))
        if rule.anchors:
            words = f"{words} {self._anchors(rule.anchors, 'anchor-from')}"
        return _capitalised(words)

    def retention(self, rule: RetentionRule) -> str:
        """The whole rule in one line, as the record of processing lists it."""
        parts = [f"{self.text(rule.record_type)}: {self.retention_period(rule)}."]
        if rule.criteria:
            parts.append(self.text(rule.criteria))
        parts.append(self.words(rule.action))
        return " ".join(parts)

    def deadline(self, requests: Requests) -> str:
        """`We answer within 1 month … This can be extended to 3 months in total, …`."""
        sentences = [self.phrase("sentence.deadline", period=self.period(requests.deadline))]
        if requests.extension_total is not None:
            key = "sentence.extension-reason"
            if not requests.extension_needs_reason:
                key = "sentence.extension"
            sentences.append(self.phrase(key, total=self.period(requests.extension_total)))
        return " ".join(sentences)

    def contact(self, contact: Contact) -> list[tuple[str, str]]:
        """The contact's details as (label, value) pairs, skipping what it lacks."""
        pairs = [
            ("label.name", contact.name or ""),
            ("label.role", self.text(contact.role)),
            ("label.email", ", ".join(filter(None, [contact.email, *contact.other_emails]))),
            ("label.phone", contact.phone or ""),
            ("label.address", contact.address or ""),
            ("label.web", contact.web or ""),
        ]
        return [(self.phrase(label), value) for label, value in pairs if value]

    def contact_line(self, contact: Contact) -> str:
        """The contact on one line: `Arboneta Thaçi Gashi, ipkoprivacy@ipko.com`."""
        return self.listing(value for _, value in self.contact(contact))

    def recipient(self, recipient: Recipient) -> str:
        """`IT provider (processor, Kosovo)`."""
        details = self.listing([self.words(recipient.kind), self.country(recipient.country)])
        return f"{self.text(recipient.name)} ({details})"

    def _anchors(self, anchors: Sequence[Anchor], prefix: str) -> str:
        said = [self.phrase(f"{prefix}.{anchor.value}") for anchor in anchors]
        if len(said) == 1:
            return said[0]
        joined = f" {self.phrase('retention.or')} ".join(said)
        return f"{joined}, {self.phrase('retention.whichever-later')}"


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]
