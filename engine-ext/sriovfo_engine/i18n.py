"""sriovfo_engine.i18n: the messages of a fault in the language the client accepts.

The library renders every violation in English (ui-strings/AppErrors.properties, compiled
in). A locale's catalog ui-strings/AppErrors_<ll>[_<CC>].properties holds the same keys in
another language; for a violation whose key it has, the engine renders that text with the
violation's arguments (${name}); else the English message stands. The catalogs are read
once per process, with javaproperties.
"""

import glob
import os
import string

import javaproperties

_catalogs = None


def catalog_dir():
    """$SRIOVFO_UI_STRINGS_DIR (the installed script sets it), else the source tree's."""
    return os.environ.get("SRIOVFO_UI_STRINGS_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "ui-strings")


def catalogs():
    """{locale: {key: text}}, e.g. "de_DE"; English is not among them."""
    global _catalogs
    if _catalogs is None:
        found = {}
        for path in glob.glob(os.path.join(catalog_dir(), "AppErrors_*.properties")):
            locale = os.path.basename(path)[len("AppErrors_"):-len(".properties")]
            with open(path, encoding="utf-8") as f:
                found[locale] = javaproperties.load(f)
        _catalogs = found
    return _catalogs


def _accepted(header):
    """The language ranges of an Accept-Language header, best first (RFC 9110 12.5.4)."""
    ranges = []
    for pos, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            ranges.append((-q, pos, tag.strip()))
    return [tag for _, _, tag in sorted(ranges)]


def negotiate(header):
    """The catalog locale that best matches @header, or None for English."""
    have = catalogs()
    for tag in _accepted(header):
        parts = tag.replace("-", "_").split("_")
        lang = parts[0].lower()
        if lang == "en" or tag == "*":
            return None
        if len(parts) > 1:
            exact = "%s_%s" % (lang, parts[1].upper())
            if exact in have:
                return exact
        for locale in sorted(have):
            if locale == lang or locale.startswith(lang + "_"):
                return locale
    return None


def render(violation, args, locale):
    """The message of @violation (a sriovfo.Violation; @args its arguments) in @locale."""
    if locale is None:
        return violation.message
    text = catalogs().get(locale, {}).get(violation.key)
    if text is None:
        return violation.message
    rendered = string.Template(text).safe_substitute(args)
    return violation.message if "${" in rendered else rendered
