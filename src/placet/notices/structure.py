"""The building blocks of a published document: sections holding entries holding fields.

Plain frozen values with no knowledge of HTML or Markdown; the templates lay them out.
Imports nothing outside the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Entry", "Field", "Section", "entries_section", "fields", "paragraphs"]


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled value: `Legal basis: Consent`."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One element of the policy as a reader sees it: a purpose, a data category, a right."""

    anchor: str
    title: str
    paragraphs: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    notes: tuple[str, ...] = ()
    """Sentences a subject cares about, such as the conditions of a purpose."""
    kind: str = ""
    """A styling hint for the layout, e.g. `banner` for the cookie banner."""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the document; subsections sit one heading level below."""

    anchor: str
    title: str
    paragraphs: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    entries: tuple[Entry, ...] = ()
    subsections: tuple[Section, ...] = ()


_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> tuple[str, ...]:
    """A policy text split into its paragraphs at blank lines; nothing for an empty text."""
    return tuple(part.strip() for part in _BLANK_LINE.split(text) if part.strip())


def entries_section(
    anchor: str, title: str, intro: str, entries: Iterable[Entry]
) -> Section | None:
    """A section of an introduction and one entry per item; None when there is no item, so
    that the document leaves the section out rather than print an empty one."""
    listed = tuple(entries)
    if not listed:
        return None
    return Section(anchor=anchor, title=title, paragraphs=(intro,), entries=listed)


def fields(pairs: Iterable[tuple[str, str]]) -> tuple[Field, ...]:
    """Fields from (label, value) pairs, leaving out the pairs without a value."""
    return tuple(Field(label, value) for label, value in pairs if value)
