"""The answers Placet writes to a subscriber's request: the access answer (with its printed
copy) and the portability package. Rows are streamed from the stores into each file, a
batch at a time: an answer of millions of rows holds one batch in memory (the PDF alone
shows a capped number of rows per dataset, and says where the rest are).

An access answer is a folder (made readable by its owner only) holding:

- `answer.json`: the request, the facts the policy owes the subject (`owed_facts`), the
  disclosures of their data the register holds (`disclosures`, less those a confidentiality
  order still keeps from them), the recipients told of a change to it
  (`recipients_notified`, GDPR Art. 19) and every dataset's rows, in one JSON document;
- `data/<dataset>.csv` (and `data/<dataset>.other-party.csv`): the rows of each dataset;
- `printed-copy.html` and `printed-copy.pdf`: the human-readable copy;
- `manifest.json`: every file with its size, SHA-256 and rows;
- `answer.zip`: all of the above, the file handed to the subscriber.

A portability package (Art. 20) is one zip: the data the subscriber provided and the data
observed from their use (datasets whose provenance is `provided` or `observed`, their own
records only: records where they are the other party are another subscriber's, Art. 20(4)),
each dataset as JSON and CSV, with a manifest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import orjson
from typing_extensions import Buffer

from placet.datamap import Provenance
from placet.disclosures import Agreement, Disclosure, RecipientNotification
from placet.errors import RequestError
from placet.ledger import EventType, LedgerEvent
from placet.notices import (
    AccessCopy,
    CopiedDataset,
    owed_facts,
    write_printed_copy_html,
    write_printed_copy_pdf,
)
from placet.notices.disclosed import agreement_facts, disclosure_facts, notification_facts
from placet.notices.printed_copy import agreements_in_scope
from placet.notices.recorded import RECORDED_COLUMNS, recorded_facts, recorded_rows
from placet.notices.wording import Wording
from placet.operations.subject_data import Role, SubjectData, SubjectRows
from placet.policy import Policy
from placet.stores.export import BinarySink, ExportFormat, json_rows, write_batches

__all__ = [
    "ACCESS_FORMAT",
    "PDF_ROWS_PER_DATASET",
    "PORTABILITY_FORMAT",
    "PRINTED_COPY_ROWS_PER_DATASET",
    "AnswerFile",
    "WrittenAnswer",
    "write_access_answer",
    "write_portability_package",
]

ACCESS_FORMAT: Final = "placet-access-answer/1"
PORTABILITY_FORMAT: Final = "placet-portability/1"
PDF_ROWS_PER_DATASET: Final = 100
"""Rows of each dataset the PDF of an access answer shows: WeasyPrint lays a table out at
about 10 ms a row on a 2-core VM, so a copy of every CDR would take minutes and hundreds of
pages. The rest are in the answer's JSON and CSV files, as the PDF says."""
PRINTED_COPY_ROWS_PER_DATASET: Final = 2_000
"""Rows of each dataset the PDF shows when the subject asked for a printed copy itself
(IPKO 002: "štampanu kopiju"): paper is what they asked for, so twenty times as many, the
printed copy's own default (`write_printed_copy_pdf`); still capped, since a year of CDRs
can run to hundreds of thousands of rows, and the PDF says where the rest are."""
_PORTABLE: Final = frozenset({Provenance.PROVIDED, Provenance.OBSERVED})
_JSON: Final = orjson.OPT_UTC_Z | orjson.OPT_INDENT_2
RECORDED_FILE: Final = "ledger-events"
"""The file (`data/ledger-events.csv`) and `rows` key of the consent ledger's events."""
_CHOICES: Final = frozenset(
    {
        EventType.CONSENT_GIVEN,
        EventType.CONSENT_WITHDRAWN,
        EventType.OBJECTION_MADE,
        EventType.OBJECTION_WITHDRAWN,
        EventType.BUSINESS_OPT_OUT_MADE,
        EventType.BUSINESS_OPT_OUT_ENDED,
    }
)
"""The events that are the subject's own choices: data they provided (Art. 20(1))."""


@dataclass(frozen=True, slots=True)
class AnswerFile:
    """One file of an answer, as the manifest lists it."""

    name: str
    """Its path inside the answer (`data/cdrs.csv`)."""
    bytes: int
    sha256: str
    rows: int | None = None
    """The rows it holds, for a file of one dataset's rows."""


@dataclass(frozen=True, slots=True)
class WrittenAnswer:
    """An answer as written: where it is, the file to hand over, and what it holds."""

    folder: Path
    deliverable: Path
    """The file handed to the subscriber (`answer.zip`, `portability.zip`)."""
    files: tuple[AnswerFile, ...]
    rows: dict[str, int]
    """The rows of each dataset in the answer, by its file name (`cdrs.other-party`)."""
    sha256: str
    """The deliverable's SHA-256, recorded with the request."""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def write_access_answer(
    data: SubjectData,
    policy: Policy,
    folder: Path,
    *,
    request_id: str,
    language: str,
    received_at: datetime,
    produced_at: datetime,
    disclosures: Sequence[Disclosure] = (),
    notifications: Sequence[RecipientNotification] = (),
    recorded: Sequence[LedgerEvent] = (),
    agreements: Sequence[Agreement] = (),
    pdf_rows_per_dataset: int = PDF_ROWS_PER_DATASET,
) -> WrittenAnswer:
    """Write the access answer to `data`'s subscriber into `folder` (made if missing; an
    earlier answer there is replaced only once the new one is complete). `disclosures` and
    `notifications` are what the register lets the subject be told of
    (`placet.operations.disclosures.subject_disclosures`); `recorded`, every event the
    consent ledger holds about the subject (`data/ledger-events.csv` and the copy)."""
    _check_language(policy, language)
    staging = _staging(folder)
    rows: dict[str, int] = {}
    counted = [(found, found.count()) for found in data.found]
    copy = AccessCopy(
        request_id=request_id,
        subscriber=data.subscriber,
        language=language,
        policy=policy,
        received_at=received_at,
        produced_at=produced_at,
        datasets=tuple(_copied(found, count) for found, count in counted if count),
        disclosures=tuple(disclosures),
        notifications=tuple(notifications),
        recorded=tuple(recorded),
        agreements=tuple(agreements),
        withheld=tuple(rows.dataset.name or rows.dataset.id for rows in data.withheld),
    )
    files: list[AnswerFile] = []
    with _HashedFile(staging / "answer.json") as sink:
        _write_answer_json(sink, copy, counted, data, rows)
    files.append(sink.entry("answer.json"))
    (staging / "data").mkdir()
    for found, count in counted:
        if not count:
            continue
        name = f"data/{found.name}.csv"
        with _HashedFile(staging / name) as sink:
            written = sum(write_batches(sink, found.batches(), ExportFormat.CSV))
        files.append(sink.entry(name, rows=written))
    if copy.recorded:
        files.append(_write_recorded(staging, copy, rows))
    with (staging / "printed-copy.html").open("x", encoding="utf-8") as text:
        write_printed_copy_html(copy, text)
    files.append(_entry_of(staging, "printed-copy.html"))
    write_printed_copy_pdf(
        copy, staging / "printed-copy.pdf", max_rows_per_dataset=pdf_rows_per_dataset
    )
    files.append(_entry_of(staging, "printed-copy.pdf"))
    manifest = _manifest(
        ACCESS_FORMAT,
        request_id=request_id,
        subscriber=data.subscriber,
        policy=policy,
        produced_at=produced_at,
        files=files,
    )
    (staging / "manifest.json").write_bytes(manifest)
    files.append(_entry_of(staging, "manifest.json"))
    _zip(staging / "answer.zip", staging, [entry.name for entry in files])
    files.append(_entry_of(staging, "answer.zip"))
    return _finished(staging, folder, "answer.zip", files, rows)


def write_portability_package(
    data: SubjectData,
    policy: Policy,
    folder: Path,
    *,
    request_id: str,
    produced_at: datetime,
    recorded: Sequence[LedgerEvent] = (),
) -> WrittenAnswer:
    """Write the portability package of `data`'s subscriber into `folder`/portability.zip.
    Of `recorded` (the consent ledger's events about them), their own choices (consents
    given and withdrawn, objections, opt-outs: data they provided) go in as
    `data/ledger-events.json` and `.csv`."""
    staging = _staging(folder)
    portable = [
        found
        for found in data.found
        if found.role is Role.OWN and found.dataset.provenance in _PORTABLE
    ]
    files: list[AnswerFile] = []
    rows: dict[str, int] = {}
    target = staging / "portability.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for found in portable:
            for export_format in (ExportFormat.JSON, ExportFormat.CSV):
                name = f"data/{found.dataset.id}.{export_format.value}"
                with package.open(name, "w", force_zip64=True) as member:
                    hashed = _Hashing(member)
                    written = sum(write_batches(hashed, found.batches(), export_format))
                if written == 0:
                    continue
                rows[found.dataset.id] = written
                files.append(AnswerFile(name, hashed.size, hashed.hexdigest(), written))
        choices = [event for event in recorded if event.data.type in _CHOICES]
        if choices:
            wording = Wording.of(policy, policy.source_language)
            for name, content in (
                (
                    f"data/{RECORDED_FILE}.json",
                    orjson.dumps(recorded_facts(wording, choices), option=_JSON),
                ),
                (f"data/{RECORDED_FILE}.csv", _recorded_csv(wording, choices)),
            ):
                package.writestr(name, content)
                digest = hashlib.sha256(content).hexdigest()
                files.append(AnswerFile(name, len(content), digest, len(choices)))
            rows[RECORDED_FILE] = len(choices)
        datasets: list[dict[str, object]] = [
            {
                "id": found.dataset.id,
                "name": found.dataset.name or found.dataset.id,
                "provenance": found.dataset.provenance.value,
                "source": found.dataset.source.value,
                "columns": list(found.columns),
                "masked_columns": list(found.masked),
                "rows": rows.get(found.dataset.id, 0),
            }
            for found in portable
            if found.dataset.id in rows
        ]
        manifest = _manifest(
            PORTABILITY_FORMAT,
            request_id=request_id,
            subscriber=data.subscriber,
            policy=policy,
            produced_at=produced_at,
            files=files,
            datasets=datasets,
        )
        package.writestr("manifest.json", manifest)
    files.append(_entry_of(staging, "portability.zip"))
    return _finished(staging, folder, "portability.zip", files, rows)


def _recorded_csv(wording: Wording, events: Sequence[LedgerEvent]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=RECORDED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(recorded_rows(wording, events))
    return text.getvalue().encode("utf-8")


def _write_recorded(staging: Path, copy: AccessCopy, rows: dict[str, int]) -> AnswerFile:
    """`data/ledger-events.csv`: the consent ledger's events about the subject, in words."""
    name = f"data/{RECORDED_FILE}.csv"
    with _HashedFile(staging / name) as sink:
        sink.write(_recorded_csv(Wording.of(copy.policy, copy.language), copy.recorded))
    rows[RECORDED_FILE] = len(copy.recorded)
    return sink.entry(name, rows=len(copy.recorded))


def _write_answer_json(
    sink: BinarySink,
    copy: AccessCopy,
    counted: Sequence[tuple[SubjectRows, int]],
    data: SubjectData,
    rows: dict[str, int],
) -> None:
    wording = Wording.of(copy.policy, copy.language)
    head = {
        "format": ACCESS_FORMAT,
        "request": {
            "id": copy.request_id,
            "received_at": copy.received_at,
            "answered_at": copy.produced_at,
        },
        "subscriber": copy.subscriber,
        "language": copy.language,
        "policy": {"id": copy.policy.policy_id, "version": copy.policy.version},
        "facts": owed_facts(copy.policy, copy.language, copy.datasets),
        "recipient_parties": agreement_facts(wording, agreements_in_scope(copy)),
        "recorded": recorded_facts(wording, copy.recorded),
        "disclosures": disclosure_facts(wording, copy.disclosures),
        "recipients_notified": notification_facts(wording, copy.notifications),
        "not_searched": [
            {"dataset": missing.dataset, "reason": missing.reason} for missing in data.unsearchable
        ],
        "withheld": [
            {
                "dataset": rows.dataset.id,
                "role": rows.role.value,
                "reason": "article-15-4-users-of-the-lines",
            }
            for rows in data.withheld
        ],
    }
    encoded = orjson.dumps(head, option=orjson.OPT_UTC_Z)
    sink.write(encoded[:-1] + b',"datasets":[')
    for number, (found, count) in enumerate(counted):
        about = {
            "id": found.dataset.id,
            "name": found.dataset.name or found.dataset.id,
            "system": found.system,
            "role": found.role.value,
            "source": found.dataset.source.value,
            "provenance": found.dataset.provenance.value,
            "columns": list(found.columns),
            "masked_columns": list(found.masked),
            "left_out_columns": list(found.left_out),
        }
        sink.write(b"," if number else b"")
        sink.write(orjson.dumps(about)[:-1] + b',"rows":[')
        written = 0
        for batch in found.batches() if count else iter(()):
            for row in json_rows(batch):
                sink.write(b"," if written else b"")
                sink.write(row)
                written += 1
        sink.write(b'],"row_count":' + str(written).encode() + b"}")
        if written:
            rows[found.name] = written
    sink.write(b"]}")


def _copied(found: SubjectRows, count: int) -> CopiedDataset:
    dataset = found.dataset
    return CopiedDataset(
        dataset_id=dataset.id,
        name=dataset.name or dataset.id,
        system=found.system,
        categories=dataset.categories,
        source=dataset.source.value,
        provenance=dataset.provenance.value,
        role=found.role.value,
        columns=found.columns,
        masked_columns=found.masked,
        rows=found.batches,
        row_count=count,
        record_type=dataset.record_type,
    )


def _manifest(
    answer_format: str,
    *,
    request_id: str,
    subscriber: str,
    policy: Policy,
    produced_at: datetime,
    files: Sequence[AnswerFile],
    datasets: list[dict[str, object]] | None = None,
) -> bytes:
    manifest: dict[str, object] = {
        "format": answer_format,
        "request": request_id,
        "subscriber": subscriber,
        "controller": policy.controller.legal_name,
        "policy": {"id": policy.policy_id, "version": policy.version},
        "produced_at": produced_at,
        "files": [
            {"name": entry.name, "bytes": entry.bytes, "sha256": entry.sha256, "rows": entry.rows}
            for entry in files
        ],
    }
    if datasets is not None:
        manifest["datasets"] = datasets
    return orjson.dumps(manifest, option=_JSON)


def _check_language(policy: Policy, language: str) -> None:
    if language not in policy.languages:
        raise RequestError(
            f"the answer cannot be written in '{language}': policy {policy.policy_id} has "
            f"{', '.join(policy.languages)}"
        )


def _staging(folder: Path) -> Path:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.partial")
    if staging.exists():
        _remove(staging)
    staging.mkdir(mode=0o700)
    return staging


def _finished(
    staging: Path, folder: Path, deliverable: str, files: list[AnswerFile], rows: dict[str, int]
) -> WrittenAnswer:
    if folder.exists():
        _remove(folder)
    os.replace(staging, folder)
    handed = folder / deliverable
    return WrittenAnswer(
        folder=folder,
        deliverable=handed,
        files=tuple(files),
        rows=rows,
        sha256=_sha256_of(handed),
    )


def _zip(target: Path, folder: Path, names: Sequence[str]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name in names:
            package.write(folder / name, arcname=name)


def _entry_of(folder: Path, name: str) -> AnswerFile:
    path = folder / name
    return AnswerFile(name, path.stat().st_size, _sha256_of(path))


def _sha256_of(path: Path) -> str:
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _remove(path: Path) -> None:
    for child in sorted(path.rglob("*"), key=lambda entry: len(entry.parts), reverse=True):
        if child.is_dir():
            child.rmdir()
        else:
            child.unlink()
    path.rmdir()


class _Hashing(io.RawIOBase):
    """A binary sink that hashes and counts what passes through it."""

    def __init__(self, sink: BinarySink) -> None:
        super().__init__()
        self._sink = sink
        self._digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        view = memoryview(data)
        self._digest.update(view)
        self.size += view.nbytes
        self._sink.write(view.tobytes())
        return view.nbytes

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class _HashedFile(_Hashing):
    """A new file, hashed as it is written: `entry` describes it once closed."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("xb")
        super().__init__(self._file)

    def __enter__(self) -> _HashedFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
        self._file.close()

    def entry(self, name: str, *, rows: int | None = None) -> AnswerFile:
        return AnswerFile(name, self.size, self.hexdigest(), rows)
