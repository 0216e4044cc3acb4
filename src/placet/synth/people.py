"""The operator's people: subscribers, their contracts, and which number each line held when.

`draw_population` draws the numeric skeleton of the whole estate at once (kinds, dates,
contracts, numbers; a few dozen bytes a subscriber); the text of each table is then drawn a
block of subscribers at a time from its own stream. Numbers are recycled: a number whose
contract ended passes, after a quarantine, to a later contract, so a number has several
holders over the years but never two at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from placet.synth.identifiers import choose_words, mobile_numbers, numbered_ids, permuted
from placet.synth.operators import OPERATORS, OperatorProfile, SubscriberKind
from placet.synth.plan import BLOCK, DAY_US, EstatePlan, OperatorName, random_stream
from placet.synth.tables import dates, estate_tables, table_of, timestamps

__all__ = [
    "OPEN",
    "QUARANTINE_DAYS",
    "Population",
    "assignment_rows",
    "contract_ids",
    "contract_rows",
    "draw_population",
    "each_in_ranges",
    "subscriber_ids",
    "subscriber_rows",
]

OPEN = np.iinfo(np.int64).max
"""The end of a contract (and of its number assignment) that has not ended."""
QUARANTINE_DAYS = 180
"""Days a number rests after its contract ends before it is handed to someone else."""
HISTORY_YEARS = 12
"""How far back the oldest subscriber signed up."""
RECYCLE_SHARE = 0.25
"""Share of new lines that ask for a used number (most get one, when one is free)."""
RECYCLE_ROUNDS = 3
"""Rounds of hand-over: a number recycled once can be recycled again in a later round."""
ID_DIGITS = 9


@dataclass(frozen=True, slots=True, eq=False)
class Population:
    """The numeric skeleton of an estate: one entry a subscriber, one a contract (a line,
    holding one number from its start to its end). Contracts are ordered by subscriber."""

    plan: EstatePlan
    profile: OperatorProfile
    kind: np.ndarray
    """SubscriberKind code of each subscriber (int8)."""
    created_at: np.ndarray
    birth_day: np.ndarray
    """Days since the epoch; meaningless where `has_birth_date` is false."""
    has_birth_date: np.ndarray
    contract_subscriber: np.ndarray
    contract_started: np.ndarray
    contract_ended: np.ndarray
    """`OPEN` for a contract still running at now."""
    contract_product: np.ndarray
    contract_in_debt: np.ndarray
    """The contract's last invoice is left unpaid."""
    contract_activity: np.ndarray
    """How much the line is used, around 1.0: a heavy user stays heavy every month."""
    contract_number: np.ndarray
    """Index (into `numbers`) of the number the line holds."""
    numbers: pa.StringArray
    """Every number ever handed out, E.164, each once."""

    @property
    def subscribers(self) -> int:
        return len(self.kind)

    @property
    def contracts(self) -> int:
        return len(self.contract_subscriber)

    def contract_range(self, subscribers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first contract and the number of contracts of each subscriber."""
        first = np.searchsorted(self.contract_subscriber, subscribers, side="left")
        last = np.searchsorted(self.contract_subscriber, subscribers, side="right")
        return first, last - first

    def held_until(self, contracts: np.ndarray) -> np.ndarray:
        """The end of each contract, or now when it is still running."""
        ended: np.ndarray = np.minimum(self.contract_ended[contracts], self.plan.now_us)
        return ended

    def block_count(self) -> int:
        return -(-self.subscribers // BLOCK)

    def block_subscribers(self, block: int) -> np.ndarray:
        return np.arange(block * BLOCK, min((block + 1) * BLOCK, self.subscribers))


def each_in_ranges(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index of the ranges [first, first + count): (which range, index).

    each_in_ranges([10, 20], [2, 1]) == ([0, 0, 1], [10, 11, 20])
    """
    owner = np.repeat(np.arange(len(first)), count)
    starts = np.cumsum(count) - count
    return owner, first[owner] + (np.arange(len(owner)) - starts[owner])


def _years_ago_day(today: date, years: int) -> int:
    """Days since the epoch of the same calendar day `years` earlier (28 Feb for 29 Feb)."""
    try:
        earlier = today.replace(year=today.year - years)
    except ValueError:
        earlier = today.replace(year=today.year - years, day=28)
    return (earlier - date(1970, 1, 1)).days


def _draw_people(plan: EstatePlan, profile: OperatorProfile) -> dict[str, np.ndarray]:
    rng = random_stream(plan.seed, "population")
    count, now = plan.subscribers, plan.now_us
    today = (plan.today - date(1970, 1, 1)).days
    kind = rng.choice(4, size=count, p=profile.kind_shares).astype(np.int8)
    history_start = now - HISTORY_YEARS * 365 * DAY_US
    created = history_start + rng.integers(0, now - DAY_US - history_start, count)
    is_minor = kind == SubscriberKind.MINOR
    adult_age = rng.integers(18 * 365 + 5, 85 * 365, count)
    # Under 18 at now, and at least 10: born after the day 18 years ago.
    minor_birth = rng.integers(_years_ago_day(plan.today, 18) + 1, today - 10 * 365 + 1, count)
    birth_day = np.where(is_minor, minor_birth, today - adult_age)
    has_birth = (kind == SubscriberKind.CONSUMER) | is_minor
    old_enough = (birth_day + np.where(is_minor, 8 * 365, 18 * 365)) * DAY_US
    created = np.where(has_birth, np.maximum(created, old_enough), created)
    created = np.minimum(created, now - DAY_US)
    return {"kind": kind, "created": created, "birth_day": birth_day, "has_birth": has_birth}


def _draw_contracts(
    plan: EstatePlan, profile: OperatorProfile, kind: np.ndarray, created: np.ndarray
) -> dict[str, np.ndarray]:
    rng = random_stream(plan.seed, "contracts")
    now, count = plan.now_us, len(kind)
    is_business = kind == SubscriberKind.BUSINESS
    lines = np.where(is_business, np.minimum(rng.geometric(0.45, count), 8), 1)
    lines = np.where(kind == SubscriberKind.PROSPECT, 0, lines)
    subscriber, _ = each_in_ranges(np.zeros(count, dtype=np.int64), lines)
    total = len(subscriber)
    first_line = np.ones(total, dtype=bool)
    first_line[1:] = subscriber[1:] != subscriber[:-1]
    since = now - created[subscriber]
    window = np.where(first_line, np.minimum(30 * DAY_US, since), since)
    started = created[subscriber] + (rng.random(total) * window).astype(np.int64)
    lasted = 30 * DAY_US + (rng.exponential(5 * 365, total) * DAY_US).astype(np.int64)
    ended = np.where(started + lasted < now, started + lasted, OPEN)
    consumer_products = len(profile.products)
    product = np.where(
        is_business[subscriber],
        consumer_products + rng.integers(0, len(profile.business_products), total),
        rng.integers(0, consumer_products, total),
    ).astype(np.int16)
    debt_draw = rng.random(total)
    in_debt = np.where(ended == OPEN, debt_draw < 0.02, debt_draw < 0.12)
    activity = rng.lognormal(0.0, 0.6, total) * np.where(is_business[subscriber], 1.5, 1.0)
    wants_used_number = rng.random(total) < RECYCLE_SHARE
    return {
        "subscriber": subscriber,
        "started": started,
        "ended": ended,
        "product": product,
        "in_debt": in_debt,
        "activity": activity.astype(np.float32),
        "wants_used_number": wants_used_number,
    }


def _hand_out_numbers(
    plan: EstatePlan,
    profile: OperatorProfile,
    started: np.ndarray,
    ended: np.ndarray,
    wants_used_number: np.ndarray,
) -> np.ndarray:
    """Each contract's number (an index into the numbering plan): a fresh one, or one that
    an ended contract released at least `QUARANTINE_DAYS` before the new contract starts."""
    number = np.full(len(started), -1, dtype=np.int64)
    handed = 0

    def fresh(contracts: np.ndarray) -> None:
        nonlocal handed
        if handed + len(contracts) > profile.number_space:
            raise ValueError(
                f"{profile.name} has {profile.number_space:,} mobile numbers, too few for "
                f"{handed + len(contracts):,} lines; generate fewer subscribers"
            )
        index = np.arange(handed, handed + len(contracts))
        number[contracts] = permuted(index, profile.number_space, plan.seed)
        handed += len(contracts)

    fresh(np.flatnonzero(~wants_used_number))
    released = np.zeros(len(started), dtype=bool)
    for _ in range(RECYCLE_ROUNDS):
        givers = np.flatnonzero((ended != OPEN) & (number >= 0) & ~released)
        free_from = ended[givers] + QUARANTINE_DAYS * DAY_US
        order = np.argsort(free_from, kind="stable")
        givers, free_from = givers[order], free_from[order]
        takers = np.flatnonzero(wants_used_number & (number < 0))
        takers = takers[np.argsort(started[takers], kind="stable")]
        if len(givers) == 0 or len(takers) == 0:
            break
        # Greedy, in order of release: each number goes to the first taker not yet served
        # that starts after its quarantine; m_i = max(m_{i-1} + 1, first start >= free_i).
        first_fit = np.searchsorted(started[takers], free_from, side="left")
        steps = np.arange(len(givers))
        taker_at = np.maximum.accumulate(first_fit - steps) + steps
        matched = taker_at < len(takers)
        number[takers[taker_at[matched]]] = number[givers[matched]]
        released[givers[matched]] = True
    fresh(np.flatnonzero(number < 0))
    return number


def draw_population(plan: EstatePlan) -> Population:
    """The skeleton of the whole estate: every subscriber, contract and number."""
    profile = OPERATORS[plan.operator]
    people = _draw_people(plan, profile)
    contracts = _draw_contracts(plan, profile, people["kind"], people["created"])
    plan_index = _hand_out_numbers(
        plan, profile, contracts["started"], contracts["ended"], contracts["wants_used_number"]
    )
    distinct, contract_number = np.unique(plan_index, return_inverse=True)
    return Population(
        plan=plan,
        profile=profile,
        kind=people["kind"],
        created_at=people["created"],
        birth_day=people["birth_day"],
        has_birth_date=people["has_birth"],
        contract_subscriber=contracts["subscriber"],
        contract_started=contracts["started"],
        contract_ended=contracts["ended"],
        contract_product=contracts["product"],
        contract_in_debt=contracts["in_debt"],
        contract_activity=contracts["activity"],
        contract_number=contract_number.astype(np.int64),
        numbers=mobile_numbers(profile.country_code, profile.mobile_ranges, distinct),
    )


def subscriber_ids(subscribers: np.ndarray) -> pa.StringArray:
    """The CRM's customer number of each subscriber: `C000000001` for the first."""
    return numbered_ids("C", subscribers + 1, ID_DIGITS)


def contract_ids(contracts: np.ndarray) -> pa.StringArray:
    """The billing system's contract number of each contract: `K000000001` for the first."""
    return numbered_ids("K", contracts + 1, ID_DIGITS)


def _emails(rng: np.random.Generator, local: pa.StringArray, profile: OperatorProfile) -> pa.Array:
    size = len(local)
    ascii_local = pc.replace_substring_regex(
        pc.utf8_normalize(pc.utf8_lower(local), "NFKD"), r"[^a-z0-9.]", ""
    )
    number = pc.cast(pa.array(rng.integers(1, 999, size)), pa.string())
    domain = choose_words(profile.email_domains, rng.integers(0, len(profile.email_domains), size))
    address = pc.binary_join_element_wise(
        pc.binary_join_element_wise(ascii_local, number, ""), domain, "@"
    )
    return pc.if_else(pa.array(rng.random(size) < 0.2), pa.nulls(size, pa.string()), address)


def _addresses(rng: np.random.Generator, profile: OperatorProfile, size: int) -> pa.Array:
    street = choose_words(profile.streets, rng.integers(0, len(profile.streets), size))
    house = pc.cast(pa.array(rng.integers(1, 200, size)), pa.string())
    city = choose_words(profile.cities, rng.integers(0, len(profile.cities), size))
    return pc.binary_join_element_wise(pc.binary_join_element_wise(street, house, " "), city, ", ")


def subscriber_rows(population: Population, block: int) -> pa.Table:
    """The `subscribers` table's rows for one block of subscribers."""
    plan, profile = population.plan, population.profile
    rng = random_stream(plan.seed, "subscribers", block)
    members = population.block_subscribers(block)
    size = len(members)
    kind = population.kind[members]
    is_business = kind == SubscriberKind.BUSINESS
    first = choose_words(profile.first_names, rng.integers(0, len(profile.first_names), size))
    last = choose_words(profile.last_names, rng.integers(0, len(profile.last_names), size))
    company = choose_words(
        profile.companies,
        np.where(is_business, rng.integers(0, len(profile.companies), size), -1),
    )
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(members),
        "email": _emails(rng, pc.binary_join_element_wise(first, last, "."), profile),
        "address": _addresses(rng, profile, size),
        "created_at": timestamps(population.created_at[members]),
    }
    if plan.operator is OperatorName.IPKO:
        # A business's personal_number holds its business number (NUI), 81 and 7 digits.
        person = numbered_ids("1", rng.integers(0, 10**9, size), 9)
        business = numbered_ids("81", rng.integers(0, 10**7, size), 7)
        columns |= {
            "first_name": first,
            "last_name": last,
            "personal_number": pc.if_else(pa.array(is_business), business, person),
            "birth_date": dates(population.birth_day[members], ~population.has_birth_date[members]),
            "subscriber_type": choose_words(SubscriberKind.WORDS, kind.astype(np.int64)),
        }
    else:
        cvr = numbered_ids("", rng.integers(10**7, 10**8, size), 8)
        columns |= {
            "cvr_number": pc.if_else(pa.array(is_business), cvr, pa.nulls(size, pa.string())),
            "name": pc.binary_join_element_wise(first, last, " "),
            "company_name": company,
        }
    return table_of(estate_tables(plan.operator)["subscribers"], columns)


def _block_contracts(population: Population, block: int) -> np.ndarray:
    members = population.block_subscribers(block)
    first, count = population.contract_range(members[[0, -1]])
    return np.arange(first[0], first[1] + count[1])


def contract_rows(population: Population, block: int) -> pa.Table:
    """The `contracts` table's rows for the contracts of one block of subscribers."""
    profile = population.profile
    contracts = _block_contracts(population, block)
    ended = population.contract_ended[contracts]
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(population.contract_subscriber[contracts]),
        "contract_id": contract_ids(contracts),
        "product": choose_words(
            profile.products + profile.business_products,
            population.contract_product[contracts].astype(np.int64),
        ),
        "started_at": timestamps(population.contract_started[contracts]),
        "ended_at": timestamps(np.where(ended == OPEN, 0, ended), ended == OPEN),
    }
    return table_of(estate_tables(population.plan.operator)["contracts"], columns)


def assignment_rows(population: Population, block: int) -> pa.Table:
    """The `msisdn_assignments` rows of one block of subscribers: each line's number, from
    the contract's start to its end (open while it runs)."""
    contracts = _block_contracts(population, block)
    ended = population.contract_ended[contracts]
    columns: dict[str, pa.Array] = {
        "msisdn": population.numbers.take(pa.array(population.contract_number[contracts])),
        "subscriber_id": subscriber_ids(population.contract_subscriber[contracts]),
        "valid_from": timestamps(population.contract_started[contracts]),
        "valid_to": timestamps(np.where(ended == OPEN, 0, ended), ended == OPEN),
    }
    return table_of(estate_tables(population.plan.operator)["msisdn_assignments"], columns)
