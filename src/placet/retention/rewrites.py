"""How an anonymising update rewrites a column, said once for every store: drop the value,
replace it by a constant, mask its tail, or map each distinct value (a keyed pseudonym).

A store connector turns each into its engine's own set-based form (SQL `UPDATE … SET`, a
Delta merge, a Parquet file rewrite). Imports nothing outside the standard library and
pyarrow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

import pyarrow as pa

from placet.errors import RetentionError

__all__ = ["Constant", "MaskTail", "Nullify", "Remap", "Rewrite"]


@dataclass(frozen=True, slots=True)
class Nullify:
    """Drop the value (an identifier): the column becomes null."""


@dataclass(frozen=True, slots=True)
class Constant:
    """Replace every value by one (a location coarsened to its country: `XK`, `DK`)."""

    value: str


@dataclass(frozen=True, slots=True)
class MaskTail:
    """Replace the last `digits` characters with `mask` (a B-number: +38344123*** )."""

    digits: int
    mask: str = "*"

    def __post_init__(self) -> None:
        if self.digits < 1 or len(self.mask) != 1:
            raise RetentionError("a mask hides at least one character with one mask character")


@dataclass(frozen=True, slots=True)
class Remap:
    """Replace each distinct value by `function` of it (a keyed pseudonym). The store reads
    the distinct values selected, maps them in one vectorized call and joins the mapping
    back: set-based, never row by row. `name` says what it is in reports."""

    name: str
    function: Callable[[pa.Array], pa.Array] = field(compare=False)


Rewrite: TypeAlias = Nullify | Constant | MaskTail | Remap
