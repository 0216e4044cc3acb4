"""Billing, care and network records of a block of subscribers: invoices, payments,
complaints, call-recording index, network devices and their DHCP reservations.

Invoices are monthly for each line over the traffic months, plus a final invoice for a
contract that ended before them; a contract in debt leaves its last invoice unpaid.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from placet.synth.identifiers import (
    choose_words,
    hex_ids,
    ipv4_addresses,
    mac_addresses,
    numbered_ids,
    permuted,
)
from placet.synth.operators import SubscriberKind
from placet.synth.people import OPEN, Population, each_in_ranges, subscriber_ids
from placet.synth.plan import DAY_US, OperatorName, random_stream
from placet.synth.tables import estate_tables, table_of, timestamps

__all__ = [
    "PAYMENT_TERM_DAYS",
    "block_invoices",
    "complaint_rows",
    "device_rows",
    "invoice_ids",
    "invoice_rows",
    "payment_rows",
    "recording_rows",
    "reservation_rows",
]

MONTHLY_PRICES = (5.0, 10.0, 20.0, 25.0, 30.0, 35.0, 45.0)
"""Base monthly price of each product, by its position (consumer then business products)."""
PAYMENT_TERM_DAYS = 20
"""Days from an invoice's issue to its due date: unpaid after that, it is a debt."""
RECORDING_YEARS = 2
"""Call-centre recordings reach back this far."""
_COMPLAINT_CHANNELS = ("phone", "email", "shop", "web", "letter")
_COMPLAINT_TEXTS = (
    "Invoice higher than the agreed monthly price",
    "No mobile data coverage at home in the evenings",
    "Roaming charges applied although roaming was switched off",
    "Asked to stop marketing calls",
    "Internet connection drops several times a day",
    "Wrong address on the contract",
    "Charged after the contract ended",
    "Request for a copy of my personal data",
)
_RESOLUTIONS = ("resolved", "credit-note", "rejected", "forwarded-to-network")
_MODELS = ("ZTE F660", "Huawei HG8245H", "Zyxel VMG3625", "TP-Link Archer C6", "Nokia G-240W")
_DEVICE_NAMES = ("router", "living-room", "office", "home-gateway", "fiber-box", "wifi")
_VENDORS = (0x00259E, 0x001E73, 0x5C353B, 0xA0F3C1)
"""OUIs (the vendor half of a MAC address) of the routers handed out."""


def _block(population: Population, block: int) -> tuple[np.ndarray, np.ndarray]:
    """The block's subscribers, and its contracts."""
    members = population.block_subscribers(block)
    first, count = population.contract_range(members)
    _, contracts = each_in_ranges(first, count)
    return members, contracts


def block_invoices(population: Population, block: int) -> dict[str, np.ndarray]:
    """Every invoice of the block's contracts: contract, number, issue instant, amount, when
    it is paid (`paid_at`, meaningful where `is_paid`: paid by now) and by which method."""
    plan = population.plan
    rng = random_stream(plan.seed, "invoices", block)
    _, contracts = _block(population, block)
    months = plan.traffic_months
    ends = np.array([month.end_us for month in months])
    starts = np.array([month.start_us for month in months])
    issued_at = ends - DAY_US + 8 * 3_600_000_000
    started = population.contract_started[contracts]
    held = population.held_until(contracts)
    active = (started[:, None] < ends[None, :]) & (held[:, None] > starts[None, :])
    active &= issued_at[None, :] <= plan.now_us
    row, month = np.nonzero(active)
    # A contract that ended before the traffic months: its final invoice, days after.
    before = np.flatnonzero(population.contract_ended[contracts] < plan.traffic_start_us)
    final_at = population.contract_ended[contracts[before]] + 3 * DAY_US
    contract = np.concatenate([contracts[row], contracts[before]])
    number = np.concatenate([contracts[row] * 128 + month, contracts[before] * 128 + 127])
    issued = np.concatenate([issued_at[month], final_at])
    price = np.array(MONTHLY_PRICES)[population.contract_product[contract] % len(MONTHLY_PRICES)]
    amount = np.round(price * rng.uniform(0.9, 1.6, len(contract)), 2)
    order = np.lexsort((issued, contract))
    contract, number, issued, amount = contract[order], number[order], issued[order], amount[order]
    is_last = np.ones(len(contract), dtype=bool)
    is_last[:-1] = contract[1:] != contract[:-1]
    paid_after = rng.integers(DAY_US, 35 * DAY_US, len(contract))
    is_paid = ~(is_last & population.contract_in_debt[contract])
    is_paid &= issued + paid_after <= plan.now_us
    return {
        "contract": contract,
        "number": number,
        "issued": issued,
        "amount": amount,
        "paid_at": issued + paid_after,
        "is_paid": is_paid,
        "method": rng.integers(0, len(population.profile.payment_methods), len(contract)),
    }


def invoice_ids(numbers: np.ndarray) -> pa.StringArray:
    """The invoice number of each invoice drawn (`block_invoices`' `number`)."""
    return numbered_ids("INV", numbers, 12)


def invoice_rows(population: Population, block: int) -> pa.Table:
    """The `invoices` rows of one block of subscribers."""
    invoices = block_invoices(population, block)
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(population.contract_subscriber[invoices["contract"]]),
        "invoice_id": invoice_ids(invoices["number"]),
        "issued_at": timestamps(invoices["issued"]),
        "due_at": timestamps(invoices["issued"] + PAYMENT_TERM_DAYS * DAY_US),
        "amount": pa.array(invoices["amount"]),
    }
    return table_of(estate_tables(population.plan.operator)["invoices"], columns)


def payment_rows(population: Population, block: int) -> pa.Table:
    """The `payments` rows of one block: one payment for each paid invoice; the unpaid
    ones are the debt."""
    profile = population.profile
    invoices = block_invoices(population, block)
    paid = invoices["is_paid"]
    subscriber = population.contract_subscriber[invoices["contract"][paid]]
    method = invoices["method"][paid]
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(subscriber),
        "payment_id": numbered_ids("PAY", invoices["number"][paid], 12),
        "invoice_id": invoice_ids(invoices["number"][paid]),
        "paid_at": timestamps(invoices["paid_at"][paid]),
        "amount": pa.array(invoices["amount"][paid]),
        "method": choose_words(profile.payment_methods, method),
    }
    if population.plan.operator is OperatorName.IPNORDIC:
        # A Danish account: 4-digit bank registration number and 10-digit account number,
        # the same for all of a subscriber's payments; none for a card payment.
        registration = numbered_ids("", 1000 + (subscriber * 7919) % 9000, 4)
        account = numbered_ids("", permuted(subscriber, 10**10 - 1, 3), 10)
        number = pc.binary_join_element_wise(registration, account, "-")
        is_card = pa.array(method == profile.payment_methods.index("card"))
        columns["account_number"] = pc.if_else(is_card, pa.nulls(len(method), pa.string()), number)
    return table_of(estate_tables(population.plan.operator)["payments"], columns)


def complaint_rows(population: Population, block: int) -> pa.Table:
    """The `complaints` rows of one block: a few over a subscriber's life, the recent ones
    sometimes still open."""
    plan = population.plan
    rng = random_stream(plan.seed, "complaints", block)
    members = population.block_subscribers(block)
    counts = rng.poisson(0.4, len(members))
    owner, _ = each_in_ranges(np.zeros(len(members), dtype=np.int64), counts)
    created = population.created_at[members[owner]]
    received = created + (rng.random(len(owner)) * (plan.now_us - created)).astype(np.int64)
    is_open = (received > plan.now_us - 30 * DAY_US) & (rng.random(len(owner)) < 0.5)
    resolution = np.where(is_open, -1, rng.integers(0, len(_RESOLUTIONS), len(owner)))
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(members[owner]),
        "received_at": timestamps(received),
        "channel": choose_words(_COMPLAINT_CHANNELS, rng.integers(0, 5, len(owner))),
        "text": choose_words(_COMPLAINT_TEXTS, rng.integers(0, len(_COMPLAINT_TEXTS), len(owner))),
        "resolution": choose_words(_RESOLUTIONS, resolution),
    }
    return table_of(estate_tables(plan.operator)["complaints"], columns)


def recording_rows(population: Population, block: int) -> pa.Table:
    """The `call_recordings` rows of one block: calls to the call centre from a line, while
    it held its number, over the last two years."""
    plan, profile = population.plan, population.profile
    rng = random_stream(plan.seed, "call_recordings", block)
    _, contracts = _block(population, block)
    since = plan.now_us - RECORDING_YEARS * 365 * DAY_US
    start = np.maximum(population.contract_started[contracts], since)
    span = np.maximum(population.held_until(contracts) - start, 0)
    counts = np.minimum(rng.poisson(1.2 * span / (365 * DAY_US)), 63)
    owner, _ = each_in_ranges(np.zeros(len(contracts), dtype=np.int64), counts)
    order = np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]
    started = start[owner] + (rng.random(len(owner)) * span[owner]).astype(np.int64)
    line = contracts[owner]
    recording = numbered_ids("REC", line * 64 + order, 12)
    folder = pc.strftime(timestamps(started), format="%Y/%m", locale="C")
    uri = pc.binary_join_element_wise(profile.recordings_bucket, folder, recording, "/")
    columns: dict[str, pa.Array] = {
        "msisdn": population.numbers.take(pa.array(population.contract_number[line])),
        "recording_id": recording,
        "started_at": timestamps(started),
        "duration_s": pa.array(30 + rng.exponential(240.0, len(owner)).astype(np.int64)),
        "storage_uri": pc.binary_join_element_wise(uri, pa.scalar(".wav"), ""),
    }
    return table_of(estate_tables(plan.operator)["call_recordings"], columns)


def _devices(population: Population, block: int) -> dict[str, np.ndarray]:
    """The routers of the block's subscribers that have fixed internet (about a third)."""
    plan = population.plan
    rng = random_stream(plan.seed, "network_devices", block)
    members = population.block_subscribers(block)
    first, count = population.contract_range(members)
    has_line = count > 0
    wants = (rng.random(len(members)) < 0.35) & has_line
    many = population.kind[members] == SubscriberKind.BUSINESS
    devices = np.where(wants, np.where(many, rng.integers(1, 3, len(members)), 1), 0)
    owner, _ = each_in_ranges(np.zeros(len(members), dtype=np.int64), devices)
    slot = np.arange(len(owner)) - (np.cumsum(devices) - devices)[owner]
    subscriber = members[owner]
    contracts = first[owner]
    # When the subscriber's last contract ended (OPEN while one runs): routers go then.
    line_owner, line = each_in_ranges(first, count)
    left = np.zeros(len(members), dtype=np.int64)
    np.maximum.at(left, line_owner, population.contract_ended[line])
    since = population.contract_started[contracts]
    until = np.minimum(left[owner], plan.now_us)
    installed = since + (rng.random(len(owner)) * (until - since)).astype(np.int64)
    serial = rng.integers(0, 2**40, len(owner))
    return {
        "subscriber": subscriber,
        "index": subscriber * 2 + slot,
        "installed": installed,
        "left": left[owner],
        "vendor": rng.integers(0, len(_VENDORS), len(owner)),
        "serial": serial,
        "model": rng.integers(0, len(_MODELS), len(owner)),
        "name": rng.integers(0, len(_DEVICE_NAMES), len(owner)),
        "changed": rng.random(len(owner)) < 0.3,
        "change_at": rng.random(len(owner)),
    }


def _macs(devices: dict[str, np.ndarray]) -> pa.StringArray:
    vendor = np.array(_VENDORS, dtype=np.int64)[devices["vendor"]]
    return mac_addresses(vendor, permuted(devices["index"], 1 << 24, 11))


def device_rows(population: Population, block: int) -> pa.Table:
    """The `network_devices` rows of one block: routers at subscribers' premises."""
    devices = _devices(population, block)
    model = choose_words(_MODELS, devices["model"])
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(devices["subscriber"]),
        "mac_address": _macs(devices),
        "serial_number": pc.utf8_upper(hex_ids(devices["serial"], 10)),
        "device_name": choose_words(_DEVICE_NAMES, devices["name"]),
        "model": model,
        "installed_at": timestamps(devices["installed"]),
    }
    return table_of(estate_tables(population.plan.operator)["network_devices"], columns)


def reservation_rows(population: Population, block: int) -> pa.Table:
    """The `dhcp_reservations` rows of one block: each router's fixed address from its
    installation, a second address for some after a change; a reservation ends when the
    subscriber's last contract ends. Addresses are never reused, so an address names one
    subscriber."""
    plan = population.plan
    devices = _devices(population, block)
    left = devices["left"]
    until = np.minimum(left, plan.now_us)
    change = devices["installed"] + (devices["change_at"] * (until - devices["installed"]))
    change = change.astype(np.int64)
    changed = devices["changed"]
    first_to = np.where(changed, change, left)
    device = np.concatenate([np.arange(len(left)), np.flatnonzero(changed)])
    valid_from = np.concatenate([devices["installed"], change[changed]])
    valid_to = np.concatenate([first_to, left[changed]])
    second = np.concatenate([np.zeros(len(left), dtype=np.int64), np.ones(changed.sum(), np.int64)])
    order = np.lexsort((second, device))
    device, valid_from, valid_to, second = (
        device[order],
        valid_from[order],
        valid_to[order],
        second[order],
    )
    address = (10 << 24) | permuted(devices["index"][device] * 2 + second, 1 << 24, plan.seed)
    columns: dict[str, pa.Array] = {
        "subscriber_id": subscriber_ids(devices["subscriber"][device]),
        "ip_address": ipv4_addresses(address),
        "mac_address": _macs(devices).take(pa.array(device)),
        "valid_from": timestamps(valid_from),
        "valid_to": timestamps(np.where(valid_to == OPEN, 0, valid_to), valid_to == OPEN),
    }
    return table_of(estate_tables(plan.operator)["dhcp_reservations"], columns)
