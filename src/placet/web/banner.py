"""GET /cookie-banner-demo: a page that embeds the cookie banner snippet as an operator's
site would, in any of the policy's languages (`?lang=da`), to try it and to test it.

Placet's own pages may record cookie choices without being listed in
`PLACET_COOKIE_ORIGINS`, so the demo works wherever Placet runs.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from placet.api.context import Services, services
from placet.operations.cookie_consents import banner_language

__all__ = ["DEMO_PATH", "router"]

DEMO_PATH: Final = "/cookie-banner-demo"

router = APIRouter(include_in_schema=False)

Wired = Annotated[Services, Depends(services)]


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("placet.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@router.get(DEMO_PATH, response_class=HTMLResponse)
def get_demo(
    request: Request,
    wired: Wired,
    lang: Annotated[str | None, Query(max_length=35, description="The page's language.")] = None,
) -> HTMLResponse:
    """An operator's page with the banner on it, in the policy's language nearest `lang`."""
    policy = wired.policies.in_force(wired.clock())
    placet = str(request.base_url).rstrip("/")
    page = _templates().get_template("banner/demo.html")
    html = page.render(
        language=banner_language(policy, lang),
        languages=policy.languages,
        operator=policy.controller.short_name,
        categories=[c.id for c in policy.cookies.categories] if policy.cookies else [],
        placet=placet,
        script=request.url_for("static", path="cookie-banner.js").path,
        demo=DEMO_PATH,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
