"""test_errors.py: library errors become the generated sriovfo.errors exceptions.

The classes are generated from the sfo_error_code enum of sriovfo.h and the keys from the
SFO_KEY_ macros under core/ (bindings/python/gen-errors.py); these tests read the header
and docs/error-keys.md themselves, so a code or key the generator misses fails here, and
they provoke each error for real through the C library.
"""

import os
import pickle
import re

import pytest

import conftest
import sriovfo
from sriovfo import errors

HEADER = os.path.join(conftest.TOP_SRCDIR, "core", "include", "sriovfo", "sriovfo.h")
ERROR_KEYS_DOC = os.path.join(conftest.TOP_SRCDIR, "docs", "error-keys.md")


def header_codes():
    with open(HEADER, encoding="utf-8") as f:
        enum = re.search(r"typedef enum \{(.*?)\} sfo_error_code;", f.read(), re.S).group(1)
    return {name: int(value) for name, value in re.findall(r"(SFO_\w+) = (-?\d+)", enum)}


def documented_library_keys():
    with open(ERROR_KEYS_DOC, encoding="utf-8") as f:
        text = f.read()
    table = text.split("## Library error keys", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.M))


def test_every_error_code_has_its_class():
    codes = header_codes()
    assert codes.pop("SFO_OK") == 0
    assert set(errors.CLASSES) == set(codes.values())
    for value, cls in errors.CLASSES.items():
        assert issubclass(cls, sriovfo.Error)
        assert cls.code == value


def test_classes_are_also_the_builtin_exceptions_they_stand_for():
    assert errors.CLASSES[header_codes()["SFO_EINVALID"]] is sriovfo.InvalidInput
    assert errors.CLASSES[header_codes()["SFO_ENOTFOUND"]] is sriovfo.NotFound
    assert errors.CLASSES[header_codes()["SFO_EIO"]] is sriovfo.IOFailure
    assert errors.CLASSES[header_codes()["SFO_ERROR"]] is sriovfo.Error
    assert issubclass(sriovfo.InvalidInput, ValueError)
    assert issubclass(sriovfo.NotFound, KeyError)
    assert issubclass(sriovfo.IOFailure, OSError)
    assert issubclass(sriovfo.RuleViolation, sriovfo.Error)
    assert not issubclass(sriovfo.RuleViolation, ValueError)


def test_keys_are_the_documented_library_keys():
    assert errors.KEYS == documented_library_keys()
    for key in errors.KEYS:
        assert getattr(errors, key) == key


def test_unreadable_file_is_an_io_failure(tmp_path):
    path = tmp_path / "missing.json"
    with pytest.raises(sriovfo.IOFailure) as info:
        sriovfo.Inventory.load(path)
    e = info.value
    assert isinstance(e, OSError)
    assert e.key == errors.FILE_UNREADABLE
    assert e.code == header_codes()["SFO_EIO"]
    assert str(path) in e.message
    assert e.violations == []
    assert str(e) == "FILE_UNREADABLE: " + e.message


def test_malformed_json_is_invalid_input_with_position():
    with pytest.raises(ValueError) as info:
        sriovfo.Inventory.from_string('{"data_centers": [}')
    e = info.value
    assert isinstance(e, sriovfo.InvalidInput)
    assert e.key == errors.INVENTORY_SYNTAX_ERROR
    assert re.search(r":1:\d+: ", e.message), e.message


def test_wrong_type_names_the_json_path():
    with pytest.raises(sriovfo.InvalidInput) as info:
        sriovfo.Inventory.load(conftest.data_path("cli", "wrong-type.json"))
    assert info.value.key == errors.INVENTORY_WRONG_TYPE
    assert "nics[" in info.value.message or "." in info.value.message


def test_unknown_vm_and_host_are_not_found_and_key_errors():
    inv = sriovfo.Inventory.load(conftest.data_path("domxml", "mixed.json"))
    with pytest.raises(KeyError) as info:
        inv.domxml("nosuch")
    assert isinstance(info.value, sriovfo.NotFound)
    assert info.value.key == errors.VM_NOT_FOUND
    assert "nosuch" in info.value.message
    # a KeyError's str() is normally the repr of its argument; ours reads like the others
    assert str(info.value) == "VM_NOT_FOUND: " + info.value.message
    with pytest.raises(sriovfo.NotFound) as info:
        inv.netxml("nosuch")
    assert info.value.key == errors.HOST_NOT_FOUND


def test_malformed_domain_xml_is_invalid_input():
    with pytest.raises(sriovfo.InvalidInput) as info:
        sriovfo.check_domxml(conftest.read_data("domxml-check", "malformed.xml"))
    assert info.value.key == errors.DOMXML_SYNTAX_ERROR
    assert re.search(r"line \d+, column \d+", info.value.message)


def test_unknown_action_and_bad_object():
    inv = sriovfo.Inventory.load(conftest.data_path("domxml", "mixed.json"))
    with pytest.raises(sriovfo.InvalidInput) as info:
        inv.validate("frob-vm", {})
    assert info.value.key == errors.INVALID_ARGUMENT
    assert "frob-vm" in info.value.message
    with pytest.raises(sriovfo.InvalidInput) as info:
        inv.validate("run-vm", "{")
    assert info.value.key == errors.INVENTORY_SYNTAX_ERROR
    with pytest.raises(sriovfo.InvalidInput) as info:
        inv.validate("run-vm", {"name": "no id"})
    assert info.value.key == errors.INVENTORY_MISSING_FIELD


def test_errors_do_not_leak_into_later_calls():
    """The last error is per call: a success after a failure raises nothing, and the next
    failure carries its own key."""
    inv = sriovfo.Inventory.load(conftest.data_path("domxml", "mixed.json"))
    with pytest.raises(sriovfo.NotFound):
        inv.domxml("nosuch")
    assert "<devices>" in inv.domxml("vm1")
    assert sriovfo.check_domxml(conftest.read_data("domxml-check", "clean.xml")) == []
    with pytest.raises(sriovfo.InvalidInput) as info:
        sriovfo.action_from_string("nope")
    assert info.value.key == errors.INVALID_ARGUMENT


def test_none_argument_is_a_type_error_before_c():
    with pytest.raises(TypeError):
        sriovfo.check_domxml(None)
    with pytest.raises(TypeError):
        sriovfo.Inventory.from_string(42)


def test_text_arguments_are_checked():
    with pytest.raises(sriovfo.InvalidInput, match="NUL"):
        sriovfo.check_domxml("<domain>\0</domain>")
    with pytest.raises(sriovfo.InvalidInput, match="not UTF-8"):
        sriovfo.check_domxml(b"<domain>\xff</domain>")


def test_rule_violation_carries_the_violations():
    inv = sriovfo.Inventory.load(os.path.join(conftest.TOP_SRCDIR, "examples", "inventory.json"))
    with open(os.path.join(conftest.TOP_SRCDIR, "examples", "broken-profile.json")) as f:
        violations = inv.validate("add-vnic-profile", f.read())
    assert not violations.ok
    with pytest.raises(sriovfo.RuleViolation) as info:
        violations.raise_for_errors()
    e = info.value
    assert e.key == "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID"
    assert e.message == violations.errors[0].message
    assert e.violations == list(violations)
    assert isinstance(e.violations, sriovfo.Violations)
    assert e.code == header_codes()["SFO_EVIOLATED"]


def test_warnings_alone_raise_nothing():
    inv = sriovfo.Inventory.load(conftest.data_path("cli", "warnings.json"))
    violations = inv.check()
    assert [v.key for v in violations] == ["WARNING_FAILOVER_NETWORK_MTU_MISMATCH"]
    assert violations.ok and violations.errors == [] and len(violations.warnings) == 1
    violations.raise_for_errors()


def test_exceptions_pickle():
    e = errors._from_error(-3, "VM_NOT_FOUND", "VM 'x' is not in the inventory")
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is sriovfo.NotFound
    assert (copy.key, copy.message) == (e.key, e.message)
