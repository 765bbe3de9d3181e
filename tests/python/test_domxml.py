"""test_domxml.py: sriovfo.check_domxml() against the C library and the sriovfo command."""

import glob
import json
import os
import subprocess

import pytest

import conftest
import sriovfo

CASES = sorted(glob.glob(conftest.data_path("domxml-check", "*.xml")))
NOT_WELL_FORMED = {"malformed.xml", "doctype.xml", "wrong-root.xml"}


def cli_check_domxml(path):
    cli = os.environ.get("SFO_CLI", os.path.join(conftest.TOP_BUILDDIR, "cli", "sriovfo"))
    proc = subprocess.run([cli, "check-domxml", "--json", path], stdout=subprocess.PIPE,
                          check=False)
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("path", CASES, ids=os.path.basename)
def test_check_domxml_matches_the_command(path):
    rc, out = cli_check_domxml(path)
    with open(path, encoding="utf-8") as f:
        xml = f.read()
    if os.path.basename(path) in NOT_WELL_FORMED:
        assert rc == 2
        with pytest.raises(sriovfo.InvalidInput):
            sriovfo.check_domxml(xml)
        return
    violations = sriovfo.check_domxml(xml)
    assert json.loads(violations.to_json()) == json.loads(out)
    assert rc == (0 if violations.ok else 1)
    assert sriovfo.check_domxml(xml.encode("utf-8")) == violations


def test_known_outcomes():
    def keys(name):
        return [v.key for v in sriovfo.check_domxml(conftest.read_data("domxml-check", name))]

    assert keys("clean.xml") == []
    assert keys("persistent-shared.xml") == ["ACTION_TYPE_FAILED_TEAMING_PERSISTENT_SHARED"]
    assert "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND" in keys("persistent-not-found.xml")
    assert "ACTION_TYPE_FAILED_TEAMING_TRANSIENT_NOT_HOSTDEV" in keys("transient-not-hostdev.xml")
    assert "ACTION_TYPE_FAILED_TEAMING_MAC_MISMATCH" in keys("mac-mismatch.xml")


def test_violation_fields():
    (v,) = sriovfo.check_domxml(conftest.read_data("domxml-check", "persistent-shared.xml"))
    assert v.severity == sriovfo.ERROR and v.is_error
    assert v.subject_type == "interface"
    assert v.subject_id in v.message
    assert "\n" not in v.message
    assert str(v) == "error %s: %s" % (v.key, v.message)


PATCH_CASES = sorted(p for p in glob.glob(conftest.data_path("domxml-patch", "*.xml"))
                     if not p.endswith(".out.xml"))


@pytest.mark.parametrize("path", PATCH_CASES, ids=os.path.basename)
def test_patch_teaming_macs_is_the_golden_output(path):
    """The C unit test (test-domxml-patch) proves the edits byte for byte; here the
    bindings must hand back the same bytes: str in, str out, nothing re-encoded."""
    with open(path, "rb") as f:
        data = f.read()
    golden = path[:-len(".xml")] + ".out.xml"
    expected = data
    if os.path.exists(golden):
        with open(golden, "rb") as f:
            expected = f.read()
    text, fixes = sriovfo.patch_teaming_macs(data.decode("utf-8"))
    assert text.encode("utf-8") == expected
    assert all(v.key == "WARNING_TEAMING_MAC_COPIED" and not v.is_error for v in fixes)
    assert (len(fixes) > 0) == (expected != data)
    assert fixes.ok


def test_patch_teaming_macs_reports_each_fix():
    text, fixes = sriovfo.patch_teaming_macs(conftest.read_data("domxml-patch", "two-pairs.xml"))
    assert [v.subject for v in fixes] == [("interface", "ua-vf-a"), ("interface", "ua-vf-b")]
    assert "56:6f:1a:2b:0a:0a" in fixes[0].message and "ua-fo-a" in fixes[0].message
    assert sriovfo.check_domxml(text) == []


def test_patch_teaming_macs_malformed():
    with pytest.raises(sriovfo.InvalidInput) as info:
        sriovfo.patch_teaming_macs("<devices><interface>")
    assert info.value.key == "DOMXML_SYNTAX_ERROR"
