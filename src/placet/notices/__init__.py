"""Documents published from a policy: the privacy notice, the record of processing, DPV JSON-LD.

Built only from the policy's elements and the phrase table (en, sq, sr, da); renders with
Jinja2, WeasyPrint (the `pdf` extra) and openpyxl.
"""

from placet.notices.dpv import export_dpv, export_jsonld
from placet.notices.notice import NoticeFormat, render_notice
from placet.notices.phrases import LANGUAGES
from placet.notices.ropa import RopaEntry, RopaFormat, build_ropa, export_ropa

__all__ = [
    "LANGUAGES",
    "NoticeFormat",
    "RopaEntry",
    "RopaFormat",
    "build_ropa",
    "export_dpv",
    "export_jsonld",
    "export_ropa",
    "render_notice",
]
