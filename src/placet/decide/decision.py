"""What is asked of the decision engine (`Use`) and what it answers (`Decision`).

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from placet.policy.model import CategoryId, PurposeId, RecipientId
from placet.policy.terms import Channel

__all__ = ["REASONS", "Decision", "Obligation", "Outcome", "Use"]


class Outcome(StrEnum):
    PERMIT = "permit"
    DENY = "deny"
    """Also when no rule covers the use: reason `no-rule`."""


class Obligation(StrEnum):
    """What must be done for a permitted use to stay within the policy."""

    ANONYMISE_FIRST = "anonymise-first"
    """Traffic or location data only once anonymised (IPKO's analysis)."""
    AGGREGATE_FIRST = "aggregate-first"
    """Only aggregated over many subjects (ipnordic's business intelligence)."""
    COARSEN_LOCATION_TO_COUNTRY = "coarsen-location-to-country"
    """Location no finer than the country (ipnordic's pricing)."""
    MASK_B_NUMBERS = "mask-b-numbers"
    """Traffic data leaving the controller: mask the last digits of the other party."""


@dataclass(frozen=True, slots=True)
class Use:
    """One use of a subject's data: which purpose, which categories, how, and to whom.

    `country` is where the data goes when it leaves the controller (ISO 3166 code);
    `anonymised` says the data is anonymised before this use.
    """

    purpose: PurposeId
    categories: tuple[CategoryId, ...]
    channel: Channel | None = None
    recipient: RecipientId | None = None
    country: str | None = None
    anonymised: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer: permit or deny, why, and every clause of the policy that decided it.

    `rules` are element paths of the policy (`purposes.fraud-prevention.conditions.objection`),
    the same paths the coverage file maps to the operator's source paragraphs.
    """

    outcome: Outcome
    reason: str
    explanation: str
    rules: tuple[str, ...]
    obligations: tuple[Obligation, ...] = ()
    valid_until: datetime | None = None
    policy_version: str = ""

    @property
    def is_permitted(self) -> bool:
        return self.outcome is Outcome.PERMIT


REASONS: dict[str, str] = {
    "permitted": "a rule of the policy covers the use and nothing stops it",
    "permitted-if-anonymised": "permitted only on data anonymised first",
    "objection-overridden": "the subject objected, but the policy's compelling grounds prevail",
    "legal-obligation": "a legal obligation requires it, whatever the subject's choices",
    "no-rule": "no purpose of the policy covers the use: denied, the protective reading",
    "category-not-covered": "the purpose does not cover one of the data categories asked",
    "subject-type-not-covered": "the purpose does not apply to this kind of subject",
    "channel-not-covered": "the purpose or the consent does not cover the channel",
    "channel-not-named": "the consent covers some of the purpose's channels only: name the use's",
    "category-not-consented": "the consent does not cover one of the data categories asked",
    "unknown-recipient": "the recipient is not named in the policy",
    "recipient-not-allowed": "the recipient is not named for this purpose or these categories",
    "country-not-allowed": "the policy names no recipient in that country with a safeguard",
    "restricted": "processing is restricted (GDPR Art. 18): storage and legal claims only",
    "restricted-after-contract": "a retention rule restricts the data since the contract ended",
    "no-contract": "a contract purpose needs a contract in force",
    "no-consent": "the purpose needs a consent the subject has not given",
    "consent-withdrawn": "the consent this purpose needs was withdrawn",
    "post-contract-window-ended": "the time the purpose may go on after the contract ended is over",
    "objection": "the subject objected and the objection stops the purpose",
    "objection-direct-marketing": "the subject objected to direct marketing (Art. 21(3))",
    "business-opt-out": "the business entity opted out of direct marketing",
    "traffic-location-needs-consent": "traffic or location data needs the subject's consent",
    "minor-without-consent": "the subject is a minor, whose interests prevail without consent",
    "minor": "the purpose never applies to minors",
}
"""Every reason code a decision can carry, with what it means (listed in docs/decisions.md)."""
