"""The printed copy of an access answer: the subject's rows and the facts owed, as HTML and PDF.

GDPR Art. 15(1) and (3): the copy holds every row the data map found for the subject, and
the purposes with their legal bases, categories, recipients, retention, sources, rights and
the complaint route, in the subject's language, with every event the consent ledger holds
about the subject (their choices), every disclosure of the subject's data the register
holds and the recipients told of a change to it (Art. 19). The HTML is
streamed batch by batch; the PDF, which WeasyPrint builds in memory, shows at most a set
number of rows per dataset. Imports nothing outside the standard library, markupsafe, the
notice's own rendering (Jinja2, WeasyPrint), `placet.policy`, `placet.ledger` and
`placet.disclosures`; the rows arrive as pyarrow record batches.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from markupsafe import Markup

from placet.disclosures import Agreement, Disclosure, RecipientNotification
from placet.ledger import LedgerEvent
from placet.notices.disclosed import (
    agreements_section,
    disclosures_section,
    notifications_section,
)
from placet.notices.duties import (
    complaints_section,
    recipients_section,
    retention_section,
    rights_section,
    transfers_section,
)
from placet.notices.notice import css_counter, pdf_from_html, template_environment
from placet.notices.phrases import PHRASES
from placet.notices.purposes import purpose_conditions, purpose_entry
from placet.notices.recorded import recorded_section
from placet.notices.sections import (
    automated_section,
    controller_section,
    data_section,
    sources_section,
)
from placet.notices.structure import Field, Section, fields
from placet.notices.wording import Wording
from placet.policy import CategoryFlag
from placet.policy.model import (
    Contact,
    DataCategory,
    DataSource,
    Policy,
    Purpose,
    Recipient,
    RetentionRule,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "AccessCopy",
    "CopiedDataset",
    "agreements_in_scope",
    "owed_facts",
    "write_printed_copy_html",
    "write_printed_copy_pdf",
]

log = logging.getLogger(__name__)

_FLUSH_AT = 1 << 14
"""Characters of HTML gathered before a write to the sink: few writes, little memory."""
_WIDE_FROM = 8
"""A dataset with this many columns or more is printed on landscape pages."""
_PORTRAIT_EM = 62.0
"""How wide a table a portrait page holds, in ems of its text: A4 less 18 mm margins is
about 65 ems of 7.5 pt, less a margin for the estimate's error (`_em`)."""
_NARROWEST_EM = 2.0
_WIDEST_EM = 18.0
"""The narrowest and widest a column's text is laid out (`_PrintedDataset.widths`): a value
twice as wide takes two lines."""
_PADDING_EM = 1.4
"""A cell's padding and borders: .4 rem each side of 7.5 pt text."""
_BOLD = 1.1
"""How much wider the headers' bold text is."""
_GLYPH_EM: Final = {
    **dict.fromkeys(" .,'`", 0.32),
    **dict.fromkeys(":;|!/", 0.34),
    **dict.fromkeys("ijlfrt", 0.35),
    **dict.fromkeys("-()[]", 0.39),
    **dict.fromkeys("mMwW", 0.95),
    **dict.fromkeys("+=<>~", 0.84),
    **dict.fromkeys("*_", 0.5),
}
"""DejaVu Sans's advance widths, in ems, of the glyphs far from the average (`_em`)."""


@dataclass(frozen=True, slots=True)
class CopiedDataset:
    """The rows of one dataset that concern the subject, as the access answer copies them."""

    dataset_id: str
    name: str
    """What the data map calls it (`Call detail records`); the id when it has no name."""
    system: str
    categories: tuple[str, ...]
    """The policy's data category ids of its columns."""
    source: str
    """Where its data comes from: subject, observed, third-party or public."""
    provenance: str
    """provided, observed or derived."""
    role: str
    """`own`: the subject's records; `other-party`: records naming the subject's number as
    the other party (the B-number of another subscriber's CDR)."""
    columns: tuple[str, ...]
    masked_columns: tuple[str, ...]
    """Columns whose values were masked: another party's number."""
    rows: Callable[[], Iterator[pa.RecordBatch]]
    """A re-readable stream of the rows, already masked, with the columns of `columns`."""
    row_count: int
    record_type: str = ""
    """The retention rule of the policy that governs the rows; '' when unknown."""


@dataclass(frozen=True, slots=True)
class AccessCopy:
    """Everything the printed copy of one access answer shows."""

    request_id: str
    subscriber: str
    language: str
    """One of the policy's languages: the subject's."""
    policy: Policy
    """The policy version in force when the copy is produced."""
    received_at: datetime
    produced_at: datetime
    datasets: tuple[CopiedDataset, ...]
    disclosures: tuple[Disclosure, ...] = ()
    """Every disclosure of the subject's data the register holds that the subject may be
    told of on the day (a confidentiality order keeps some back until a date)."""
    notifications: tuple[RecipientNotification, ...] = ()
    """The recipients told of a rectification, erasure or restriction (Art. 19)."""
    recorded: tuple[LedgerEvent, ...] = ()
    """Every event the consent ledger holds about the subject (`placet.notices.recorded`)."""
    agreements: tuple[Agreement, ...] = ()
    """The register's agreements in force: the companies behind the policy's recipients
    (those of the subject's data are shown)."""
    withheld: tuple[str, ...] = ()
    """The names of the datasets found and left out: a business customer's records of how
    its lines were used, which are their users' personal data."""


@dataclass(frozen=True, slots=True)
class _Scope:
    """The elements of the policy that concern the subject's data.

    An element concerns the subject when it names none of the policy's data categories or
    one the subject's datasets hold; with no datasets, every element does.
    """

    categories: tuple[DataCategory, ...]
    purposes: tuple[Purpose, ...]
    recipients: tuple[Recipient, ...]
    retention_rules: tuple[RetentionRule, ...]
    data_sources: tuple[DataSource, ...]


def _scope(policy: Policy, datasets: Sequence[CopiedDataset]) -> _Scope:
    held = {category for dataset in datasets for category in dataset.categories}
    record_types = {dataset.record_type for dataset in datasets}
    origins = {dataset.source for dataset in datasets}
    # Aggregates are counted from every customer's data, the subject's with it, though no
    # dataset of theirs holds the aggregate (ipnordic's business intelligence, shared with
    # Enreach as joint controller): the purposes and recipients of those concern them too.
    aggregated = {
        category.id
        for category in policy.data_categories
        if CategoryFlag.AGGREGATED in category.flags
    }

    def concerns(categories: Sequence[str]) -> bool:
        return not held or not categories or bool((held | aggregated) & set(categories))

    return _Scope(
        categories=tuple(item for item in policy.data_categories if item.id in held),
        purposes=tuple(item for item in policy.purposes if concerns(item.categories)),
        recipients=tuple(item for item in policy.recipients if concerns(item.categories)),
        retention_rules=tuple(
            rule
            for rule in policy.retention_rules
            if rule.id in record_types or concerns(rule.categories)
        ),
        data_sources=tuple(
            source for source in policy.data_sources if not origins or source.origin in origins
        ),
    )


def owed_facts(
    policy: Policy, language: str, datasets: Sequence[CopiedDataset]
) -> dict[str, object]:
    """The facts GDPR Art. 15(1)(a)-(h) and 15(2) owe the subject, in `language`, as JSON values.

    From the policy: the controller, the DPO, the purposes with their legal bases, the
    recipients, transfers, retention, rights, automated decisions and the complaint route;
    from the data map, through `datasets`: the categories and the sources of the subject's
    data. Each referenced value is `{"id": code, "name": words}`. Raises `PolicyError` for a
    language the policy lacks.
    """
    wording = Wording.of(policy, language)
    scope = _scope(policy, datasets)
    return {
        "language": language,
        "policy": {
            "id": policy.policy_id,
            "version": policy.version,
            "effective_from": policy.effective_from.isoformat(),
            "title": wording.text(policy.title),
        },
        "controller": _controller_facts(wording),
        "dpo": _contact_facts(wording, policy.controller.dpo),
        "purposes": [_purpose_facts(wording, purpose) for purpose in scope.purposes],
        "categories": [_category_facts(wording, item, datasets) for item in scope.categories],
        "recipients": [_recipient_facts(wording, item) for item in scope.recipients],
        "transfers": _transfer_facts(wording, scope),
        "retention": [_retention_facts(wording, rule, datasets) for rule in scope.retention_rules],
        "sources": [_source_facts(wording, dataset, scope) for dataset in datasets],
        "rights": [
            {
                "id": right.kind.value,
                "name": wording.words(right.kind),
                "description": wording.text(right.description),
                "channels": [_named(wording, channel) for channel in right.channels],
                "limits": wording.text(right.limits) or None,
            }
            for right in policy.rights
        ],
        "complaint": _complaint_facts(wording),
        "automated_decisions": _automated_facts(wording, scope),
    }


def _named(wording: Wording, value: StrEnum) -> dict[str, str]:
    """An enum value as its code and its words: `{"id": "consent", "name": "Pëlqimi"}`."""
    return {"id": value.value, "name": wording.words(value)}


def _category_ref(wording: Wording, ident: str) -> dict[str, str]:
    known = {category.id: category for category in wording.policy.data_categories}
    name = wording.text(known[ident].name) if ident in known else ident
    return {"id": ident, "name": name}


def _contact_facts(wording: Wording, contact: Contact) -> dict[str, object]:
    return {
        "name": contact.name,
        "role": wording.text(contact.role) or None,
        "emails": [email for email in (contact.email, *contact.other_emails) if email],
        "phone": contact.phone,
        "address": contact.address,
        "web": contact.web,
    }


def _controller_facts(wording: Wording) -> dict[str, object]:
    controller = wording.policy.controller
    return {
        "name": controller.legal_name,
        "short_name": controller.short_name,
        "address": controller.address,
        "country": {"id": controller.country, "name": wording.country(controller.country)},
        "registration": controller.registration,
        "email": controller.email,
        "phone": controller.phone,
        "web": controller.web,
    }


def _purpose_facts(wording: Wording, purpose: Purpose) -> dict[str, object]:
    return {
        "id": purpose.id,
        "name": wording.text(purpose.name),
        "description": wording.text(purpose.description),
        "legal_basis": _named(wording, purpose.legal_basis) if purpose.legal_basis else None,
        "legitimate_interest": wording.text(purpose.legitimate_interest) or None,
        "legal_ground": wording.text(purpose.legal_ground) or None,
        "categories": [_category_ref(wording, ident) for ident in purpose.categories],
        "conditions": list(purpose_conditions(wording, purpose)),
    }


def _category_facts(
    wording: Wording, category: DataCategory, datasets: Sequence[CopiedDataset]
) -> dict[str, object]:
    return {
        "id": category.id,
        "name": wording.text(category.name),
        "description": wording.text(category.description),
        "kinds": [_named(wording, flag) for flag in category.flags],
        "datasets": [item.dataset_id for item in datasets if category.id in item.categories],
    }


def _recipient_facts(wording: Wording, recipient: Recipient) -> dict[str, object]:
    country = recipient.country
    return {
        "id": recipient.id,
        "name": wording.text(recipient.name),
        "kind": _named(wording, recipient.kind),
        "description": wording.text(recipient.description),
        "country": {"id": country, "name": wording.country(country)} if country else None,
        "third_country": recipient.third_country,
        "safeguard": _named(wording, recipient.safeguard) if recipient.safeguard else None,
        "legal_ground": wording.text(recipient.legal_ground) or None,
        "categories": [_category_ref(wording, ident) for ident in recipient.categories],
    }


def _transfer_facts(wording: Wording, scope: _Scope) -> dict[str, object] | None:
    transfers = wording.policy.transfers
    abroad = [recipient.id for recipient in scope.recipients if recipient.third_country]
    if transfers is None:
        if not abroad:
            return None
        return {"occurs": True, "description": None, "safeguards": [], "recipients": abroad}
    return {
        "occurs": transfers.occurs,
        "description": wording.text(transfers.description),
        "safeguards": [_named(wording, item) for item in transfers.safeguards],
        "recipients": abroad,
    }


def _retention_facts(
    wording: Wording, rule: RetentionRule, datasets: Sequence[CopiedDataset]
) -> dict[str, object]:
    return {
        "id": rule.id,
        "record_type": wording.text(rule.record_type),
        "period": wording.retention_period(rule),
        "criteria": wording.text(rule.criteria) or None,
        "action": _named(wording, rule.action),
        "legal_ground": wording.text(rule.legal_ground) or None,
        "categories": [_category_ref(wording, ident) for ident in rule.categories],
        "datasets": [item.dataset_id for item in datasets if item.record_type == rule.id],
    }


def _source_facts(wording: Wording, dataset: CopiedDataset, scope: _Scope) -> dict[str, object]:
    return {
        "dataset": dataset.dataset_id,
        "name": dataset.name,
        "origin": {"id": dataset.source, "name": _words(wording, "origin", dataset.source)},
        "provenance": {
            "id": dataset.provenance,
            "name": _words(wording, "copy.provenance", dataset.provenance),
        },
        "described_as": [
            {"id": source.id, "name": wording.text(source.name)}
            for source in scope.data_sources
            if source.origin == dataset.source
        ],
    }


def _complaint_facts(wording: Wording) -> dict[str, object]:
    authority = wording.policy.controller.supervisory_authority
    complaints = wording.policy.complaints
    return {
        "authority": {
            "name": wording.text(authority.name),
            "address": authority.address,
            "email": authority.email,
            "phone": authority.phone,
            "web": authority.web,
        },
        "to_controller": _contact_facts(wording, complaints.to_controller) if complaints else None,
        "description": wording.text(complaints.description) if complaints else None,
    }


def _automated_facts(wording: Wording, scope: _Scope) -> dict[str, object] | None:
    automated = wording.policy.automated_decisions
    purposes = [
        purpose.id
        for purpose in scope.purposes
        if purpose.uses_profiling or purpose.uses_automated_decisions
    ]
    if automated is None:
        if not purposes:
            return None
        return {
            "used": None,
            "profiling": None,
            "description": None,
            "logic": None,
            "purposes": purposes,
        }
    return {
        "used": automated.used,
        "profiling": automated.profiling,
        "description": wording.text(automated.description),
        "logic": wording.text(automated.logic) or None,
        "purposes": purposes,
    }


def _words(wording: Wording, prefix: str, value: str) -> str:
    """A data map value in words (`origin.observed`), or the value itself when unknown."""
    key = f"{prefix}.{value}"
    return wording.phrase(key) if key in PHRASES else value


def write_printed_copy_html(copy: AccessCopy, sink: TextIO) -> int:
    """Stream the printed copy as one self-contained HTML page to `sink`; the rows written.

    The rows are read and written batch by batch as the template reaches them, so the page
    is never whole in memory, however many rows the answer has.
    """
    layout = _layout(copy, limit=None)
    _write(layout, sink)
    shown = sum(dataset.shown for dataset in layout.datasets)
    log.info(
        "printed copy written",
        extra={"request": copy.request_id, "language": copy.language, "rows": shown},
    )
    return shown


def write_printed_copy_pdf(
    copy: AccessCopy, path: Path, *, max_rows_per_dataset: int = 2000
) -> int:
    """Print the copy as a PDF at `path`; the rows it shows.

    WeasyPrint lays the whole document out in memory, so each dataset shows at most
    `max_rows_per_dataset` rows, and says how many more it has and that every row is in the
    JSON and CSV files of the answer. Needs the `pdf` extra.
    """
    layout = _layout(copy, limit=max(max_rows_per_dataset, 0))
    page = io.StringIO()
    _write(layout, page)
    Path(path).write_bytes(pdf_from_html(page.getvalue()))
    shown = sum(dataset.shown for dataset in layout.datasets)
    log.info(
        "printed copy printed",
        extra={"request": copy.request_id, "language": copy.language, "rows": shown},
    )
    return shown


def _write(layout: _Layout, sink: TextIO) -> None:
    template = template_environment().get_template("printed-copy.html")
    pending: list[str] = []
    size = 0
    for chunk in template.generate(copy=layout):
        pending.append(chunk)
        size += len(chunk)
        if size >= _FLUSH_AT:
            sink.write("".join(pending))
            pending.clear()
            size = 0
    sink.write("".join(pending))


@dataclass(frozen=True, slots=True)
class _Layout:
    """The printed copy in one language, as the template lays it out."""

    language: str
    title: str
    document_title: str
    subtitle: str
    intro: str
    controller_name: str
    cover: tuple[Field, ...]
    contents_label: str
    facts_title: str
    facts_intro: str
    sections: tuple[Section, ...]
    data_title: str
    data_intro: str
    datasets: tuple[_PrintedDataset, ...]
    masked_mark: str
    page_counter: Markup
    """The PDF footer: `Page {page} of {pages}` with the page counters in place."""
    request_mark: Markup
    """The PDF footer's other corner: the request number, for loose pages."""


def _layout(copy: AccessCopy, limit: int | None) -> _Layout:
    wording = Wording.of(copy.policy, copy.language)
    policy = copy.policy
    title = wording.phrase("copy.title")
    version = wording.phrase(
        "document.version", version=policy.version, date=wording.date(policy.effective_from)
    )
    cover = fields(
        [
            (wording.phrase("label.controller"), policy.controller.legal_name),
            (wording.phrase("copy.label.subscriber"), copy.subscriber),
            (wording.phrase("copy.label.request"), copy.request_id),
            (wording.phrase("copy.label.received"), _instant(wording, copy.received_at)),
            (wording.phrase("copy.label.produced"), _instant(wording, copy.produced_at)),
            (wording.phrase("copy.label.policy"), f"{wording.text(policy.title)}. {version}"),
        ]
    )
    request = f"{wording.phrase('copy.label.request')}: {copy.request_id}"
    sections = _fact_sections(wording, copy)
    return _Layout(
        language=copy.language,
        title=title,
        document_title=f"{title} – {policy.controller.short_name}",
        subtitle=wording.phrase("copy.subtitle"),
        intro=wording.phrase("copy.intro"),
        controller_name=policy.controller.legal_name,
        cover=cover,
        contents_label=wording.phrase("document.contents"),
        facts_title=wording.phrase("copy.heading.facts"),
        facts_intro=wording.phrase("copy.facts-intro"),
        sections=tuple(section for section in sections if section is not None),
        data_title=wording.phrase("copy.heading.data"),
        data_intro=wording.phrase("copy.data-intro" if copy.datasets else "copy.no-data"),
        datasets=tuple(_PrintedDataset.of(wording, item, limit) for item in copy.datasets),
        masked_mark=wording.phrase("copy.masked-mark"),
        page_counter=css_counter(wording.phrase("document.page", page="{page}", pages="{pages}")),
        request_mark=css_counter(request),
    )


def _fact_sections(wording: Wording, copy: AccessCopy) -> Iterator[Section | None]:
    """The owed facts as the notice's own sections, narrowed to what concerns the subject,
    with the disclosures of their data and the recipients told of a change."""
    datasets = copy.datasets
    scope = _scope(wording.policy, datasets)

    def narrowed(**elements: Sequence[object]) -> Wording:
        update = {name: list(items) for name, items in elements.items()}
        return Wording(wording.policy.model_copy(update=update), wording.language)

    yield controller_section(wording)
    yield Section(
        anchor="purposes",
        title=wording.phrase("heading.purposes"),
        entries=tuple(purpose_entry(wording, purpose) for purpose in scope.purposes),
    )
    if scope.categories:
        held = data_section(narrowed(data_categories=scope.categories))
        yield replace(held, title=wording.phrase("copy.heading.categories"))
    yield _sources_section(narrowed(data_sources=scope.data_sources), datasets)
    receiving = narrowed(recipients=scope.recipients)
    yield recipients_section(receiving)
    yield transfers_section(receiving)
    yield agreements_section(wording, _in_scope(copy.agreements, scope.recipients))
    yield _withheld_section(wording, copy.withheld)
    yield recorded_section(wording, copy.recorded)
    yield disclosures_section(wording, copy.disclosures)
    yield notifications_section(wording, copy.notifications)
    yield retention_section(narrowed(retention_rules=scope.retention_rules))
    yield automated_section(narrowed(purposes=scope.purposes))
    yield rights_section(wording)
    yield complaints_section(wording)


def agreements_in_scope(copy: AccessCopy) -> tuple[Agreement, ...]:
    """The agreements of `copy` whose recipients concern the subject's data, as the copy's
    own section shows them (and `answer.json` lists them)."""
    return _in_scope(copy.agreements, _scope(copy.policy, copy.datasets).recipients)


def _in_scope(
    agreements: Sequence[Agreement], recipients: Sequence[Recipient]
) -> tuple[Agreement, ...]:
    """The agreements of the recipients that concern the subject's data."""
    named = {recipient.id for recipient in recipients}
    return tuple(agreement for agreement in agreements if agreement.recipient in named)


def _withheld_section(wording: Wording, withheld: Sequence[str]) -> Section | None:
    """'What this copy leaves out', and why; None when it leaves out nothing."""
    if not withheld:
        return None
    return Section(
        anchor="withheld",
        title=wording.phrase("copy.heading.withheld"),
        paragraphs=(wording.phrase("copy.withheld-intro"), wording.listing(withheld)),
    )


def _sources_section(wording: Wording, datasets: Sequence[CopiedDataset]) -> Section | None:
    """Where the subject's data comes from (Art. 15(1)(g)): each dataset, then the policy."""
    described = sources_section(wording)
    if not datasets and described is None:
        return None
    return Section(
        anchor="sources",
        title=wording.phrase("heading.sources"),
        paragraphs=(wording.phrase("copy.sources-intro"),) if datasets else (),
        fields=fields(
            (
                _dataset_title(wording, dataset),
                f"{_words(wording, 'origin', dataset.source)} "
                f"({_words(wording, 'copy.provenance', dataset.provenance)})",
            )
            for dataset in datasets
        ),
        entries=described.entries if described is not None else (),
    )


@dataclass(slots=True)
class _PrintedDataset:
    """One dataset's part of the copy; counts the rows it shows as the template reads them."""

    source: CopiedDataset
    anchor: str
    title: str
    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    headers: tuple[tuple[Markup, bool], ...]
    """Each column's name, and whether its values are masked."""
    limit: int | None
    wording: Wording
    shown: int = 0
    first: list[tuple[str, ...]] | None = field(default=None, init=False, repr=False)
    """The first batch's rows as text, once read (`widths` reads them before the rows)."""
    stream: Iterator[pa.RecordBatch] | None = field(default=None, init=False, repr=False)
    natural: tuple[float, ...] | None = field(default=None, init=False, repr=False)

    @classmethod
    def of(cls, wording: Wording, dataset: CopiedDataset, limit: int | None) -> _PrintedDataset:
        categories = [_category_ref(wording, ident)["name"] for ident in dataset.categories]
        notes = []
        if dataset.role == "other-party":
            notes.append(wording.phrase("copy.other-party"))
        if dataset.masked_columns:
            masked = ", ".join(dataset.masked_columns)
            notes.append(wording.phrase("copy.masked", columns=masked))
        masked_columns = set(dataset.masked_columns)
        return cls(
            source=dataset,
            anchor=f"dataset-{dataset.dataset_id}"
            + ("-other-party" if dataset.role == "other-party" else ""),
            title=_dataset_title(wording, dataset),
            fields=fields(
                [
                    (wording.phrase("copy.label.dataset"), dataset.dataset_id),
                    (wording.phrase("copy.label.system"), dataset.system),
                    (wording.phrase("copy.label.contents"), wording.listing(categories)),
                    (wording.phrase("label.origin"), _words(wording, "origin", dataset.source)),
                    (
                        wording.phrase("copy.label.provenance"),
                        _words(wording, "copy.provenance", dataset.provenance),
                    ),
                    (wording.phrase("copy.label.rows"), str(dataset.row_count)),
                ]
            ),
            notes=tuple(notes),
            headers=tuple(
                (_breakable(column), column in masked_columns) for column in dataset.columns
            ),
            limit=limit,
            wording=wording,
        )

    @property
    def is_wide(self) -> bool:
        """Whether it is printed on landscape pages: it has `_WIDE_FROM` columns or more, or
        its columns' text is wider than a portrait page (`_PORTRAIT_EM`)."""
        return len(self.source.columns) >= _WIDE_FROM or sum(self._natural()) > _PORTRAIT_EM

    def widths(self) -> tuple[str, ...]:
        """Each column's share of the table's width, as CSS (`"18.5%"`), in proportion to the
        width of its text: its header's widest unbreakable part, or its widest value among
        the first rows, whichever is wider, up to `_WIDEST_EM`. With them the PDF lays tables
        out at fixed widths: letting WeasyPrint measure every cell for an automatic layout
        took a third of a copy's time, and still broke numbers across lines."""
        natural = self._natural()
        total = sum(natural)
        return tuple(f"{100 * width / total:.1f}%" for width in natural)

    def _natural(self) -> tuple[float, ...]:
        """Each column's width in ems of its text, padding included, read once."""
        if self.natural is None:
            first = self._first_rows()
            masked = set(self.source.masked_columns)
            widths = []
            for index, column in enumerate(self.source.columns):
                header = max(_em(part) for part in _unbreakable_parts(column)) * _BOLD
                mono = column in masked
                text = max((_em(row[index], mono=mono) for row in first), default=0.0)
                widths.append(max(_NARROWEST_EM, header, min(text, _WIDEST_EM)) + _PADDING_EM)
            self.natural = tuple(widths)
        return self.natural

    def batches(self) -> Iterator[list[tuple[str, ...]]]:
        """The rows as text, one list per record batch read, up to the limit."""
        first = self._first_rows()
        if first:
            yield first
        try:
            while not self._full():
                rows = self._next_rows()
                if rows is None:
                    break
                yield rows
        finally:
            self._close()

    def _first_rows(self) -> list[tuple[str, ...]]:
        """The first rows, read once (for `widths`) and shown first by `batches`."""
        if self.first is None:
            self.first = [] if self._full() else (self._next_rows() or [])
        return self.first

    def _full(self) -> bool:
        return self.limit is not None and self.shown >= self.limit

    def _next_rows(self) -> list[tuple[str, ...]] | None:
        """The next batch that has rows, as text; None at the end of the stream."""
        for batch in self._stream():
            if batch.num_rows:
                return self._rows(batch)
        return None

    def _stream(self) -> Iterator[pa.RecordBatch]:
        if self.stream is None:
            self.stream = iter(self.source.rows())
        return self.stream

    def _rows(self, batch: pa.RecordBatch) -> list[tuple[str, ...]]:
        """A batch's rows as text, as many as the limit leaves room for; counted as shown."""
        room = batch.num_rows
        if self.limit is not None:
            room = min(room, self.limit - self.shown)
        yes, no = self.wording.phrase("document.yes"), self.wording.phrase("copy.no")
        values = [batch.column(name).slice(0, room).to_pylist() for name in self.source.columns]
        self.shown += room
        return [tuple(_cell(value, yes, no) for value in row) for row in zip(*values, strict=True)]

    def _close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()

    def after_rows(self) -> tuple[str, ...]:
        """What the table leaves out, said once its rows are written."""
        if self.shown == 0 and self.source.row_count == 0:
            return (self.wording.phrase("copy.no-rows"),)
        left_out = self.source.row_count - self.shown
        if self.limit is None or left_out <= 0:
            return ()
        note = self.wording.phrase(
            "copy.rows-left-out", shown=self.shown, total=self.source.row_count, more=left_out
        )
        return (note,)


def _dataset_title(wording: Wording, dataset: CopiedDataset) -> str:
    """`Call detail records`, or `Call detail records (where you are the other party)`."""
    name = dataset.name or dataset.dataset_id
    if dataset.role == "other-party":
        return f"{name} ({wording.phrase('copy.role.other-party')})"
    return name


def _em(text: str, *, mono: bool = False) -> float:
    """About how wide `text` is set in DejaVu Sans (or its Mono, for masked values), in ems:
    digits 0.64, capitals 0.70, other letters 0.57, the narrow and wide glyphs by
    `_GLYPH_EM`. An estimate for column widths, not a measurement."""
    if mono:
        return 0.61 * len(text)
    return sum(
        _GLYPH_EM.get(glyph) or (0.64 if glyph.isdigit() else 0.70 if glyph.isupper() else 0.57)
        for glyph in text
    )


def _breakable(column: str) -> Markup:
    """A column name that a narrow table header may wrap after its underscores, not mid-word."""
    return Markup.escape(column).replace("_", Markup("_<wbr>"))


def _unbreakable_parts(column: str) -> list[str]:
    """The parts of a column name that `_breakable` lets its header wrap between:
    `duration_s` is `duration_` and `s`."""
    return column.replace("_", "_\0").split("\0")


def _instant(wording: Wording, at: datetime) -> str:
    """`4 March 2025, 09:30 UTC`, in the copy's language."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return wording.phrase("copy.datetime", date=wording.date(at.date()), time=f"{at:%H:%M}")


def _cell(value: object, yes: str, no: str) -> str:
    """A stored value as the printed table shows it; '' for a missing one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, datetime):
        precision = "seconds" if value.microsecond == 0 else "auto"
        if value.tzinfo is None:
            return value.isoformat(sep=" ", timespec=precision)
        utc = value.astimezone(UTC).replace(tzinfo=None)
        return f"{utc.isoformat(sep=' ', timespec=precision)} UTC"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
