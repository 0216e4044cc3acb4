"""Data-subject requests: their lifecycle from receipt to answer, with due dates from the
policy, pauses while Placet waits on the requester, and every step recorded.

A pure core: nothing here reads the clock, a database or the network, except the
outboxes of `placet.dsr.outbox`, which send one-time codes by e-mail and SMS.
"""

from placet.dsr.due import due_within, overdue
from placet.dsr.lifecycle import (
    allowed_steps,
    ask_clarification,
    clarified,
    extend,
    fulfil,
    open_request,
    reject,
    replay,
    start_verification,
    start_work,
    verified,
)
from placet.dsr.model import (
    FINAL_STATES,
    OPEN_STATES,
    PAUSED_STATES,
    DeadlineTerms,
    PausedTime,
    RequestId,
    RequestKind,
    RequestState,
    Step,
    StepKind,
    SubjectRequest,
)
from placet.dsr.outbox import (
    MemoryOutbox,
    Message,
    Outbox,
    SmsOutbox,
    SmsSender,
    SmtpOutbox,
    code_message,
)
from placet.dsr.verification import (
    ChallengeState,
    CodeChallenge,
    CodeChannel,
    CodeOutcome,
    check_code,
    issue_code,
    mask_address,
)

__all__ = [
    "FINAL_STATES",
    "OPEN_STATES",
    "PAUSED_STATES",
    "ChallengeState",
    "CodeChallenge",
    "CodeChannel",
    "CodeOutcome",
    "DeadlineTerms",
    "MemoryOutbox",
    "Message",
    "Outbox",
    "PausedTime",
    "RequestId",
    "RequestKind",
    "RequestState",
    "SmsOutbox",
    "SmsSender",
    "SmtpOutbox",
    "Step",
    "StepKind",
    "SubjectRequest",
    "allowed_steps",
    "ask_clarification",
    "check_code",
    "clarified",
    "code_message",
    "due_within",
    "extend",
    "fulfil",
    "issue_code",
    "mask_address",
    "open_request",
    "overdue",
    "reject",
    "replay",
    "start_verification",
    "start_work",
    "verified",
]
