"""Numbers turned into the identifiers an operator prints: MSISDNs in E.164, customer and
invoice ids, MAC and IP addresses, hex ids; whole arrays at a time, never one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "choose_words",
    "fixed_width_pool",
    "hex_ids",
    "ipv4_addresses",
    "mac_addresses",
    "mobile_numbers",
    "numbered_ids",
    "permuted",
    "take_fixed_width",
]

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_MULTIPLIER = 2_654_435_761
"""A prime near 2**32 / golden ratio: `(a * k + c) mod n` visits every k < n once when a
and n share no factor, and neighbours land far apart."""


def permuted(index: np.ndarray, space: int, seed: int) -> np.ndarray:
    """Spread 0, 1, 2, … over [0, space) without repeats: distinct indexes stay distinct."""
    if space % _MULTIPLIER == 0:
        raise ValueError(f"a space of {space} shares a factor with the permutation")
    offset = (seed * 0x9E3779B1 + 0x7F4A7C15) % space
    return (index.astype(np.int64) * _MULTIPLIER + offset) % space


def _fixed_width(matrix: np.ndarray) -> pa.StringArray:
    """Each row of an (n, width) matrix of ASCII bytes as one string."""
    count, width = matrix.shape
    offsets = np.arange(count + 1, dtype=np.int32) * width
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    array = pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))
    return array


def _digits(values: np.ndarray, width: int, base: int) -> np.ndarray:
    """The last `width` digits of each value in `base`, as an (n, width) matrix of ASCII."""
    table = _HEX if base == 16 else _DIGITS
    numbers = values.astype(np.uint64)
    powers = np.uint64(base) ** np.arange(width - 1, -1, -1, dtype=np.uint64)
    return table[(numbers[:, None] // powers[None, :]) % np.uint64(base)]


def numbered_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.StringArray:
    """`prefix` and each number zero-padded to `width` digits: `C000000042`."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    digits = _digits(numbers, width, 10)
    matrix = np.concatenate([np.broadcast_to(head, (len(numbers), len(head))), digits], axis=1)
    return _fixed_width(matrix)


def hex_ids(values: np.ndarray, digits: int) -> pa.StringArray:
    """Each value as `digits` lowercase hex digits."""
    return _fixed_width(_digits(values, digits, 16))


def mac_addresses(oui: np.ndarray, device: np.ndarray) -> pa.StringArray:
    """MAC addresses `aa:bb:cc:dd:ee:ff` from each vendor's 24-bit OUI and 24 device bits."""
    low = device.astype(np.uint64) & np.uint64(0xFFFFFF)
    values = (oui.astype(np.uint64) << np.uint64(24)) | low
    hexes = _digits(values, 12, 16)
    colons = np.full((len(values), 5), ord(":"), dtype=np.uint8)
    pairs = [hexes[:, 2 * n : 2 * n + 2] for n in range(6)]
    parts = [pairs[0]]
    for n in range(1, 6):
        parts += [colons[:, n - 1 : n], pairs[n]]
    return _fixed_width(np.concatenate(parts, axis=1))


def ipv4_addresses(addresses: np.ndarray) -> pa.StringArray:
    """Dotted IPv4 addresses from 32-bit integers."""
    values = addresses.astype(np.uint32)
    octets = [pc.cast(pa.array((values >> shift) & 0xFF), pa.string()) for shift in (24, 16, 8, 0)]
    joined: pa.StringArray = pc.binary_join_element_wise(*octets, ".")
    return joined


def mobile_numbers(country_code: str, ranges: Sequence[int], index: np.ndarray) -> pa.StringArray:
    """E.164 numbers: index // 10**6 picks the two-digit range, the rest the six digits."""
    national = (
        np.asarray(ranges, dtype=np.int64)[index // 1_000_000] * 1_000_000 + index % 1_000_000
    )
    digits = pc.cast(pa.array(national), pa.string())
    joined: pa.StringArray = pc.binary_join_element_wise(country_code, digits, "")
    return joined


def choose_words(words: Sequence[str], picks: np.ndarray) -> pa.StringArray:
    """The word at each pick (an index into `words`); a negative pick is a null."""
    pool = pa.array(list(words), type=pa.string())
    indices = pa.array(picks.astype(np.int32), mask=picks < 0)
    taken: pa.StringArray = pool.take(indices)
    return taken


def fixed_width_pool(strings: pa.StringArray) -> np.ndarray:
    """Strings of one length as a numpy array of fixed-size items, to take from fast."""
    lengths = pc.utf8_length(strings).to_numpy()
    width = int(lengths[0]) if len(lengths) else 1
    if (lengths != width).any():
        raise ValueError("a fixed-width pool needs strings of one length")
    data = np.frombuffer(strings.buffers()[2], dtype=np.uint8)
    start = int(np.frombuffer(strings.buffers()[1], np.int32)[strings.offset])
    matrix = data[start : start + width * len(strings)].reshape(len(strings), width)
    return np.ascontiguousarray(matrix).view(f"V{width}").ravel()


def take_fixed_width(pool: np.ndarray, indices: np.ndarray) -> pa.StringArray:
    """The pool's strings at `indices`, as a string column (a gather of fixed-size rows)."""
    width = pool.dtype.itemsize
    taken = pool[indices]
    return _fixed_width(taken.view(np.uint8).reshape(len(indices), width))
