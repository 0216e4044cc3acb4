"""The browser side of Placet: the privacy center for subscribers (`/privacy`), the DPO
console (`/console`) and the cookie banner snippet (`/static/cookie-banner.js`), served
with the HTTP API by one app.

`create_site(settings)` wires it; `placet serve` and `placet demo` run it with uvicorn.
Pages are rendered on the server (Jinja2, htmx vendored under `static/`): no build step.
"""

from placet.web.site import STATIC_PREFIX, create_site

__all__ = ["STATIC_PREFIX", "create_site"]
