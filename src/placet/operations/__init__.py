"""Application services: what the API and the CLI do, written once.

Record events about subjects, decide uses (one, a batch, an audience), read a subject's
state and history, issue signed receipts, manage API keys. Every function takes what it
needs (the ledger, the policy set, the pseudonym key, the receipt keys, the instant) as
arguments: none reads settings, the environment or the clock.
"""

from placet.operations.access import (
    ApiKey,
    ApiKeyStore,
    IssuedKey,
    Scope,
    authenticate,
    authorise,
    create_key,
    hash_key,
    list_keys,
    revoke_key,
)
from placet.operations.audiences import (
    Audience,
    AudienceCounts,
    AudienceReplay,
    query_subscriber_ids,
    read_subscriber_column,
    read_subscriber_ids,
    replay_audience,
    select_audience,
)
from placet.operations.deciding import (
    DecisionAnswer,
    DecisionRequest,
    clause_language,
    decide_for_subject,
    decide_many,
    read_state,
)
from placet.operations.receipting import (
    SignedReceipt,
    configured_receipt_keys,
    issue_receipt,
    kantara_document,
    load_receipt_keys,
)
from placet.operations.recording import (
    Provenance,
    Recorded,
    end_business_opt_out,
    end_contract,
    give_consent,
    incur_debt,
    lift_restriction,
    make_objection,
    record_business_opt_out,
    record_event,
    record_subject_facts,
    set_restriction,
    settle_debt,
    start_contract,
    subject_ref,
    withdraw_consent,
    withdraw_objection,
)
from placet.operations.retention_plans import EstatePlan, EstateStores, plan_estate
from placet.operations.retention_runs import RunReport, run_retention
from placet.operations.subjects import subject_history, subject_state

__all__ = [
    "ApiKey",
    "ApiKeyStore",
    "Audience",
    "AudienceCounts",
    "AudienceReplay",
    "DecisionAnswer",
    "DecisionRequest",
    "EstatePlan",
    "EstateStores",
    "IssuedKey",
    "Provenance",
    "Recorded",
    "RunReport",
    "Scope",
    "SignedReceipt",
    "authenticate",
    "authorise",
    "clause_language",
    "configured_receipt_keys",
    "create_key",
    "decide_for_subject",
    "decide_many",
    "end_business_opt_out",
    "end_contract",
    "give_consent",
    "hash_key",
    "incur_debt",
    "issue_receipt",
    "kantara_document",
    "lift_restriction",
    "list_keys",
    "load_receipt_keys",
    "make_objection",
    "plan_estate",
    "query_subscriber_ids",
    "read_state",
    "read_subscriber_column",
    "read_subscriber_ids",
    "record_business_opt_out",
    "record_event",
    "record_subject_facts",
    "replay_audience",
    "revoke_key",
    "run_retention",
    "select_audience",
    "set_restriction",
    "settle_debt",
    "start_contract",
    "subject_history",
    "subject_ref",
    "subject_state",
    "withdraw_consent",
    "withdraw_objection",
]
