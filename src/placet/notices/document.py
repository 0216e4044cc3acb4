"""The notice as a document in one language: sections, entries and fields built from the policy.

Every text comes from a policy element or the phrase table, never from pasted prose; the
templates only lay this structure out as HTML or Markdown.
Imports nothing outside the standard library, `placet.errors` and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from placet.notices.duties import (
    complaints_section,
    recipients_section,
    requests_section,
    retention_section,
    rights_section,
    transfers_section,
)
from placet.notices.provenance import translation_line
from placet.notices.purposes import purpose_entry
from placet.notices.sections import (
    automated_section,
    consent_section,
    controller_section,
    cookies_section,
    data_section,
    minors_section,
    provision_section,
    sources_section,
    subjects_section,
)
from placet.notices.structure import Section, paragraphs
from placet.notices.wording import Wording
from placet.policy.model import Policy

__all__ = ["Notice", "build_notice"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A privacy notice in one language, ready to lay out."""

    language: str
    title: str
    document_title: str
    """The title of the HTML page and the PDF: `title`, naming the controller if it does not."""
    summary: tuple[str, ...]
    controller_name: str
    version_line: str
    translation_line: str
    """How many texts are translations made for Placet; '' when none are."""
    contents_label: str
    skip_label: str
    page_label: str
    """`Page {page} of {pages}`, with the placeholders left for the PDF footer."""
    sections: tuple[Section, ...]


def build_notice(policy: Policy, language: str) -> Notice:
    """The notice of `policy` in `language`; raises `PolicyError` for a language it lacks."""
    wording = Wording.of(policy, language)
    title = wording.text(policy.title)
    return Notice(
        language=language,
        title=title,
        document_title=_document_title(title, policy.controller.short_name),
        summary=paragraphs(wording.text(policy.summary)),
        controller_name=policy.controller.legal_name,
        version_line=_version_line(wording),
        translation_line=translation_line(wording),
        contents_label=wording.phrase("document.contents"),
        skip_label=wording.phrase("document.skip"),
        page_label=wording.phrase("document.page", page="{page}", pages="{pages}"),
        sections=tuple(section for section in _sections(wording) if section is not None),
    )


def _sections(wording: Wording) -> Iterable[Section | None]:
    policy = wording.policy
    yield controller_section(wording)
    yield _law_section(wording)
    yield subjects_section(wording)
    yield data_section(wording)
    yield sources_section(wording)
    yield Section(
        anchor="purposes",
        title=wording.phrase("heading.purposes"),
        entries=tuple(purpose_entry(wording, purpose) for purpose in policy.purposes),
    )
    yield consent_section(wording)
    yield automated_section(wording)
    yield recipients_section(wording)
    yield transfers_section(wording)
    yield retention_section(wording)
    yield rights_section(wording)
    yield requests_section(wording)
    yield complaints_section(wording)
    yield provision_section(wording)
    if policy.security:
        yield _prose_section(wording, "security", "heading.security", policy.security)
    yield cookies_section(wording)
    yield minors_section(wording)
    for extra in policy.sections:
        yield Section(
            anchor=f"section-{extra.id}",
            title=wording.text(extra.title),
            paragraphs=paragraphs(wording.text(extra.body)),
        )
    yield Section(
        anchor="version",
        title=wording.phrase("heading.version"),
        paragraphs=tuple(
            line for line in (_version_line(wording), translation_line(wording)) if line
        ),
    )


def _document_title(title: str, short_name: str) -> str:
    """`Privatlivspolitik – ipnordic`: a browser tab or a PDF reader shows whose policy it is."""
    if short_name.casefold() in title.casefold():
        return title
    return f"{title} – {short_name}"


def _law_section(wording: Wording) -> Section:
    jurisdiction = wording.policy.controller.jurisdiction
    return _prose_section(wording, "law", "heading.law", jurisdiction)


def _prose_section(wording: Wording, anchor: str, heading: str, body: dict[str, str]) -> Section:
    return Section(
        anchor=anchor, title=wording.phrase(heading), paragraphs=paragraphs(wording.text(body))
    )


def _version_line(wording: Wording) -> str:
    policy = wording.policy
    line = wording.phrase(
        "document.version", version=policy.version, date=wording.date(policy.effective_from)
    )
    if policy.effective_until is not None:
        until = wording.phrase("document.version-until", date=wording.date(policy.effective_until))
        line = f"{line} {until}"
    return line
