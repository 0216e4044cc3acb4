"""The channel that tells recipients of a change to a subscriber's data (GDPR Art. 19), as
the settings choose it: the operator's own (`PLACET_RECIPIENT_NOTIFIER`, `module:factory`),
else e-mail through the outbox `PLACET_OUTBOX` names, else none at all.

With no channel, nothing is skipped: `NoRecipientChannel` fails each notification with a
message naming both settings, so each is recorded as failed and the DPO sees it; carrying
the request out again, once a channel is set, tells those recipients.
"""

from __future__ import annotations

from typing import Final

from placet.disclosures import RecipientNotice, RecipientNotifier
from placet.dsr.outbox import Outbox
from placet.errors import DisclosureError, SettingsError
from placet.operations.disclosures import EmailNotifier
from placet.operations.verification import plugged_in

__all__ = [
    "NO_CHANNEL",
    "NoRecipientChannel",
    "load_recipient_notifier",
    "recipient_notifier",
]

NO_CHANNEL: Final = "none"
"""The channel name recorded with a notification no channel could send."""


class NoRecipientChannel:
    """Stands in when no channel is set: each notification fails, saying what to set."""

    channel = NO_CHANNEL

    def send(self, notice: RecipientNotice) -> str:
        raise DisclosureError(
            f"no channel tells {notice.addressee.party} of the {notice.change.value}: set "
            "PLACET_OUTBOX (e-mail) or PLACET_RECIPIENT_NOTIFIER (module:factory) and carry "
            f"request {notice.request_id} out again"
        )


def load_recipient_notifier(reference: str | None) -> RecipientNotifier | None:
    """The notifier `PLACET_RECIPIENT_NOTIFIER` names (`module:factory`), or None when unset;
    `SettingsError` when it cannot be loaded or is not a notifier."""
    if reference is None or not reference.strip():
        return None
    notifier = plugged_in(
        reference,
        "PLACET_RECIPIENT_NOTIFIER",
        "an object with a channel name and send(notice)",
    )
    channel = getattr(notifier, "channel", None)
    if not isinstance(channel, str) or not channel or not callable(getattr(notifier, "send", None)):
        raise SettingsError(
            "PLACET_RECIPIENT_NOTIFIER",
            f"names '{reference}', which returned an object without a channel name and "
            "send(notice)",
            "Give a factory that returns the notifier, and restart",
        )
    plugged: RecipientNotifier = notifier
    return plugged


def recipient_notifier(
    *, plugged: RecipientNotifier | None, email: Outbox | None, controller: str
) -> RecipientNotifier:
    """The channel recipients are told by: `plugged` (from `load_recipient_notifier`), else
    e-mail through `email` (the outbox of `PLACET_OUTBOX`) signed by `controller`, else
    `NoRecipientChannel`."""
    if plugged is not None:
        return plugged
    if email is not None:
        return EmailNotifier(email, controller)
    return NoRecipientChannel()
