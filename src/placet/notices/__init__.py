"""Documents published from a policy: the privacy notice, the record of processing, DPV JSON-LD,
and the printed copy of an access answer.

Built only from the policy's elements and the phrase table (en, sq, sr, da); renders with
Jinja2, WeasyPrint (the `pdf` extra) and openpyxl.
"""

from placet.notices.dpv import export_dpv, export_jsonld
from placet.notices.notice import NoticeFormat, render_notice
from placet.notices.phrases import LANGUAGES
from placet.notices.printed_copy import (
    AccessCopy,
    CopiedDataset,
    owed_facts,
    write_printed_copy_html,
    write_printed_copy_pdf,
)
from placet.notices.ropa import RopaEntry, RopaFormat, RopaRegister, build_ropa, export_ropa

__all__ = [
    "LANGUAGES",
    "AccessCopy",
    "CopiedDataset",
    "NoticeFormat",
    "RopaEntry",
    "RopaFormat",
    "RopaRegister",
    "build_ropa",
    "export_dpv",
    "export_jsonld",
    "export_ropa",
    "owed_facts",
    "render_notice",
    "write_printed_copy_html",
    "write_printed_copy_pdf",
]
