"""test_ui_strings.py: the catalogues of ui-strings/ in every locale (sriovfo.catalog)

Every translation has every English key with the same ${variables}; the Python
rendering of a violation equals the library's English message, and in another locale
carries no English word (the verbs and kinds of objects are catalogue words).
"""

import glob
import json
import os
import re
import shutil

import pytest

import conftest
import sriovfo
from sriovfo import catalog

UI_STRINGS = os.path.join(conftest.TOP_SRCDIR, "ui-strings")
LOCALES = ["en", "de_DE", "fr_FR", "ja_JP", "zh_CN"]

# ja_JP and zh_CN texts are written in their scripts; these keys may stay in Latin
# letters there (product words, abbreviations)
LATIN_ALLOWED = {"VAR__ENTITIES__VM", "VAR__ENTITIES__VMS", "ok", "vmNicMacAddress"}


@pytest.fixture(scope="module")
def catalogs():
    return catalog.Catalogs(UI_STRINGS)


def test_every_locale_has_every_key_and_the_same_variables(catalogs):
    assert catalogs.locales == LOCALES
    assert catalogs.bundles == sorted(catalog.BUNDLES)
    assert catalogs.problems() == []


def test_the_oVirt_keys_the_page_needs_are_there(catalogs):
    for loc in LOCALES:
        ui = catalogs.get("UIConstants", loc)
        app = catalogs.get("ApplicationConstants", loc)
        assert ui["failoverVnicProfile"] and ui["failoverNotChangedIfUsedByVms"]
        assert app["failoverVnicProfile"] and app["noneFailover"]
    assert catalogs.get("ApplicationConstants", "en")["noneFailover"] == "None"
    assert (catalogs.get("UIConstants", "en")["failoverNotChangedIfUsedByVms"]
            == "'Failover vNIC profile' cannot be changed if the vNIC Profile is used by a VM")


def edit(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert old in text
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def test_a_key_added_to_english_only_is_caught(tmp_path):
    d = str(tmp_path / "ui-strings")
    shutil.copytree(UI_STRINGS, d)
    with open(os.path.join(d, "ApplicationConstants.properties"), "a", encoding="utf-8") as f:
        f.write("brandNewLabel=Brand new\n")
    with open(os.path.join(d, "AppErrors_ja_JP.properties"), "a", encoding="utf-8") as f:
        f.write("ONLY_IN_JAPANESE=\u65e5\u672c\u8a9e\n")
    edit(os.path.join(d, "AppErrors_de_DE.properties"), "${HostName}", "${Host}")
    edit(os.path.join(d, "UIConstants_fr_FR.properties"), "failoverVnicProfile=", "# ")
    problems = catalog.Catalogs(d).problems()
    for loc in LOCALES[1:]:
        assert ("ApplicationConstants_%s.properties: missing key brandNewLabel" % loc) in problems
    assert "AppErrors_ja_JP.properties: key ONLY_IN_JAPANESE is not in English" in problems
    assert "UIConstants_fr_FR.properties: missing key failoverVnicProfile" in problems
    assert any(p.startswith("AppErrors_de_DE.properties: ") and
               p.endswith(" has ${Host, NetworkNames, action, type}, English has "
                          "${HostName, NetworkNames, action, type}") for p in problems), problems
    # a new locale must come with every bundle
    shutil.copy(os.path.join(d, "AppErrors_de_DE.properties"),
                os.path.join(d, "AppErrors_es_ES.properties"))
    problems = catalog.Catalogs(d).problems()
    assert "UIConstants_es_ES.properties: missing" in problems
    assert "ApplicationConstants_es_ES.properties: missing" in problems


def test_translations_are_written_not_copied(catalogs):
    for bundle in catalogs.bundles:
        english = catalogs.get(bundle, "en")
        for loc in ("ja_JP", "zh_CN"):
            latin = sorted(k for k, v in catalogs.get(bundle, loc).items()
                           if k not in LATIN_ALLOWED and all(ord(c) < 128 for c in v))
            assert latin == [], "%s_%s: texts in Latin letters only: %s" % (bundle, loc, latin)
        for loc in ("de_DE", "fr_FR"):
            same = [k for k, v in catalogs.get(bundle, loc).items() if v == english[k]]
            # a few words are the same in these languages (OK, VM, Passthrough, ...)
            assert len(same) <= len(english) // 5, "%s_%s copies English: %s" % (bundle, loc, same)


def test_every_catalogue_is_installed():
    with open(os.path.join(conftest.TOP_SRCDIR, "Makefile.am"), encoding="utf-8") as f:
        makefile = f.read()
    listed = re.search(r"^SFO_UI_STRINGS =((?:.*\\\n)*.*)$", makefile, re.M).group(1)
    for path in glob.glob(os.path.join(UI_STRINGS, "*.properties")):
        assert "ui-strings/" + os.path.basename(path) in listed.split()


def violations_of_every_kind():
    """Violations of profiles, NICs and VMs from the rules' test inventories (JSON form)."""
    out = []
    for name in sorted(glob.glob(conftest.data_path("plan", "*.out.json"))):
        with open(name, encoding="utf-8") as f:
            out.extend(json.load(f).get("violations", []))
    with sriovfo.Inventory.load(conftest.data_path("rules", "base.json")) as inv:
        profile = {"id": "p-new", "name": "p-new-name", "network": {"id": "net-vf"},
                   "pass_through": {"mode": "enabled"}, "failover": {"id": "p-new"}}
        out.extend(json.loads(inv.validate("add-vnic-profile", profile).to_json())["violations"])
        for used in ("p-br", "p-virtio", "p-vf"):
            out.extend(json.loads(inv.validate("remove-vnic-profile", {"id": used}).to_json())["violations"])
    return out


def test_python_renders_as_the_library_in_english(catalogs):
    violations = violations_of_every_kind()
    keys = {v["key"] for v in violations}
    assert len(keys) >= 4, keys
    for v in violations:
        assert catalogs.render(v["key"], v["args"]) == v["message"]


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_no_english_word_in_a_translated_violation(catalogs, locale):
    english_words = {catalogs.get("AppErrors", "en")[k] for k in catalogs.get("AppErrors", "en")
                     if k.startswith("VAR__ACTION__") or k.startswith("VAR__OPERATION__")}
    for v in violations_of_every_kind():
        msg = catalogs.render(v["key"], v["args"], locale)
        assert "${" not in msg and "VAR__" not in msg, msg
        assert "VM network interface profile" not in msg and "interface '" not in msg, msg
        for word in english_words:
            assert not re.search(r"\b%s\b" % re.escape(word), msg), (word, msg)


def test_render_fills_catalogue_words_per_locale(catalogs):
    args = {"action": "VAR__ACTION__REMOVE", "type": "VAR__TYPE__VNIC_PROFILE",
            "typeName": "vf-profile", "ENTITIES_USING_FAILOVER": "p-a, p-b"}
    key = "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED"
    assert catalogs.render(key, args) == (
        "Cannot remove VM network interface profile 'vf-profile'. "
        "Profile is selected as failover for: p-a, p-b.")
    ja = catalogs.render(key, args, "ja_JP")
    assert ja.startswith("VM ネットワークインターフェースプロファイル「vf-profile」を削除できません。")
    assert ja.endswith("p-a, p-b。")
    assert catalogs.render(key, args, "de_DE").startswith(
        "VM-Netzwerkschnittstellenprofil „vf-profile“ kann nicht entfernt werden.")
    # an unknown locale falls back to English, an unknown key renders as itself
    assert catalogs.render(key, args, "xx_XX") == catalogs.render(key, args)
    assert catalogs.render("NO_SUCH_KEY", args, "ja_JP") == "NO_SUCH_KEY"


@pytest.mark.parametrize("header,locale", [
    ("ja", "ja_JP"), ("ja-JP,en;q=0.5", "ja_JP"), ("de-AT,de;q=0.9", "de_DE"),
    ("fr-CA", "fr_FR"), ("zh-CN", "zh_CN"), ("en-GB,ja;q=0.1", "en"), ("es", "en"),
    ("", "en"), (None, "en"), ("*", "en"), ("en;q=0.1, zh;q=0.8", "zh_CN"),
])
def test_accept_language_picks_a_catalogue(catalogs, header, locale):
    assert catalogs.negotiate(header) == locale


def test_page_strings_fall_back_to_english(tmp_path, catalogs):
    d = str(tmp_path / "ui-strings")
    shutil.copytree(UI_STRINGS, d)
    edit(os.path.join(d, "ApplicationConstants_ja_JP.properties"), "noneFailover=", "# ")
    cats = catalog.Catalogs(d)
    strings = cats.strings("ja_JP")
    assert strings["ApplicationConstants"]["noneFailover"] == "None"
    assert strings["UIConstants"]["failoverVnicProfile"] == "フェイルオーバー vNIC プロファイル"
    assert catalogs.normalize("ja-jp") == "ja_JP" and catalogs.normalize("pt-BR") == "en"
    # a violation key a translation lacks is rendered wholly in English
    edit(os.path.join(d, "AppErrors_ja_JP.properties"),
         "ACTION_TYPE_FAILED_VM_NOT_FOUND=", "# ")
    cats = catalog.Catalogs(d)
    args = {"action": "VAR__ACTION__RUN", "type": "VAR__TYPE__VM", "typeName": "vm1"}
    assert cats.render("ACTION_TYPE_FAILED_VM_NOT_FOUND", args, "ja_JP") == (
        "Cannot run VM 'vm1'. VM is not found.")
    assert catalog.Catalogs(str(tmp_path)).locales == ["en"]   # no catalogue at all
