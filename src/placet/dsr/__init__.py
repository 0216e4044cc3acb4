"""Data-subject requests: their lifecycle from receipt to answer, with due dates from the
policy, pauses while Placet waits on the requester, and every step recorded.

A pure core: nothing here reads the clock, a database or the network.
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

__all__ = [
    "FINAL_STATES",
    "OPEN_STATES",
    "PAUSED_STATES",
    "DeadlineTerms",
    "PausedTime",
    "RequestId",
    "RequestKind",
    "RequestState",
    "Step",
    "StepKind",
    "SubjectRequest",
    "allowed_steps",
    "ask_clarification",
    "clarified",
    "due_within",
    "extend",
    "fulfil",
    "open_request",
    "overdue",
    "reject",
    "replay",
    "start_verification",
    "start_work",
    "verified",
]
