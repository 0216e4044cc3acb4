"""The sections of a notice about the controller, the data and the subject's choices.

Each function builds one section from its policy element, or returns None when the policy
has nothing to say there. Recipients, retention and rights are in `placet.notices.duties`.
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from placet.notices.structure import Entry, Section, fields, paragraphs
from placet.notices.wording import Wording
from placet.policy.model import DataCategory

__all__ = [
    "automated_section",
    "consent_section",
    "controller_section",
    "cookies_section",
    "data_section",
    "minors_section",
    "provision_section",
    "sources_section",
    "subjects_section",
]


def controller_section(wording: Wording) -> Section:
    """Who we are: the controller, its owner, address and contacts, then the DPO."""
    controller = wording.policy.controller
    intro = wording.phrase(
        "sentence.controller", legal_name=controller.legal_name, short_name=controller.short_name
    )
    dpo = Section(
        anchor="dpo",
        title=wording.phrase("heading.dpo"),
        fields=fields(wording.contact(controller.dpo)),
    )
    return Section(
        anchor="controller",
        title=wording.phrase("heading.controller"),
        paragraphs=(intro, *paragraphs(wording.text(controller.description))),
        fields=fields(
            [
                (wording.phrase("label.controller"), controller.legal_name),
                (wording.phrase("label.owner"), controller.owner or ""),
                (wording.phrase("label.address"), controller.address),
                (wording.phrase("label.registration"), controller.registration or ""),
                (wording.phrase("label.email"), controller.email or ""),
                (wording.phrase("label.phone"), controller.phone or ""),
                (wording.phrase("label.web"), controller.web or ""),
            ]
        ),
        subsections=(dpo,),
    )


def subjects_section(wording: Wording) -> Section | None:
    """Whose data the policy is about: each subject type with its description (IPKO's
    says a person the subscriber lets use the services may give consent within them,
    002#29; ipnordic's that an employee's data comes via the employer). None for none."""
    kinds = wording.policy.subject_types
    if not kinds:
        return None
    return Section(
        anchor="subjects",
        title=wording.phrase("heading.subjects"),
        entries=tuple(
            Entry(
                anchor=f"subjects-{kind.id}",
                title=wording.text(kind.name),
                paragraphs=paragraphs(wording.text(kind.description)),
            )
            for kind in kinds
        ),
    )


def data_section(wording: Wording) -> Section:
    """What data we process: each data category with its flags in words."""
    return Section(
        anchor="data",
        title=wording.phrase("heading.data"),
        entries=tuple(
            _category_entry(wording, category) for category in wording.policy.data_categories
        ),
    )


def _category_entry(wording: Wording, category: DataCategory) -> Entry:
    return Entry(
        anchor=f"data-{category.id}",
        title=wording.text(category.name),
        paragraphs=paragraphs(wording.text(category.description)),
        fields=fields(
            [
                (
                    wording.phrase("label.kind-of-data"),
                    wording.listing(wording.words(flag) for flag in category.flags),
                ),
                (wording.phrase("label.examples"), wording.text(category.examples)),
            ]
        ),
    )


def sources_section(wording: Wording) -> Section | None:
    """Where the data comes from (Art. 14(2)(f) GDPR)."""
    sources = wording.policy.data_sources
    if not sources:
        return None
    return Section(
        anchor="sources",
        title=wording.phrase("heading.sources"),
        entries=tuple(
            Entry(
                anchor=f"source-{source.id}",
                title=wording.text(source.name),
                paragraphs=paragraphs(wording.text(source.description)),
                fields=fields(
                    [(wording.phrase("label.origin"), wording.phrase(f"origin.{source.origin}"))]
                ),
            )
            for source in sources
        ),
    )


def consent_section(wording: Wording) -> Section | None:
    """The consent options a subject can choose, with their channels and how to withdraw."""
    policy = wording.policy
    if not policy.consent_options:
        return None
    entries = []
    for option in policy.consent_options:
        purposes = [policy.purpose(ident) for ident in option.purposes]
        entries.append(
            Entry(
                anchor=f"consent-{option.id}",
                title=wording.text(option.name),
                paragraphs=paragraphs(wording.text(option.description)),
                fields=fields(
                    [
                        (wording.phrase("label.statement"), wording.text(option.statement)),
                        (wording.phrase("label.covers"), wording.purpose_names(purposes)),
                        (
                            wording.phrase("label.channels"),
                            wording.listing(wording.words(channel) for channel in option.channels),
                        ),
                        (
                            wording.phrase("label.categories"),
                            wording.category_names(option.categories),
                        ),
                        (
                            wording.phrase("label.withdraw"),
                            wording.listing(
                                wording.words(channel) for channel in option.withdrawal_channels
                            ),
                        ),
                    ]
                ),
            )
        )
    return Section(
        anchor="consent",
        title=wording.phrase("heading.consent"),
        paragraphs=(wording.phrase("sentence.withdraw-any-time"),),
        entries=tuple(entries),
    )


def automated_section(wording: Wording) -> Section | None:
    """Automated decisions and profiling (Art. 13(2)(f) GDPR)."""
    policy = wording.policy
    automated = policy.automated_decisions
    purposes = [
        purpose
        for purpose in policy.purposes
        if purpose.uses_profiling or purpose.uses_automated_decisions
    ]
    if automated is None and not purposes:
        return None
    said: list[str] = []
    logic = ""
    if automated is not None:
        said.append(wording.phrase("sentence.automated-" + ("yes" if automated.used else "no")))
        said.append(
            wording.phrase("sentence.profiling-" + ("yes" if automated.profiling else "no"))
        )
        said += paragraphs(wording.text(automated.description))
        logic = wording.text(automated.logic)
    return Section(
        anchor="automated-decisions",
        title=wording.phrase("heading.automated"),
        paragraphs=tuple(said),
        fields=fields(
            [
                (wording.phrase("label.logic"), logic),
                (wording.phrase("label.automated-purposes"), wording.purpose_names(purposes)),
            ]
        ),
    )


def provision_section(wording: Wording) -> Section | None:
    """What happens if the subject does not provide data (Art. 13(2)(e) GDPR): the policy's
    own text, and the purposes for which the data asked for are needed. Not a list of data
    categories: those purposes' categories include data the network records and nobody is
    asked for, and neither reference text lists what must be given (IPKO 002#106: it is
    named in the contract)."""
    policy = wording.policy
    required = [purpose for purpose in policy.purposes if purpose.required_for_contract]
    if policy.provision_requirement is None and not required:
        return None
    return Section(
        anchor="provision",
        title=wording.phrase("heading.provision"),
        paragraphs=paragraphs(wording.text(policy.provision_requirement)),
        fields=fields(
            [(wording.phrase("label.required-purposes"), wording.purpose_names(required))]
        ),
    )


def cookies_section(wording: Wording) -> Section | None:
    """Cookies: what they are, their categories and what the banner asks."""
    cookies = wording.policy.cookies
    if cookies is None:
        return None
    entries = [
        Entry(
            anchor=f"cookies-{category.id}",
            title=wording.text(category.name),
            paragraphs=paragraphs(wording.text(category.description)),
            fields=fields(
                [(wording.phrase("label.cookie-purposes"), wording.text(category.purposes))]
            ),
            notes=(wording.phrase("sentence.necessary-cookie"),) if category.necessary else (),
        )
        for category in cookies.categories
    ]
    if cookies.banner is not None:
        banner = cookies.banner
        entries.append(
            Entry(
                anchor="cookies-banner",
                title=wording.phrase("label.banner"),
                paragraphs=paragraphs(wording.text(banner.text)),
                fields=fields(
                    [
                        (wording.phrase("label.accept"), wording.text(banner.accept_label)),
                        (wording.phrase("label.reject"), wording.text(banner.reject_label)),
                        (wording.phrase("label.more"), wording.text(banner.more_label)),
                    ]
                ),
                kind="banner",
            )
        )
    return Section(
        anchor="cookies",
        title=wording.phrase("heading.cookies"),
        paragraphs=paragraphs(wording.text(cookies.description)),
        fields=fields([(wording.phrase("label.legal-basis"), wording.words(cookies.legal_basis))]),
        entries=tuple(entries),
    )


def minors_section(wording: Wording) -> Section | None:
    """Children: below which age a subject is a minor for this controller, and what follows."""
    minors = wording.policy.minors
    if minors is None:
        return None
    return Section(
        anchor="children",
        title=wording.phrase("heading.minors"),
        paragraphs=(
            wording.phrase("sentence.minors", age=minors.age_below),
            *paragraphs(wording.text(minors.description)),
        ),
    )
