"""sriovfo.catalog: the message catalogues of ui-strings/ in every locale.

The catalogues are Java .properties files with oVirt's bundle names and keys
(docs/ui-strings.md): AppErrors (every violation key; the library's English texts
are built from AppErrors.properties), UIConstants and ApplicationConstants (the admin
page). BUNDLE.properties is English, BUNDLE_ll_CC.properties a translation with the
same keys and ${variables}.

Catalogs renders a violation (key and args, as sriovfo.Violations.to_json() gives
them) in a locale the way the library renders it in English: a variable whose value
is a VAR__* key (${action}, ${type}, ...) takes that key's text in the same locale,
filled with the same args, and line breaks become spaces.
"""

import glob
import os
import re
import string
from typing import Dict, Iterable, List, Mapping, Optional

import javaproperties
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

ENGLISH = "en"
BUNDLES = ("AppErrors", "UIConstants", "ApplicationConstants")
VAR_PREFIX = "VAR__"

# where make install puts the catalogues; $SRIOVFO_UI_STRINGS_DIR overrides
try:
    from sriovfo._paths import UI_STRINGS_DIR as _INSTALLED_DIR
except ImportError:  # the source tree, run without a build
    _INSTALLED_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "ui-strings")

_FILE = re.compile(r"^(?P<bundle>[A-Za-z]+)(?:_(?P<locale>[a-z]{2}_[A-Z]{2}))?\.properties$")
_LINE_BREAK = re.compile(r" ?\n[ \t]*")


def default_directory() -> str:
    return os.environ.get("SRIOVFO_UI_STRINGS_DIR") or _INSTALLED_DIR


def placeholders(text: str) -> List[str]:
    """The ${variables} of @text, sorted, each once."""
    return sorted({m.group("braced") for m in string.Template.pattern.finditer(text)
                   if m.group("braced")})


class Catalogs:
    """Every bundle of @directory in every locale: .get(bundle, locale) is a dict (empty for
    a bundle or locale the directory lacks)."""

    def __init__(self, directory: Optional[str] = None):
        self.directory = directory or default_directory()
        self._tables: Dict[str, Dict[str, Dict[str, str]]] = {}
        for path in sorted(glob.glob(os.path.join(self.directory, "*.properties"))):
            m = _FILE.match(os.path.basename(path))
            if not m:
                continue
            with open(path, encoding="utf-8") as f:
                table = javaproperties.load(f)
            self._tables.setdefault(m.group("bundle"), {})[m.group("locale") or ENGLISH] = table

    @property
    def bundles(self) -> List[str]:
        return sorted(self._tables)

    @property
    def locales(self) -> List[str]:
        """English first, then the translations (ll_CC), sorted."""
        found = {loc for tables in self._tables.values() for loc in tables}
        return [ENGLISH] + sorted(found - {ENGLISH})

    def get(self, bundle: str, locale: str = ENGLISH) -> Dict[str, str]:
        return self._tables.get(bundle, {}).get(locale, {})

    def _match(self, tag: str) -> Optional[str]:
        """The catalogue locale of language tag @tag: the same tag, else the same
        language ("fr-CA" -> "fr_FR", "en-GB" -> English); None when no catalogue has it."""
        tag = tag.replace("-", "_")
        for loc in self.locales:
            if loc.lower() == tag.lower():
                return loc
        lang = tag.split("_")[0].lower()
        for loc in self.locales:
            if loc.split("_")[0].lower() == lang:
                return loc
        return None

    def normalize(self, locale: Optional[str]) -> str:
        """The catalogue locale for @locale ("ja", "ja-JP", "ja_JP" -> "ja_JP"); English
        when no catalogue has it."""
        return (self._match(locale) if locale else None) or ENGLISH

    def negotiate(self, accept_language: Optional[str]) -> str:
        """The catalogue locale for an Accept-Language header: the first language by
        quality that a catalogue has (same tag, else same language); English by default."""
        if not accept_language:
            return ENGLISH
        for tag, _quality in parse_accept_header(accept_language, LanguageAccept):
            found = self._match(tag) if tag != "*" else None
            if found:
                return found
        return ENGLISH

    def text(self, bundle: str, key: str, locale: str = ENGLISH) -> Optional[str]:
        """The template of @key in @locale, else in English, else None."""
        value = self.get(bundle, locale).get(key)
        return value if value is not None else self.get(bundle, ENGLISH).get(key)

    def render(self, key: str, args: Optional[Mapping[str, str]] = None,
               locale: str = ENGLISH, bundle: str = "AppErrors") -> str:
        """@key filled with @args in @locale, on one line, as the library renders it;
        an unknown key renders as itself and a variable without a value stays ${name}. A key
        that @locale lacks renders wholly in English, never half and half."""
        if key not in self.get(bundle, locale):
            locale = ENGLISH
        template = self.text(bundle, key, locale)
        if template is None:
            return key
        return self._fill(template, dict(args or {}), locale, bundle, nested=False)

    def _fill(self, template: str, args: Dict[str, str], locale: str, bundle: str,
              nested: bool) -> str:
        values = {}
        for name, value in args.items():
            word = None
            if not nested and isinstance(value, str) and value.startswith(VAR_PREFIX):
                word = self.text(bundle, value, locale)
            values[name] = (self._fill(word, args, locale, bundle, nested=True)
                            if word is not None else value)
        return string.Template(_LINE_BREAK.sub(" ", template)).safe_substitute(values)

    def strings(self, locale: str, bundles: Iterable[str] = BUNDLES) -> Dict[str, Dict[str, str]]:
        """{bundle: {key: text}} of @locale with English for what it lacks (the page's)."""
        return {b: {**self.get(b, ENGLISH), **self.get(b, locale)} for b in bundles}

    def problems(self) -> List[str]:
        """What a translation does wrong against English: a missing or extra key, a
        different set of ${variables}, a bundle without English. Empty when all is well."""
        out = []
        for bundle in self.bundles:
            english = self.get(bundle, ENGLISH)
            if not english:
                out.append("%s: no English catalogue %s.properties" % (bundle, bundle))
                continue
            for loc in self.locales[1:]:
                table = self.get(bundle, loc)
                name = "%s_%s.properties" % (bundle, loc)
                if not table:
                    out.append("%s: missing" % name)
                    continue
                for key in sorted(set(english) - set(table)):
                    out.append("%s: missing key %s" % (name, key))
                for key in sorted(set(table) - set(english)):
                    out.append("%s: key %s is not in English" % (name, key))
                for key in sorted(set(english) & set(table)):
                    want, got = placeholders(english[key]), placeholders(table[key])
                    if want != got:
                        out.append("%s: %s has ${%s}, English has ${%s}" % (
                            name, key, ", ".join(got), ", ".join(want)))
        return out
