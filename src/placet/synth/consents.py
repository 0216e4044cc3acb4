"""Consents of a block of subscribers: the consent history for `placet ledger import`, the
marketing messages sent under those consents, and the website's cookie consents.

The history names each subject by customer number (never by MSISDN, which is recycled),
starts no earlier than the first policy version, never after now; a withdrawal follows
its grant, and a minor's consent is given by a representative. Marketing goes only to a
number whose holder consented then and had not withdrawn nor objected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from placet.ledger.importing.format import IMPORT_COLUMNS
from placet.policy import load_policy_set
from placet.synth.identifiers import choose_words, hex_ids, numbered_ids
from placet.synth.operators import SubscriberKind
from placet.synth.people import Population, each_in_ranges, subscriber_ids
from placet.synth.plan import DAY_US, OperatorName, random_stream, to_us
from placet.synth.tables import estate_tables, table_of, timestamps

__all__ = [
    "CONSENT_PLANS",
    "ConsentPlan",
    "consent_history_rows",
    "cookie_rows",
    "marketing_rows",
]


@dataclass(frozen=True, slots=True)
class ConsentPlan:
    """Which consent options and objections an operator's subscribers use, and how often."""

    options: tuple[tuple[str, float, tuple[str, ...]], ...]
    """(consent option, share of subscribers giving it, the channel lists they give)."""
    objections: tuple[tuple[str, float], ...]
    """(purpose or all-direct-marketing, share of subscribers objecting)."""
    marketing_option: str
    """The option the marketing messages are sent under (the first of `options`)."""
    stopping_objection: str
    """The objection that stops those messages."""
    campaigns: tuple[str, ...]


CONSENT_PLANS: dict[OperatorName, ConsentPlan] = {
    OperatorName.IPKO: ConsentPlan(
        options=(
            ("current-offers", 0.5, ("sms;email", "sms", "email")),
            ("offers-just-for-me", 0.25, ("sms;email;app", "app")),
            ("help-us-be-better", 0.15, ("",)),
        ),
        objections=(("all-direct-marketing", 0.04), ("marketing-analysis", 0.02)),
        marketing_option="current-offers",
        stopping_objection="all-direct-marketing",
        campaigns=("summer-roaming", "trio-upgrade", "black-friday", "new-year-data", "fiber"),
    ),
    OperatorName.IPNORDIC: ConsentPlan(
        options=(
            ("newsletter", 0.3, ("email",)),
            ("cookies-statistics", 0.25, ("web",)),
            ("cookies-marketing", 0.15, ("web",)),
        ),
        objections=(("newsletter", 0.03), ("customer-analysis", 0.02)),
        marketing_option="newsletter",
        stopping_objection="newsletter",
        campaigns=("nyhedsbrev", "erhverv-fiber", "omstilling-webinar", "5g-erhverv"),
    ),
}

_VIAS = ("web", "app", "shop", "call-centre", "sms", "email", "paper")
_ACTORS = (
    "web-selfcare",
    "app",
    "shop-07",
    "agent-0042",
    "sms-gateway",
    "crm-email",
    "backoffice-3",
)
_EVIDENCE_PREFIX = ("", "", "form-", "call-", "", "", "scan-")
_COOKIE_CATEGORIES = (
    "necessary",
    "necessary;statistics",
    "necessary;statistics;marketing",
    "necessary;preferences;statistics;marketing",
)
_EVENT_SLOTS = 32
"""Events a subject can have in the history: each gets its own idempotency key."""


@cache
def _history_start_us(operator: OperatorName) -> int:
    """The first instant of the first policy version: no consent is older."""
    first = load_policy_set(operator.value).versions[0].effective_from
    return to_us(datetime(first.year, first.month, first.day, tzinfo=UTC))


def _after(rng: np.random.Generator, since: np.ndarray, until: int) -> np.ndarray:
    """An instant in [since, until) for each, to the second."""
    instants: np.ndarray = since + (rng.random(len(since)) * (until - since)).astype(np.int64)
    return instants // 1_000_000 * 1_000_000


@dataclass(frozen=True, slots=True, eq=False)
class _Events:
    """The block's consent events, as parallel arrays; targets and channel lists are
    indexes into the plan's `targets` and `channel_lists`."""

    subscriber: np.ndarray
    event: np.ndarray
    """0 consent-given, 1 consent-withdrawn, 2 objection-made."""
    target: np.ndarray
    channels: np.ndarray
    instant: np.ndarray
    slot: np.ndarray
    via: np.ndarray


def _vocabulary(consent_plan: ConsentPlan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every option or purpose the plan names, and every channel list (the first empty)."""
    targets = tuple(option for option, _, _ in consent_plan.options) + tuple(
        target for target, _ in consent_plan.objections
    )
    lists = (
        "",
        *(channels for _, _, options in consent_plan.options for channels in options if channels),
    )
    return targets, tuple(dict.fromkeys(lists))


def _events(population: Population, block: int) -> tuple[_Events, dict[str, np.ndarray]]:
    """The block's consent events, and each subscriber's marketing window (consent given
    until withdrawn, objected to, or now; empty when never given) with its channel list."""
    plan = population.plan
    consent_plan = CONSENT_PLANS[plan.operator]
    targets, channel_lists = _vocabulary(consent_plan)
    rng = random_stream(plan.seed, "consent-history", block)
    members = population.block_subscribers(block)
    size, now = len(members), plan.now_us
    earliest = np.maximum(population.created_at[members], _history_start_us(plan.operator))
    earliest = np.minimum(earliest, now - DAY_US)
    # (who, event, target, channel list, instant, slot) of each kind of event
    parts: list[tuple[np.ndarray, int, int, np.ndarray, np.ndarray, int]] = []
    window_start, window_end = np.full(size, now), np.full(size, now)
    window_channels = np.zeros(size, dtype=np.int64)
    for number, (option, share, lists) in enumerate(consent_plan.options):
        gives = rng.random(size) < share
        given = _after(rng, earliest, now)
        withdraws = gives & (rng.random(size) < 0.2)
        withdrawn = _after(rng, given, now)
        codes = np.array([channel_lists.index(channels) for channels in lists])
        picked = codes[rng.integers(0, len(lists), size)]
        target = targets.index(option)
        parts.append((np.flatnonzero(gives), 0, target, picked[gives], given[gives], 2 * number))
        parts.append(
            (np.flatnonzero(withdraws), 1, target, np.zeros(int(withdraws.sum()), np.int64),
             withdrawn[withdraws], 2 * number + 1)
        )  # fmt: skip
        if option == consent_plan.marketing_option:
            window_start = np.where(gives, given, now)
            window_end = np.where(withdraws, withdrawn, now)
            window_channels = picked
    for number, (purpose, share) in enumerate(consent_plan.objections):
        objects = rng.random(size) < share
        made = _after(rng, earliest, now)
        parts.append(
            (np.flatnonzero(objects), 2, len(consent_plan.options) + number,
             np.zeros(int(objects.sum()), np.int64), made[objects], 16 + number)
        )  # fmt: skip
        if purpose == consent_plan.stopping_objection:
            window_end = np.where(objects, np.minimum(window_end, made), window_end)
    via = rng.integers(0, len(_VIAS), (size, _EVENT_SLOTS))
    who = np.concatenate([part[0] for part in parts])
    slot = np.concatenate([np.full(len(part[0]), part[5]) for part in parts])
    events = _Events(
        subscriber=who,
        event=np.concatenate([np.full(len(part[0]), part[1]) for part in parts]),
        target=np.concatenate([np.full(len(part[0]), part[2]) for part in parts]),
        channels=np.concatenate([part[3] for part in parts]),
        instant=np.concatenate([part[4] for part in parts]),
        slot=slot,
        via=via[who, slot],
    )
    window = {
        "subscriber": members,
        "start": window_start,
        "end": np.maximum(window_start, window_end),
        "channels": window_channels,
    }
    return events, window


def consent_history_rows(population: Population, block: int) -> pa.Table:
    """The consent history of one block of subscribers, in the columns `placet ledger import`
    reads (docs/ledger.md), every value as text."""
    events, _ = _events(population, block)
    targets, channel_lists = _vocabulary(CONSENT_PLANS[population.plan.operator])
    members = population.block_subscribers(block)
    subscriber = members[events.subscriber]
    size = len(subscriber)
    words = ("consent-given", "consent-withdrawn", "objection-made")
    seconds = timestamps(events.instant).cast(pa.timestamp("s", tz="UTC"))
    effective = pc.binary_join_element_wise(
        pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%S", locale="C"), pa.scalar("Z"), ""
    )
    is_minor = population.kind[subscriber] == SubscriberKind.MINOR
    key = numbered_ids("crm-", subscriber * _EVENT_SLOTS + events.slot, 12)
    prefix = np.array(_EVIDENCE_PREFIX)[events.via]
    evidence = pc.binary_join_element_wise(
        pa.array(prefix), numbered_ids("", subscriber * _EVENT_SLOTS + events.slot, 10), ""
    )
    columns = {
        "subject": subscriber_ids(subscriber),
        "event": choose_words(words, events.event),
        "option_or_purpose": choose_words(targets, events.target),
        "channels": pc.if_else(
            pa.array(events.channels == 0),
            pa.nulls(size, pa.string()),
            choose_words(channel_lists, events.channels),
        ),
        "effective_at": effective,
        "collected_via": choose_words(_VIAS, events.via),
        "given_by": choose_words(("representative",), np.where(is_minor, 0, -1)),
        "actor": choose_words(_ACTORS, events.via),
        "evidence": pc.if_else(pa.array(prefix == ""), pa.nulls(size, pa.string()), evidence),
        "idempotency_key": key,
    }
    table = pa.table({str(name): columns[str(name)] for name in IMPORT_COLUMNS})
    order = np.lexsort((events.slot, subscriber))
    return table.take(pa.array(order))


def marketing_rows(population: Population, block: int) -> pa.Table:
    """The `marketing_contacts` rows of one block: about two messages a month to each line
    whose holder had consented then, over the traffic months."""
    plan = population.plan
    consent_plan = CONSENT_PLANS[plan.operator]
    rng = random_stream(plan.seed, "marketing_contacts", block)
    _, window = _events(population, block)
    first, count = population.contract_range(window["subscriber"])
    owner, line = each_in_ranges(first, count)
    start = np.maximum.reduce(
        [
            window["start"][owner],
            population.contract_started[line],
            np.full(len(line), plan.traffic_start_us),
        ]
    )
    end = np.minimum(window["end"][owner], population.held_until(line))
    span = np.maximum(end - start, 0)
    counts = rng.poisson(2.0 * span / (30 * DAY_US))
    which, _ = each_in_ranges(np.zeros(len(line), dtype=np.int64), counts)
    sent = start[which] + (rng.random(len(which)) * span[which]).astype(np.int64)
    # A message goes by one of the channels consented to: the list's first or last.
    _, channel_lists = _vocabulary(consent_plan)
    singles = tuple(dict.fromkeys(c for lists in channel_lists for c in lists.split(";") if c))
    first_of = np.array(
        [singles.index(lists.split(";")[0]) if lists else 0 for lists in channel_lists]
    )
    last_of = np.array(
        [singles.index(lists.split(";")[-1]) if lists else 0 for lists in channel_lists]
    )
    listed = window["channels"][owner[which]]
    channel = np.where(rng.random(len(which)) < 0.5, first_of[listed], last_of[listed])
    columns: dict[str, pa.Array] = {
        "msisdn": population.numbers.take(pa.array(population.contract_number[line[which]])),
        "channel": choose_words(singles, channel),
        "campaign": choose_words(
            consent_plan.campaigns, rng.integers(0, len(consent_plan.campaigns), len(which))
        ),
        "sent_at": timestamps(sent),
    }
    return table_of(estate_tables(plan.operator)["marketing_contacts"], columns)


def cookie_rows(population: Population, block: int) -> pa.Table:
    """The `cookie_consents` rows of one block: the cookie banner's answers of the
    subscribers who visited the website while logged in (about 40%)."""
    plan = population.plan
    rng = random_stream(plan.seed, "cookie_consents", block)
    members = population.block_subscribers(block)
    visited = members[rng.random(len(members)) < 0.4]
    size = len(visited)
    consented = _after(rng, population.created_at[visited], plan.now_us)
    withdraws = rng.random(size) < 0.15
    withdrawn = _after(rng, consented, plan.now_us)
    cookie = pc.binary_join_element_wise(
        hex_ids(rng.integers(0, 2**63, size), 16), hex_ids(rng.integers(0, 2**63, size), 16), ""
    )
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(visited),
        "cookie_id": cookie,
        "cookie_categories": choose_words(
            _COOKIE_CATEGORIES, rng.integers(0, len(_COOKIE_CATEGORIES), size)
        ),
        "consented_at": timestamps(consented),
        "withdrawn_at": timestamps(withdrawn, ~withdraws),
    }
    return table_of(estate_tables(plan.operator)["cookie_consents"], columns)
