"""What the decision engine knows of one subject at one instant: the `SubjectState`.

The ledger builds it (a projection of its events, now or as of a past instant); the
decision engine reads it. Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from placet.policy.model import ConsentOptionId, PurposeId, SubjectTypeId
from placet.policy.terms import Channel

__all__ = ["ConsentGrant", "SubjectState"]


@dataclass(frozen=True, slots=True)
class ConsentGrant:
    """A live consent: the option agreed to, since when, and by which channels.

    `channels` empty means every channel the option covers.
    """

    option: ConsentOptionId
    given_at: datetime
    channels: frozenset[Channel] = frozenset()


@dataclass(frozen=True, slots=True)
class SubjectState:
    """One subject's consents, objections, restriction and contracts as of `as_of`.

    Times are timezone-aware UTC instants. Only live facts are held: a withdrawn consent
    is in `withdrawn`, not in `consents`; a lifted restriction leaves `restricted` False.
    """

    subject: str
    """The subject's pseudonymous reference, never a name or a number."""
    as_of: datetime
    subject_type: SubjectTypeId | None = None
    birth_date: date | None = None
    consents: tuple[ConsentGrant, ...] = ()
    withdrawn: frozenset[ConsentOptionId] = frozenset()
    """Options whose consent was given and later withdrawn (for the reason code)."""
    objections: frozenset[PurposeId] = frozenset()
    """Purposes the subject objects to (GDPR Art. 21(1))."""
    objects_to_direct_marketing: bool = False
    """An objection to all direct marketing (Art. 21(2)): an opt-out from every campaign."""
    restricted: bool = False
    """A restriction of processing (GDPR Art. 18) is in force."""
    active_contracts: int = 0
    last_contract_end: datetime | None = None
    """When the last contract ended; None while one is active or if there never was one."""
    debt_outstanding: bool = False
    debt_settled_at: datetime | None = None
    """When the last outstanding debt was settled; None if there never was one or it is open."""
    business_opt_out: bool = False
    """A business entity's written opt-out of direct marketing is in force."""
    business_opt_out_until: datetime | None = None
    """When a temporary opt-out ends; None for a permanent one."""
