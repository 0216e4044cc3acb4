"""One entry of the phrase tables: a text in each language Placet writes.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LANGUAGES", "entry"]

LANGUAGES: Final = ("en", "sq", "sr", "da")
"""The languages the phrase tables cover: English, Albanian, Serbian (Latin), Danish."""


def entry(en: str, sq: str, sr: str, da: str) -> dict[str, str]:
    """A text in every language: the signature makes a missing language an error at import."""
    return {"en": en, "sq": sq, "sr": sr, "da": da}
