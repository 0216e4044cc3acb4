"""The sections of a notice on what the controller owes: recipients, transfers, retention, rights.

Also how to make a request, by when it is answered, and where to complain.
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from placet.notices.structure import Entry, Section, fields, paragraphs
from placet.notices.wording import Wording
from placet.policy.model import Recipient, RecipientKind, RetentionRule

__all__ = [
    "complaints_section",
    "recipients_section",
    "requests_section",
    "retention_section",
    "rights_section",
    "transfers_section",
]


def recipients_section(wording: Wording) -> Section | None:
    """Who receives data, grouped by kind of recipient."""
    recipients = wording.policy.recipients
    if not recipients:
        return None
    groups = []
    for kind in RecipientKind:
        members = [recipient for recipient in recipients if recipient.kind is kind]
        if members:
            groups.append(_recipient_group(wording, kind, members))
    return Section(
        anchor="recipients", title=wording.phrase("heading.recipients"), subsections=tuple(groups)
    )


def _recipient_group(wording: Wording, kind: RecipientKind, members: list[Recipient]) -> Section:
    """The recipients of one kind under its heading (`Processors`).

    A recipient named like the heading itself (ipnordic's `Databehandlere`) is the group in
    its own words: its text opens the group instead of repeating the heading as a title.
    """
    heading = wording.phrase(f"recipient-kinds.{kind.value}")
    named_as_group = next(
        (member for member in members if _plain(wording.text(member.name)) == _plain(heading)),
        None,
    )
    opening = _recipient_entry(wording, named_as_group) if named_as_group else None
    return Section(
        anchor=f"recipients-{kind.value}",
        title=heading,
        paragraphs=opening.paragraphs if opening else (),
        fields=opening.fields if opening else (),
        entries=tuple(
            _recipient_entry(wording, member) for member in members if member is not named_as_group
        ),
    )


def _plain(name: str) -> str:
    """A name compared without case, spacing or a closing full stop: `državni organi`."""
    return " ".join(name.casefold().split()).rstrip(".")


def _recipient_entry(wording: Wording, recipient: Recipient) -> Entry:
    policy = wording.policy
    purposes = [policy.purpose(ident) for ident in recipient.purposes]
    return Entry(
        anchor=f"recipient-{recipient.id}",
        title=wording.text(recipient.name),
        paragraphs=paragraphs(wording.text(recipient.description)),
        fields=fields(
            [
                (wording.phrase("label.country"), wording.country(recipient.country)),
                (
                    wording.phrase("label.third-country"),
                    wording.phrase("document.yes") if recipient.third_country else "",
                ),
                (
                    wording.phrase("label.safeguard"),
                    wording.words(recipient.safeguard) if recipient.safeguard else "",
                ),
                (wording.phrase("label.legal-ground"), wording.text(recipient.legal_ground)),
                (wording.phrase("label.purposes"), wording.purpose_names(purposes)),
                (
                    wording.phrase("label.data-categories"),
                    wording.category_names(recipient.categories),
                ),
            ]
        ),
    )


def transfers_section(wording: Wording) -> Section | None:
    """Transfers to third countries and the safeguard of each (Art. 13(1)(f) GDPR)."""
    policy = wording.policy
    abroad = [recipient for recipient in policy.recipients if recipient.third_country]
    if policy.transfers is None and not abroad:
        return None
    said: list[str] = []
    safeguards = ""
    if policy.transfers is not None:
        occurs = "yes" if policy.transfers.occurs else "no"
        said = [wording.phrase(f"sentence.transfers-{occurs}")]
        said += paragraphs(wording.text(policy.transfers.description))
        safeguards = wording.listing(wording.words(item) for item in policy.transfers.safeguards)
    return Section(
        anchor="transfers",
        title=wording.phrase("heading.transfers"),
        paragraphs=tuple(said),
        fields=fields([(wording.phrase("label.safeguard"), safeguards)]),
        entries=tuple(
            Entry(
                anchor=f"transfer-{recipient.id}",
                title=wording.text(recipient.name),
                fields=fields(
                    [
                        (wording.phrase("label.country"), wording.country(recipient.country)),
                        (
                            wording.phrase("label.safeguard"),
                            wording.words(recipient.safeguard) if recipient.safeguard else "",
                        ),
                    ]
                ),
            )
            for recipient in abroad
        ),
    )


def retention_section(wording: Wording) -> Section | None:
    """How long each record type is kept, from which event, and what happens then."""
    rules = wording.policy.retention_rules
    if not rules:
        return None
    return Section(
        anchor="retention",
        title=wording.phrase("heading.retention"),
        entries=tuple(_retention_entry(wording, rule) for rule in rules),
    )


def _retention_entry(wording: Wording, rule: RetentionRule) -> Entry:
    exceptions = []
    for exception in rule.exceptions:
        sentence = wording.text(exception.description)
        if exception.legal_bases:
            bases = wording.listing(wording.words(basis) for basis in exception.legal_bases)
            sentence = f"{sentence} {wording.phrase('sentence.does-not-apply-to', bases=bases)}"
        exceptions.append(sentence.strip())
    return Entry(
        anchor=f"retention-{rule.id}",
        title=wording.text(rule.record_type),
        fields=fields(
            [
                (wording.phrase("label.period"), wording.retention_period(rule)),
                (wording.phrase("label.criteria"), wording.text(rule.criteria)),
                (wording.phrase("label.action"), wording.words(rule.action)),
                (wording.phrase("label.legal-ground"), wording.text(rule.legal_ground)),
                (wording.phrase("label.data-categories"), wording.category_names(rule.categories)),
                (wording.phrase("label.exceptions"), " ".join(exceptions)),
            ]
        ),
    )


def rights_section(wording: Wording) -> Section | None:
    """Each right of the subject, how to use it and its limits."""
    rights = wording.policy.rights
    if not rights:
        return None
    return Section(
        anchor="rights",
        title=wording.phrase("heading.rights"),
        entries=tuple(
            Entry(
                anchor=f"right-{right.kind.value}",
                title=wording.words(right.kind),
                paragraphs=paragraphs(wording.text(right.description)),
                fields=fields(
                    [
                        (
                            wording.phrase("label.how-to-use"),
                            wording.listing(wording.words(channel) for channel in right.channels),
                        ),
                        (wording.phrase("label.limits"), wording.text(right.limits)),
                    ]
                ),
            )
            for right in rights
        ),
    )


def requests_section(wording: Wording) -> Section | None:
    """How to make a request, how we identify you and by when we answer (Art. 12(3) GDPR)."""
    requests = wording.policy.requests
    if requests is None:
        return None
    return Section(
        anchor="requests",
        title=wording.phrase("heading.requests"),
        fields=fields(
            [
                (wording.phrase("label.identification"), wording.text(requests.identification)),
                *wording.contact(requests.contact),
                (wording.phrase("label.deadline"), wording.deadline(requests)),
            ]
        ),
    )


def complaints_section(wording: Wording) -> Section:
    """Where to complain: to the controller, and to the supervisory authority (Art. 77 GDPR)."""
    complaints = wording.policy.complaints
    authority = wording.policy.controller.supervisory_authority
    entries = []
    if complaints is not None:
        entries.append(
            Entry(
                anchor="complaints-controller",
                title=wording.phrase("label.to-controller"),
                fields=fields(wording.contact(complaints.to_controller)),
            )
        )
    entries.append(
        Entry(
            anchor="complaints-authority",
            title=f"{wording.phrase('label.authority')}: {wording.text(authority.name)}",
            fields=fields(
                [
                    (wording.phrase("label.address"), authority.address or ""),
                    (wording.phrase("label.email"), authority.email or ""),
                    (wording.phrase("label.phone"), authority.phone or ""),
                    (wording.phrase("label.web"), authority.web or ""),
                ]
            ),
        )
    )
    return Section(
        anchor="complaints",
        title=wording.phrase("heading.complaints"),
        paragraphs=paragraphs(wording.text(complaints.description if complaints else None)),
        entries=tuple(entries),
    )
