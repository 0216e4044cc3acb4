"""What carrying out a rectification, an erasure or a restriction tells the recipients of
the subscriber's data (GDPR Art. 19), and what the request's step says of them.

`tell_recipients` tells every recipient the disclosure register shows received the data
(`placet.operations.disclosures.notify_recipients`), and words the result for the step: a
recipient a confidentiality order keeps from the subject (a law-enforcement disclosure) is
told, and never named there. The `*_detail` functions say what changed, for the recipient
to apply the same change to its copy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from placet.disclosures import (
    ChangeKind,
    DisclosureBook,
    NotificationStatus,
    RecipientNotification,
    RecipientNotifier,
)
from placet.ledger import PseudonymKey
from placet.ledger.events import RestrictionGround
from placet.operations.disclosures import notify_recipients, subject_disclosures
from placet.operations.recording import subject_ref

__all__ = [
    "Told",
    "erasure_detail",
    "rectification_detail",
    "restriction_detail",
    "tell_recipients",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Told:
    """The recipients told of a change by one run, and what the step says of them."""

    notified: tuple[RecipientNotification, ...] = ()
    summary: str = ""
    """'; told of the erasure: …', naming only recipients the subject may be told of."""
    failed: bool = False


def tell_recipients(
    disclosures: DisclosureBook,
    notifier: RecipientNotifier,
    key: PseudonymKey,
    *,
    subscriber: str,
    request_id: str,
    change: ChangeKind,
    detail: str,
    at: datetime,
) -> Told:
    """Tell every recipient of the subscriber's data of `change` (Art. 19)."""
    notified = notify_recipients(
        disclosures,
        key,
        notifier,
        subscriber=subscriber,
        request_id=request_id,
        change=change,
        detail=detail,
        at=at,
    )
    if not notified:
        return Told()
    # A recipient under a confidentiality order is told, but never named to the subject.
    shown = {
        notification.notification_id
        for notification in subject_disclosures(
            disclosures, subject_ref(subscriber, key), at
        ).notifications
    }
    named = [notification for notification in notified if notification.notification_id in shown]

    def parties(status: NotificationStatus) -> list[str]:
        return [notification.party for notification in named if notification.status is status]

    said = []
    if sent := parties(NotificationStatus.SENT):
        said.append(f"told of the {change.value}: {', '.join(sent)}")
    if no_contact := parties(NotificationStatus.NO_CONTACT):
        said.append(
            f"no contact on record for {', '.join(no_contact)}: the DPO tells them another way"
        )
    failed = [n for n in notified if n.status is NotificationStatus.FAILED]
    if failed:
        shown_failed = [n for n in failed if n.notification_id in shown]
        why = f" ({shown_failed[0].reference})" if shown_failed else ""
        whom = ", ".join(n.party for n in shown_failed) or "a recipient"
        said.append(
            f"could not tell {whom} of the {change.value}{why}: carry the request out again "
            "to tell them"
        )
    log.info(
        "recipients told",
        extra={"request": request_id, "notified": len(notified), "failed": len(failed)},
    )
    return Told(notified, "".join(f"; {part}" for part in said), bool(failed))


def rectification_detail(values: Mapping[str, str]) -> str:
    """Each corrected field with its corrected value: the recipient cannot correct its copy
    without it, and already holds the old one."""
    return "Corrected data:\n" + "\n".join(
        f"- {column}: {value}" for column, value in values.items()
    )


def erasure_detail(erased: Sequence[str], restricted: Sequence[str]) -> str:
    """The datasets the subscriber's data was erased from, and those kept and restricted
    (each entry of `restricted` starts with its dataset's id)."""
    lines = ["The subscriber's personal data was erased at their request (GDPR Art. 17)."]
    if erased:
        lines.append("Erased from: " + ", ".join(erased) + ".")
    if restricted:
        kept = ", ".join(entry.split(" ", 1)[0] for entry in restricted)
        lines.append(f"Kept, as the law requires, and restricted: {kept}.")
    return "\n".join(lines)


_RESTRICTION_GROUNDS: Final = {
    RestrictionGround.ACCURACY_CONTESTED: "the subscriber contests the accuracy of the data "
    "(Art. 18(1)(a))",
    RestrictionGround.UNLAWFUL_PROCESSING: "the processing is unlawful and the subscriber asked "
    "for restriction instead of erasure (Art. 18(1)(b))",
    RestrictionGround.LEGAL_CLAIMS: "the subscriber needs the data for legal claims "
    "(Art. 18(1)(c))",
    RestrictionGround.OBJECTION_PENDING: "the subscriber objected and the check of our grounds "
    "is pending (Art. 18(1)(d))",
}


def restriction_detail(ground: RestrictionGround | None) -> str:
    """That processing is restricted, and on which ground of Art. 18(1)."""
    detail = (
        "Processing of the subscriber's personal data is restricted (GDPR Art. 18): store it, "
        "but process it otherwise only as Art. 18(2) allows."
    )
    if ground is None:
        return detail
    return f"{detail}\nGround: {_RESTRICTION_GROUNDS[ground]}."
