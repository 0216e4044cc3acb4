"""Where the register is kept: `DisclosureBook`, which `placet.stores` implements in
Placet's own database. Subjects are named by their keyed pseudonym (the ledger's), so the
register holds no identifier of theirs; a law-enforcement request names the subscribers
it asks about, as the authority's order does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from placet.disclosures.law_enforcement import LawEnforcementRequest
from placet.disclosures.model import Disclosure
from placet.disclosures.notifications import RecipientNotification
from placet.disclosures.register import Agreement

__all__ = ["DisclosureBook"]


class DisclosureBook(Protocol):
    def add_agreement(self, agreement: Agreement) -> None:
        """Record an agreement; `DisclosureError` if its id is taken."""
        ...

    def end_agreement(self, agreement_id: str, at: datetime) -> Agreement:
        """End an agreement at `at` (its `valid_until`); `DisclosureError` if unknown."""
        ...

    def agreements(self) -> list[Agreement]: ...

    def add_disclosure(self, disclosure: Disclosure, subjects: Iterable[str]) -> None:
        """Record a disclosure and the pseudonyms of the subjects whose data it held."""
        ...

    def disclosure(self, disclosure_id: str) -> Disclosure | None: ...

    def disclosures(
        self, *, since: datetime | None = None, before: datetime | None = None
    ) -> list[Disclosure]:
        """Disclosures made in [since, before), oldest first."""
        ...

    def latest_disclosures(self, limit: int) -> list[Disclosure]:
        """The `limit` disclosures made last, newest first."""
        ...

    def count_disclosures(self) -> int: ...

    def subjects_of(self, disclosure_id: str) -> Iterable[str]:
        """The pseudonyms of the subjects a disclosure held, in order."""
        ...

    def disclosures_of(self, subject: str) -> list[Disclosure]:
        """Every disclosure that held the data of the subject with this pseudonym."""
        ...

    def save_request(self, request: LawEnforcementRequest) -> None:
        """Record a law-enforcement request as it now stands (new, or one step further)."""
        ...

    def request(self, request_id: str) -> LawEnforcementRequest | None: ...

    def requests(self) -> list[LawEnforcementRequest]: ...

    def add_notifications(self, notifications: Sequence[RecipientNotification]) -> None: ...

    def notifications_of(self, subject: str) -> list[RecipientNotification]: ...
