"""How many of a policy's texts in a language are translations made for Placet, said in words.

The loader records each text tagged `!tr` in `Policy.translated_paths` (`purposes[0].name.en`:
the last segment is the language); the notice says how many there are, and that where the
versions differ the operator's own text prevails over a translation made for Placet. Not
"the source language's version": a policy's first language need not hold every original
(IPKO's English long form stops before retention, whose original is the Serbian one).
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from placet.notices.phrases import plural_form
from placet.notices.wording import Wording
from placet.policy.model import Policy
from placet.policy.validation import walk_texts

__all__ = ["count_texts", "count_translated", "translation_line"]


def count_translated(policy: Policy, language: str) -> int:
    """How many of the policy's texts in `language` are tagged `!tr`."""
    return sum(1 for path in policy.translated_paths if path.rsplit(".", 1)[-1] == language)


def count_texts(policy: Policy, language: str) -> int:
    """How many of the policy's texts have wording in `language`."""
    return sum(1 for _, text in walk_texts(policy) if text.get(language, "").strip())


def translation_line(wording: Wording) -> str:
    """The sentence on texts made for Placet; '' when the notice has none.

    In another language than the source it says they were translated from the operator's
    texts, in the source language that they were written or translated for Placet; in both,
    that the operator's own text prevails over such a translation: `191 nga 238 tekstet …
    janë përkthyer për Placet … Në rast mospërputhjeje, teksti ynë origjinal mbizotëron mbi
    përkthimin e bërë për Placet.`
    """
    policy = wording.policy
    count = count_translated(policy, wording.language)
    if count == 0:
        return ""
    total = max(count, count_texts(policy, wording.language))
    form = plural_form(wording.language, count)
    if wording.language == policy.source_language:
        said = wording.phrase(f"document.placet-wording.{form}", count=count, total=total)
    elif count == total:
        said = wording.phrase("document.translations-all", count=count)
    else:
        said = wording.phrase(f"document.translations.{form}", count=count, total=total)
    return f"{said} {wording.phrase('document.own-text-prevails')}"
