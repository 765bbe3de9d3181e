"""sriovfo_engine.ui: the admin page at /ovirt-engine/sriovfo/ (docs/ui.md).

The page is static (engine-ext/ui/: index.html, sriovfo-ui.js, sriovfo-ui.css) with
PatternFly's CSS from npm (node_modules, installed by scripts/install-deps.sh; no CDN). It
talks to the REST API under /ovirt-engine/api with the SSO token it keeps in memory, and to
three resources of its own:

- GET /ovirt-engine/sriovfo/strings: the locales of ui-strings/ and the one the browser's
  Accept-Language picks; GET /ovirt-engine/sriovfo/strings/{locale}: the page's strings in
  that locale (sriovfo.catalog, English for what a locale lacks);
- GET /ovirt-engine/sriovfo/api/failover-candidates?network=ID[&profile=ID]: the profiles
  the library's rules allow as the failover of a profile on that network (the store's
  failover_candidates());
- GET /ovirt-engine/sriovfo/api/vnicprofile-vm-counts: profile id -> VMs using it.

The two api resources need a bearer token, as the REST API does.
"""

import json
import os
from typing import Callable, Optional

import falcon
from sriovfo import catalog

PREFIX = "/ovirt-engine/sriovfo"
JSON = "application/json"
PAGE_BUNDLES = ("UIConstants", "ApplicationConstants")

# Scripts and styles only from the engine itself: the page works offline and loads nothing
# else; no inline script or style, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def ui_dir() -> str:
    """$SRIOVFO_UI_DIR (the installed script sets it), else the source tree's engine-ext/ui."""
    return os.environ.get("SRIOVFO_UI_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "ui")


def patternfly_dir(base: Optional[str] = None) -> str:
    """PatternFly's dist directory: $SRIOVFO_PATTERNFLY_DIR, else base/node_modules."""
    return os.environ.get("SRIOVFO_PATTERNFLY_DIR") or os.path.join(
        base or ui_dir(), "node_modules", "@patternfly", "patternfly")


def _json(resp, body, status=falcon.HTTP_200) -> None:
    resp.status = status
    resp.content_type = JSON
    resp.data = json.dumps(body, ensure_ascii=False).encode("utf-8")


class Page:
    """GET /ovirt-engine/sriovfo/ (and without the slash): index.html."""

    def __init__(self, directory: str):
        self.path = os.path.join(directory, "index.html")

    def on_get(self, req, resp):
        with open(self.path, "rb") as f:
            resp.data = f.read()
        resp.content_type = "text/html; charset=utf-8"
        resp.set_headers(SECURITY_HEADERS)


class Strings:
    """The page's strings: the list of locales, or one locale's."""

    def __init__(self, catalogs: catalog.Catalogs):
        self.catalogs = catalogs

    def on_get(self, req, resp):
        names = self.catalogs.get("ApplicationConstants", catalog.ENGLISH)
        locales = [{"id": loc, "name": self.catalogs.text("ApplicationConstants", "languageName", loc)
                    or names.get("languageName", loc)} for loc in self.catalogs.locales]
        _json(resp, {"locale": self.catalogs.negotiate(req.get_header("Accept-Language")),
                     "locales": locales})

    def on_get_locale(self, req, resp, locale):
        loc = self.catalogs.normalize(locale)
        _json(resp, {"locale": loc, "strings": self.catalogs.strings(loc, PAGE_BUNDLES)})


class _Api:
    """A resource of the page's API: the worker's store, after the bearer token's check."""

    def __init__(self, store_of: Callable, authenticate: Callable):
        self.store_of = store_of
        self.authenticate = authenticate

    def store(self, req):
        self.authenticate(req)
        return self.store_of()


class FailoverCandidates(_Api):
    """The profiles the rules allow as failover of a (new or existing) profile."""

    def on_get(self, req, resp):
        store = self.store(req)
        network = req.get_param("network", required=True)
        ident = req.get_param("profile")
        # the stored profile on the chosen network, or a new one (its name plays no part)
        profile = store.get("vnic_profiles", ident) if ident else {"name": "new"}
        profile["network"] = {"id": network}
        ids = store.failover_candidates(profile)
        names = {p["id"]: p.get("name", "") for p in store.list("vnic_profiles")}
        _json(resp, {"vnic_profile": [{"id": i, "name": names.get(i, "")} for i in ids]})


class VmCounts(_Api):
    """Profile id -> how many VMs have a NIC on it (the grid's VMs column)."""

    def on_get(self, req, resp):
        _json(resp, self.store(req).vnic_profile_vm_counts())


def add_routes(app: falcon.App, store_of: Callable, authenticate: Callable,
               directory: Optional[str] = None,
               catalogs: Optional[catalog.Catalogs] = None) -> None:
    """Adds the page to @app: @store_of() is the worker's sriovfo.Store, @authenticate(req)
    checks the bearer token (raising the engine's 401 fault)."""
    directory = directory or ui_dir()
    catalogs = catalogs or catalog.Catalogs()
    page = Page(directory)
    app.add_route(PREFIX, page)
    strings = Strings(catalogs)
    app.add_route(PREFIX + "/strings", strings)
    app.add_route(PREFIX + "/strings/{locale}", strings, suffix="locale")
    app.add_route(PREFIX + "/api/failover-candidates", FailoverCandidates(store_of, authenticate))
    app.add_route(PREFIX + "/api/vnicprofile-vm-counts", VmCounts(store_of, authenticate))
    app.add_static_route(PREFIX + "/static", os.path.join(directory, "static"))
    app.add_static_route(PREFIX + "/patternfly", os.path.abspath(patternfly_dir(directory)))
