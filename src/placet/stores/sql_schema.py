"""The ledger's tables, as SQLAlchemy Core metadata (the migrations create the same tables).

`ledger_events` holds the chain; `ledger_personal_payloads` the personal data kept
outside it (deletable); `ledger_subject_states` the projection of each subject's state;
`ledger_head` one row naming the last position and hash, locked by every append;
`ledger_decisions` and `ledger_decision_head` the decision records' chain and its head;
`api_keys` the HTTP API's keys (their SHA-256, never the keys themselves);
`retention_runs` and `retention_steps` each retention run's journal, `legal_holds` the
holds, `erasure_tombstones` what was erased (keys by pseudonym), for `replay-erasures`;
`dsr_requests` and `dsr_steps` subjects' requests and every step taken on them, append-only;
`web_sign_in_challenges` the one-time codes subscribers sign in to the privacy center with;
`disclosure_agreements`, `disclosures`, `disclosure_subjects`, `law_enforcement_requests`,
`law_enforcement_steps` and `recipient_notifications` the disclosure register.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "HEAD_ROW_ID",
    "UTCDateTime",
    "api_keys",
    "console_sign_in_failures",
    "console_staff",
    "decision_head",
    "decisions",
    "disclosure_agreements",
    "disclosure_subjects",
    "disclosures",
    "dsr_callbacks",
    "dsr_code_challenges",
    "dsr_requests",
    "dsr_steps",
    "erasure_tombstones",
    "events",
    "head",
    "key_text",
    "law_enforcement_requests",
    "law_enforcement_steps",
    "legal_holds",
    "metadata",
    "personal_payloads",
    "recipient_notifications",
    "retention_runs",
    "retention_steps",
    "subject_states",
    "web_sign_in_challenges",
]

HEAD_ROW_ID = 1


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant in and out: `timestamptz` on PostgreSQL, UTC text on SQLite.

    SQLite keeps no time zone, so instants are stored there as naive UTC in one fixed-width
    form, which also makes them compare in time order.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"instant {value.isoformat()} has no time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


metadata = MetaData()


def key_text(length: int) -> String:
    """Text compared byte by byte: an id, a pseudonym, a hash, an idempotency key.

    On PostgreSQL its column takes the "C" collation whatever the database's default, so
    the unique indexes that keep idempotency keys and event ids unique never depend on the
    operating system's locale data: a libc upgrade that reorders text (glibc 2.28 did, for
    hyphens and spaces) silently corrupts indexes built under the old order, and an
    idempotency key the index no longer finds is a duplicate event. Byte order is also
    what Python's own ordering of these strings is, and it costs the index less to keep.
    SQLite compares text by its bytes already.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def _chained_columns() -> list[Column[Any]]:
    """The columns of a hash chain's rows (`ChainRow`): the events' and the decisions'."""
    return [
        Column("seq", BigInteger, primary_key=True, autoincrement=False),
        Column("event_id", key_text(36), nullable=False, unique=True),
        Column("idempotency_key", key_text(200), nullable=False, unique=True),
        Column("subject_ref", key_text(64), nullable=False),
        Column("type", key_text(40), nullable=False),
        Column("effective_at", UTCDateTime, nullable=False),
        Column("recorded_at", UTCDateTime, nullable=False),
        Column("body", Text, nullable=False),
        Column("prev_hash", key_text(64), nullable=False),
        Column("hash", key_text(64), nullable=False),
    ]


def _head_table(name: str) -> Table:
    """A chain's head: one row naming its last position and hash, locked by every append."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("seq", BigInteger, nullable=False),
        Column("hash", key_text(64), nullable=False),
        CheckConstraint(f"id = {HEAD_ROW_ID}", name=f"ck_{name}_one_row"),
    )


events = Table(
    "ledger_events",
    metadata,
    *_chained_columns(),
    Index("ix_ledger_events_subject_seq", "subject_ref", "seq"),
)

personal_payloads = Table(
    "ledger_personal_payloads",
    metadata,
    Column("event_id", key_text(36), ForeignKey("ledger_events.event_id"), primary_key=True),
    Column("subject_ref", key_text(64), nullable=False, index=True),
    Column("salt", key_text(64), nullable=False),
    Column("payload", Text, nullable=False),
)

subject_states = Table(
    "ledger_subject_states",
    metadata,
    Column("subject_ref", key_text(64), primary_key=True),
    Column("subject_type", String(100)),
    Column("birth_date", Date),
    Column("consents", Text, nullable=False),
    Column("withdrawn", Text, nullable=False),
    Column("objections", Text, nullable=False),
    Column("objects_to_direct_marketing", Boolean, nullable=False),
    Column("restricted", Boolean, nullable=False),
    Column("contracts", Text, nullable=False),
    Column("last_contract_end", UTCDateTime),
    Column("debts", Text, nullable=False),
    Column("debt_settled_at", UTCDateTime),
    Column("business_opt_out", Boolean, nullable=False),
    Column("business_opt_out_until", UTCDateTime),
    Column("effective_through", UTCDateTime, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
)

head = _head_table("ledger_head")

decisions = Table(
    "ledger_decisions",
    metadata,
    *_chained_columns(),
    Index("ix_ledger_decisions_type_seq", "type", "seq"),
)
"""Decision records (`placet.ledger.decisions`), their rows shaped as the events' rows:
`event_id` holds the record id, `type` its kind, `effective_at` the instant decided at."""

decision_head = _head_table("ledger_decision_head")

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)
"""API keys: `scopes` space-separated, `key_hash` the SHA-256 of the key in hex."""

retention_runs = Table(
    "retention_runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("policy_id", String(100), nullable=False),
    Column("policy_version", String(50), nullable=False),
    Column("estate", String(200), nullable=False),
    Column("datamap_sha256", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", Text),
    Column("decision_id", String(36)),
)
"""A retention run: the instant it decided for, what it read, and (once finished) its
outcome and the decision record it was recorded as."""

retention_steps = Table(
    "retention_steps",
    metadata,
    Column("run_id", String(36), ForeignKey("retention_runs.run_id"), primary_key=True),
    Column("step_no", Integer, primary_key=True, autoincrement=False),
    Column("dataset", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("rules", Text, nullable=False),
    Column("shape", String(20), nullable=False),
    Column("planned_rows", BigInteger, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("changed_rows", BigInteger),
    Column("left_rows", BigInteger),
    Column("table_version", BigInteger),
    Column("detail", Text),
    Column("finished_at", UTCDateTime),
)
"""One step of a run (a dataset and an action): written when it starts, with the rows it
found to act on, and completed once the store has committed the change."""

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("hold_id", String(64), primary_key=True),
    Column("subject", String(200)),
    Column("dataset", String(200)),
    Column("categories", Text, nullable=False),
    Column("records_from", UTCDateTime),
    Column("records_until", UTCDateTime),
    Column("record", String(200)),
    Column("reason", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("placed_by", String(200), nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("until", UTCDateTime),
    Column("released_at", UTCDateTime),
    Column("released_by", String(200)),
)
"""Legal holds (`placet.retention.guard.LegalHold`); `categories` space-separated."""

erasure_tombstones = Table(
    "erasure_tombstones",
    metadata,
    Column("tombstone_id", String(64), primary_key=True),
    Column("dataset", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("key_pseudonym", String(64)),
    Column("since", UTCDateTime),
    Column("before", UTCDateTime),
    Column("reference", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_erasure_tombstones_dataset", "dataset"),
)
"""What was erased, so that a restored backup can be erased again: a dataset's rows of a
key (by its keyed pseudonym, never the key) in a span of their time, or every row before
an instant (no key)."""

dsr_requests = Table(
    "dsr_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("subscriber", String(200), nullable=False),
    Column("subject_ref", String(64), nullable=False, index=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("channel", String(40), nullable=False),
    Column("policy_id", String(100), nullable=False),
    Column("policy_version", String(50), nullable=False),
)
"""A subject's request (`placet.dsr.SubjectRequest`): the subscriber id as staff gave it,
its keyed pseudonym (the request's `subject`), and the policy version whose deadlines
apply. Written once; its state lives in its steps."""

dsr_steps = Table(
    "dsr_steps",
    metadata,
    Column("request_id", String(64), ForeignKey("dsr_requests.request_id"), primary_key=True),
    Column("step_no", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(40), nullable=False),
    Column("from_state", String(40)),
    Column("to_state", String(40), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text),
    Column("notified_at", UTCDateTime),
)
"""The steps of each request (`placet.dsr.Step`), numbered from 1, only ever inserted: the
primary key makes a second writer of the same step number fail instead of forking the
history."""
dsr_code_challenges = Table(
    "dsr_code_challenges",
    metadata,
    Column("challenge_id", String(64), primary_key=True),
    Column("request_id", String(64), ForeignKey("dsr_requests.request_id"), nullable=False),
    Column("challenge_no", Integer, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("sent_to", String(200), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts_used", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    UniqueConstraint("request_id", "challenge_no", name="uq_dsr_code_challenges_request_no"),
)
"""The one-time code challenges of each request (`placet.dsr.CodeChallenge`), numbered from
1 per request; the last one sent is the one a code is checked against. `sent_to` is the
masked address and `digest` the code's keyed digest: neither the address nor the code is
stored. The migration `requests_0006` creates it."""

dsr_callbacks = Table(
    "dsr_callbacks",
    metadata,
    Column("request_id", String(64), ForeignKey("dsr_requests.request_id"), primary_key=True),
    Column("callback_no", Integer, primary_key=True, autoincrement=False),
    Column("url", Text, nullable=False),
    Column("api_url", Text, nullable=False),
    Column("announced_status", String(20)),
    Column("announced_at", UTCDateTime),
)
"""The OpenDSR status callbacks of each request (`status_callback_urls`), numbered from 1
per request: where to POST, Placet's address as the requester's tool reached it (for
`results_url` and the processor domain), and the last status delivered there. The
migration `requests_0007` creates it."""

web_sign_in_challenges = Table(
    "web_sign_in_challenges",
    metadata,
    Column("challenge_id", String(64), primary_key=True),
    Column("address_digest", String(64), nullable=False),
    Column("subscriber", String(200)),
    Column("channel", String(10), nullable=False),
    Column("sent_to", String(200), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts_used", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Index("ix_web_sign_in_challenges_address", "address_digest", "issued_at"),
)
"""The one-time codes subscribers sign in to the privacy center with
(`placet.operations.sign_in`): the address's keyed digest (to cap the codes sent to one
address), the subscriber the code signs in (NULL for a decoy, sent to nobody), the masked
address, and the code's keyed digest. The migration `web_0008` creates it."""

console_staff = Table(
    "console_staff",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
)
"""The DPO console's staff accounts (`placet.operations.staff`): each name's role (`dpo`,
`care-agent`, `auditor`) and the argon2id hash of its password, never the password. The
migration `web_0009` creates it."""

console_sign_in_failures = Table(
    "console_sign_in_failures",
    metadata,
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("name_digest", String(64), nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Index("ix_console_sign_in_failures_name", "name_digest", "failed_at"),
)
"""Each wrong password offered at the console's sign-in, by the SHA-256 of the name typed
(an account or not, so that the lockout tells nothing about which names exist); a
successful sign-in clears its name's. The migration `web_0009` creates it."""

disclosure_agreements = Table(
    "disclosure_agreements",
    metadata,
    Column("agreement_id", String(64), primary_key=True),
    Column("recipient", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("party", String(300), nullable=False),
    Column("reference", String(300), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_until", UTCDateTime),
    Column("countries", String(400), nullable=False),
    Column("safeguard", String(40)),
    Column("contact", String(300)),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)
"""Agreements with the policy's recipients (`placet.disclosures.Agreement`): processor
agreements, joint-controller arrangements, transfer safeguards; `countries` space-separated.
The migration `disclosures_0010` creates it and the four tables below."""

disclosures = Table(
    "disclosures",
    metadata,
    Column("disclosure_id", String(64), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("recipient", String(64)),
    Column("party", String(300)),
    Column("purpose", String(64), nullable=False),
    Column("categories", Text, nullable=False),
    Column("country", String(2)),
    Column("legal_ground", Text),
    Column("reference", Text),
    Column("records", Text, nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("disclosed_at", UTCDateTime, nullable=False),
    Column("confidential_ground", Text),
    Column("confidential_until", UTCDateTime),
    Column("override_justification", Text),
    Column("override_by", String(200)),
    Column("subjects", BigInteger, nullable=False),
    Column("transfer", String(40), nullable=False),
    Column("agreement_id", String(64)),
    Column("problems", Text, nullable=False),
    Column("policy_id", String(64), nullable=False),
    Column("policy_version", String(50), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("decision_id", String(36)),
    Index("ix_disclosures_disclosed_at", "disclosed_at"),
)
"""Every disclosure recorded (`placet.disclosures.Disclosure`); `categories` space-separated,
`records` and `problems` JSON arrays. Its decision record in the ledger's chain of
decisions (`decision_id`) makes it tamper-evident."""

disclosure_subjects = Table(
    "disclosure_subjects",
    metadata,
    Column("disclosure_id", String(64), primary_key=True),
    Column("subject_ref", String(64), primary_key=True),
    Index("ix_disclosure_subjects_subject", "subject_ref"),
)
"""The subjects (by keyed pseudonym) whose data each disclosure held."""

law_enforcement_requests = Table(
    "law_enforcement_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("recipient", String(64), nullable=False),
    Column("party", String(300), nullable=False),
    Column("reference", String(300), nullable=False),
    Column("legal_ground", Text, nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("subscribers", Text, nullable=False),
    Column("categories", Text, nullable=False),
    Column("data_from", UTCDateTime),
    Column("data_until", UTCDateTime),
    Column("received_at", UTCDateTime, nullable=False),
    Column("stage", String(30), nullable=False),
    Column("confidential_ground", Text),
    Column("confidential_until", UTCDateTime),
    Column("extraction", Text),
    Column("delivery", Text),
    Column("disclosure_id", String(64)),
)
"""Law-enforcement requests (`placet.disclosures.LawEnforcementRequest`) as they stand;
`subscribers` a JSON array (the ids the authority's order names), `extraction` JSON."""

law_enforcement_steps = Table(
    "law_enforcement_steps",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("step_no", Integer, primary_key=True, autoincrement=False),
    Column("stage", String(30), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(40)),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
)
"""Every step of a law-enforcement request, append-only."""

recipient_notifications = Table(
    "recipient_notifications",
    metadata,
    Column("notification_id", String(64), primary_key=True),
    Column("request_id", String(64), nullable=False),
    Column("subject_ref", String(64), nullable=False),
    Column("change", String(20), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("party", String(300), nullable=False),
    Column("contact", String(300)),
    Column("channel", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reference", String(300)),
    Column("disclosures", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_recipient_notifications_subject", "subject_ref"),
)
"""Recipients told of a subject's rectification, erasure or restriction (GDPR Art. 19)."""
