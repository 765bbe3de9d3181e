"""sriovfo_engine.i18n: the messages of a fault in the language the client accepts.

A thin layer over sriovfo.catalog (docs/ui-strings.md): the catalogues of ui-strings/ in
every locale, read once per process. A violation is rendered from its key and arguments
in the negotiated locale exactly as the library renders it in English, the words it takes
as arguments (${action}, ${type}, ...: VAR__* keys) in that locale too.
"""

from sriovfo import catalog

_catalogs = None


def catalog_dir():
    """$SRIOVFO_UI_STRINGS_DIR (the installed script sets it), else where make install put
    the catalogues."""
    return catalog.default_directory()


def catalogs():
    """The catalogues ($SRIOVFO_UI_STRINGS_DIR, else where make install put them)."""
    global _catalogs
    if _catalogs is None:
        _catalogs = catalog.Catalogs()
    return _catalogs


def negotiate(header):
    """The catalogue locale that best matches an Accept-Language @header, or None for
    English (the library's own messages)."""
    locale = catalogs().negotiate(header)
    return None if locale == catalog.ENGLISH else locale


def render(violation, args, locale):
    """The message of @violation (a sriovfo.Violation; @args its arguments) in @locale."""
    if locale is None:
        return violation.message
    return catalogs().render(violation.key, args, locale)
