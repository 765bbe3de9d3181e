"""test_inventory.py: sriovfo.Inventory against the C library and the sriovfo command.

The bindings add no rule of their own, so what they return must be what the library
computes: the golden files of the C unit tests (tests/data/model, domxml, netxml) and the
sriovfo command's --json output for the same input.
"""

import ctypes
import ctypes.util
import json
import os
import pathlib
import subprocess

import pytest

import conftest
import sriovfo


def sriovfo_cli(*args):
    """Runs the built sriovfo command; (exit status, parsed --json output)."""
    cli = os.environ.get("SFO_CLI", os.path.join(conftest.TOP_BUILDDIR, "cli", "sriovfo"))
    proc = subprocess.run([cli, *args], stdout=subprocess.PIPE, check=False)
    return proc.returncode, json.loads(proc.stdout)


def as_cli_json(violations):
    return [
        {"key": v.key, "severity": v.severity, "message": v.message,
         "subject": {"type": v.subject_type, "id": v.subject_id}}
        for v in violations
    ]


def without_args(cli_violations):
    return [{k: v for k, v in item.items() if k != "args"} for item in cli_violations]


def test_load_and_from_string_agree_with_the_golden_format():
    path = conftest.data_path("model", "full.json")
    expected = conftest.read_data("model", "full.formatted.json")
    with sriovfo.Inventory.load(path) as a:
        assert a.to_json() == expected
    b = sriovfo.Inventory.from_string(conftest.read_data("model", "full.json"))
    assert b.to_json() == expected
    c = sriovfo.Inventory.from_string(conftest.read_data("model", "full.json").encode())
    assert c.to_json() == expected
    # a path-like object and bytes paths work as for open()
    assert sriovfo.Inventory.load(pathlib.Path(path)).to_json() == expected
    assert sriovfo.Inventory.load(os.fsencode(path)).to_json() == expected


def test_check_matches_the_command():
    path = conftest.data_path("cli", "violations.json")
    rc, out = sriovfo_cli("check", "--json", path)
    assert rc == 1
    violations = sriovfo.Inventory.load(path).check()
    assert len(violations) > 3
    assert as_cli_json(violations) == without_args(out["violations"])
    assert json.loads(violations.to_json()) == out
    assert violations.error_count == len(violations.errors) == sum(v.is_error for v in violations)
    assert all(isinstance(v, sriovfo.Violation) for v in violations)
    assert violations[0].subject == (violations[0].subject_type, violations[0].subject_id)


def test_clean_inventory_has_no_violations():
    violations = sriovfo.Inventory.load(
        os.path.join(conftest.TOP_SRCDIR, "examples", "inventory.json")).check()
    assert violations == [] and violations.ok and violations.to_json() == '{"violations":[]}'


@pytest.mark.parametrize("action", sriovfo.ACTIONS)
def test_validate_matches_the_command(action):
    inventory = os.path.join(conftest.TOP_SRCDIR, "examples", "inventory.json")
    obj = conftest.data_path("cli", "validate", action + ".json")
    rc, out = sriovfo_cli("validate", "--json", inventory, action, obj)
    inv = sriovfo.Inventory.load(inventory)
    with open(obj, encoding="utf-8") as f:
        text = f.read()
    by_text = inv.validate(action, text)
    by_dict = inv.validate(action, json.loads(text))
    by_number = inv.validate(sriovfo.action_from_string(action), text)
    assert as_cli_json(by_text) == without_args(out["violations"])
    assert by_dict == by_text == by_number
    assert rc == (0 if by_text.ok else 1)


def test_actions_round_trip():
    assert sriovfo.ACTIONS[0] == "add-vnic-profile" and "migrate-vm" in sriovfo.ACTIONS
    for number, name in enumerate(sriovfo.ACTIONS):
        assert sriovfo.action_from_string(name) == number
        assert sriovfo.action_to_string(number) == name
    assert sriovfo.action_to_string(len(sriovfo.ACTIONS)) is None
    assert sriovfo.action_to_string(-1) is None


@pytest.mark.parametrize("name,domain", [
    ("pair-vlan-mtu", True), ("two-pairs", False), ("mixed", True), ("i440fx", True),
    ("macvtap", False), ("no-failover", False), ("unplugged", False),
])
def test_domxml_is_the_golden_xml(name, domain):
    inv = sriovfo.Inventory.load(conftest.data_path("domxml", name + ".json"))
    assert inv.domxml("vm1") == conftest.read_data("domxml", name + ".xml")
    if domain:
        assert inv.domxml("vm1", domain=True) == conftest.read_data("domxml", name + "-domain.xml")


def test_netxml_is_the_golden_xml():
    inv = sriovfo.Inventory.load(conftest.data_path("netxml", "host-networks.json"))
    assert inv.netxml("h1") == conftest.read_data("netxml", "host-networks.xml")


def test_context_manager_and_close():
    with sriovfo.Inventory.load(conftest.data_path("domxml", "mixed.json")) as inv:
        assert not inv.closed
        inv.check()
    assert inv.closed and "closed" in repr(inv)
    with pytest.raises(sriovfo.InvalidInput, match="closed"):
        inv.check()
    with pytest.raises(ValueError):
        with inv:
            pass
    inv.close()  # idempotent


def test_inventory_is_not_constructed_directly():
    with pytest.raises(TypeError, match="Inventory.load"):
        sriovfo.Inventory("{}")


def _heap_in_use():
    """Bytes the C allocator has handed out (glibc mallinfo2), or None."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallinfo2"):
        return None

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc.mallinfo2.restype = Mallinfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def test_objects_are_freed_when_their_last_reference_goes():
    """Without gc.collect(): CPython frees each inventory and violation list at once."""
    text = conftest.read_data("cli", "violations.json")

    def churn(n):
        for _ in range(n):
            inv = sriovfo.Inventory.from_string(text)
            violations = inv.check()
            del inv, violations

    churn(20)  # first-use allocations (interned strings, caches) out of the way
    before = _heap_in_use()
    held = [sriovfo.Inventory.from_string(text) for _ in range(50)]
    held += [inv.check() for inv in held]
    grown = (_heap_in_use() or 0) - (before or 0)
    if before is None or grown < 50 * 1024:
        pytest.skip("the allocator's statistics are not available here (valgrind, ASan)")
    del held
    assert _heap_in_use() - before < grown / 4, "not freed when the last reference went"
    churn(500)  # 10 times what was held: a leak per object would show
    leaked = _heap_in_use() - before
    assert leaked < grown / 4, "%d bytes still in use after 500 rounds, %d for 50 held" % (
        leaked, grown)
