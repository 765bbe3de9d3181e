"""test_store.py: sriovfo.Store against a real PostgreSQL.

The DSN tests share the session's private cluster (conftest.py: initdb and pg_ctl in a
temporary directory, as tests/store does), each on a new database; one test opens the
embedded default store, Store() with no DSN, in a data directory of its own
($SRIOVFO_DATA_DIR), as the sriovfo command does, and stops it at the end. The store adds no
rule of its own, so what it refuses must be what Inventory.validate() and check() report
over the same inventory, and nothing may be written when it refuses.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import time

import pytest

import conftest
import sriovfo
from sriovfo import errors

EXAMPLE = os.path.join(conftest.TOP_SRCDIR, "examples", "inventory.json")
BROKEN_PROFILE = os.path.join(conftest.TOP_SRCDIR, "examples", "broken-profile.json")
MIGRATIONS = os.environ.get("SRIOVFO_MIGRATIONS_DIR",
                            os.path.join(conftest.TOP_SRCDIR, "db-migrations"))

# ids from examples/inventory.json
WEB1 = "95edeee5-777a-4224-b25c-eebddcdf333f"
NIC_WEB1_VF = "90886d6b-ccd6-412b-8621-d7cf84b048d0"
P_SRIOV_FAILOVER = "5e60bdfc-920b-4a2c-84d4-517b497fa354"
P_VIRTIO_FAILOVER = "9819b960-fe29-44f5-9ffc-cd8624bdea69"
P_SRIOV_PLAIN = "66ae506a-0941-4e8a-9a68-3384d4976b07"
P_VM_BRIDGE = "d467bfe4-bad1-4ab5-988f-f731c07d6485"
NETWORK = "1fe46092-0f45-4bae-a0c7-82ebd06d4a71"

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def latest_version():
    return len(glob.glob(os.path.join(MIGRATIONS, "[0-9][0-9][0-9][0-9]_*.sql")))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def described(violations):
    return [(v.key, v.severity, v.message, v.subject) for v in violations]


def nic(store, nic_id):
    return [n for n in json.loads(store.export().to_json())["nics"] if n["id"] == nic_id]


@pytest.fixture
def dsn(pg_cluster):
    """A new database with the current schema"""
    dsn = pg_cluster.new_dsn()
    with sriovfo.Store(dsn, connect_only=True) as store:
        store.upgrade()
    return dsn


@pytest.fixture
def store(dsn):
    """A store holding examples/inventory.json"""
    with sriovfo.Store(dsn) as store:
        assert store.import_inventory(sriovfo.Inventory.load(EXAMPLE)) == []
        yield store


def test_version_and_upgrade_of_a_new_database(pg_cluster):
    latest = latest_version()
    assert latest >= 2
    dsn = pg_cluster.new_dsn()
    # a DSN's database is upgraded only on request
    with pytest.raises(sriovfo.DatabaseError) as info:
        sriovfo.Store(dsn)
    assert info.value.key == errors.DB_SCHEMA_TOO_OLD
    assert info.value.code == -6
    with sriovfo.Store(dsn, connect_only=True) as store:
        assert store.version() == (0, latest)
        assert store.upgrade() == latest
        assert store.version() == (latest, latest)
        assert store.upgrade() == 0
    applied, newest = sriovfo.Store(dsn).version()
    assert (type(applied), type(newest)) == (int, int)
    assert (applied, newest) == (latest, latest)


def generated_inventory(vms, vms_per_host=16):
    """@vms VMs with 8 failover VF NICs each, every VF on a host; passes check."""
    pairs = range(8)
    nets = [f"sriov-{k}" for k in pairs] + [f"virtio-{k}" for k in pairs]
    links = [{"id": n} for n in nets]
    doc = {
        "data_centers": [{"id": "dc1", "name": "Default"}],
        "clusters": [{"id": "c1", "name": "Default", "data_center": {"id": "dc1"},
                      "version": {"major": 4, "minor": 7}, "networks": links}],
        "networks": [{"id": n, "name": n, "data_center": {"id": "dc1"},
                      "vlan": {"id": 100 + int(n.split("-")[1])}} for n in nets],
        "vnic_profiles": [p for k in pairs for p in (
            {"id": f"vf-{k}", "name": f"vf{k}", "network": {"id": f"sriov-{k}"},
             "pass_through": {"mode": "enabled"}, "migratable": True,
             "failover": {"id": f"fo-{k}"}},
            {"id": f"fo-{k}", "name": f"fo{k}", "network": {"id": f"virtio-{k}"}})],
        "vms": [], "nics": [], "hosts": [],
    }
    hosts = (vms + vms_per_host - 1) // vms_per_host
    for h in range(hosts):
        pfs = [{"name": f"ens{k + 1}f0", "address": f"{h:04x}:{0x10 + 2 * k:02x}:00.0",
                "networks": [{"id": f"sriov-{k}"}], "vfs": []} for k in pairs]
        doc["hosts"].append({"id": f"host-{h}", "name": f"host{h}", "cluster": {"id": "c1"},
                             "networks": links, "sriov_pfs": pfs})
        for j in range(vms_per_host):
            v = h * vms_per_host + j
            if v >= vms:
                break
            doc["vms"].append({"id": f"vm-{v}", "name": f"vm{v}", "cluster": {"id": "c1"},
                               "os": {"type": "rhel_8x64"},
                               "status": "up", "host": {"id": f"host-{h}"}})
            for k in pairs:
                n = v * 8 + k
                vf = f"{h:04x}:{0x11 + 2 * k:02x}:{j // 8:02x}.{j % 8:x}"
                doc["nics"].append({
                    "id": f"vm-{v}-nic{k}", "name": f"nic{k}", "vm": {"id": f"vm-{v}"},
                    "vnic_profile": {"id": f"vf-{k}"}, "interface": "pci_passthrough",
                    "mac": {"address": "56:6f:%02x:%02x:%02x:%02x" % (
                        n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255)},
                    "vf": {"address": vf}})
                pfs[k]["vfs"].append({"address": vf, "nic": {"id": f"vm-{v}-nic{k}"}})
    return json.dumps(doc)


def test_export_to_streams_the_text_of_export(dsn, tmp_path):
    """export_to() writes what export().to_json() returns, across cursor batches (1000
    rows) and with each host's VFs merged in as they come."""
    path = tmp_path / "export.json"
    with sriovfo.Store(dsn) as store:
        with open(path, "w", encoding="utf-8") as f:
            store.export_to(f)
        assert path.read_text(encoding="utf-8") == store.export().to_json()
        for inventory in (read(EXAMPLE), generated_inventory(300)):
            assert store.import_inventory(inventory, replace=True) == []
            with open(path, "w", encoding="utf-8") as f:
                f.write("stays ")
                store.export_to(f)
            expected = store.export().to_json()
            assert path.read_text(encoding="utf-8") == "stays " + expected
        assert len(json.loads(expected)["nics"]) == 2400
        with open(path, "rb") as f, pytest.raises(errors.IOFailure) as info:
            store.export_to(f.fileno())
        assert info.value.key == "FILE_UNWRITABLE"


def test_import_then_export_round_trip(dsn):
    with sriovfo.Store(dsn) as store:
        assert json.loads(store.export().to_json())["vnic_profiles"] == []
        inv = sriovfo.Inventory.load(EXAMPLE)
        assert store.import_inventory(inv) == []
        exported = store.export()
        assert isinstance(exported, sriovfo.Inventory)
        assert exported.to_json() == inv.to_json()
        # as JSON text, replacing: the same again
        assert store.import_inventory(exported.to_json(), replace=True) == []
        assert store.export().to_json() == inv.to_json()
        # a dict is taken too
        assert store.import_inventory(json.loads(read(EXAMPLE)), replace=True) == []
        assert store.export().to_json() == inv.to_json()


def test_import_into_a_store_that_is_not_empty(store):
    with pytest.raises(sriovfo.InvalidInput) as info:
        store.import_inventory(sriovfo.Inventory.load(EXAMPLE))
    assert info.value.key == errors.STORE_NOT_EMPTY


def test_import_with_warnings_returns_them(store):
    warnings = store.import_inventory(sriovfo.Inventory.load(conftest.data_path(
        "cli", "warnings.json")), replace=True)
    assert isinstance(warnings, sriovfo.Violations)
    assert [v.key for v in warnings] == ["WARNING_FAILOVER_NETWORK_MTU_MISMATCH"]
    assert warnings.ok


def test_refused_import_raises_the_check_violations_and_writes_nothing(store):
    before = store.export().to_json()
    refused = sriovfo.Inventory.load(conftest.data_path("cli", "violations.json"))
    expected = refused.check()
    assert expected.error_count == 4
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.import_inventory(refused, replace=True)
    e = info.value
    assert isinstance(e.violations, sriovfo.Violations)
    assert described(e.violations) == described(expected)
    assert e.key == expected.errors[0].key
    assert e.message == expected.errors[0].message + " (and 3 more)"
    assert e.code == -5
    assert store.export().to_json() == before


def test_refused_profile_raises_rule_violation_and_writes_nothing(store):
    before = store.list_vnic_profiles()
    expected = store.export().validate("add-vnic-profile", read(BROKEN_PROFILE))
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.add_vnic_profile(read(BROKEN_PROFILE))
    e = info.value
    assert e.key == "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID"
    assert [v.key for v in e.violations] == [e.key]
    assert described(e.violations) == described(expected)
    assert e.violations.errors[0].subject == ("vnic_profile",
                                              "e2702ee9-9327-44f6-962b-f4146da11e7c")
    assert str(e) == "%s: %s" % (e.key, e.message)
    assert json.loads(e.violations.to_json())["violations"][0]["key"] == e.key
    assert store.list_vnic_profiles() == before

    # a failover target that is removed, a NIC sharing a failover profile
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.remove_vnic_profile(P_VIRTIO_FAILOVER)
    assert [v.key for v in info.value.violations] == [
        "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED"]
    assert store.list_vnic_profiles() == before
    shared = {"id": "nic-shared", "name": "nic9", "vm": {"id": WEB1},
              "vnic_profile": {"id": P_SRIOV_FAILOVER}, "interface": "pci_passthrough",
              "mac": {"address": "56:6f:1a:2b:00:99"}}
    nics_before = json.loads(store.export().to_json())["nics"]
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.add_nic(shared)
    assert info.value.key == "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE"
    assert json.loads(store.export().to_json())["nics"] == nics_before


def test_unknown_ids(store):
    for call in (store.remove_nic, store.plug_nic, store.unplug_nic):
        with pytest.raises(sriovfo.NotFound) as info:
            call("nosuch")
        assert isinstance(info.value, KeyError)
        assert info.value.key == errors.NIC_NOT_FOUND
        assert "nosuch" in info.value.message
    # as the rules say it: an update of an unknown object is a violation
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.update_nic({"id": "nosuch", "name": "x", "vm": {"id": WEB1},
                          "vnic_profile": {"id": P_VM_BRIDGE}, "interface": "virtio",
                          "mac": {"address": "56:6f:1a:2b:00:98"}})
    assert info.value.key == "VM_INTERFACE_NOT_EXIST"
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.update_vnic_profile({"id": "nosuch", "name": "x", "network": {"id": NETWORK}})
    assert info.value.key == "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS"


def test_profile_and_nic_changes_are_stored(store):
    profile_id, warnings = store.add_vnic_profile({"name": "no-id", "network": {"id": NETWORK}})
    assert UUID.match(profile_id) and warnings == []
    added = json.loads(conftest.read_data("cli", "validate", "add-vnic-profile.json"))
    assert store.add_vnic_profile(json.dumps(added)) == (added["id"], [])
    with pytest.raises(sriovfo.InvalidInput) as info:
        store.add_vnic_profile(added)
    assert info.value.key == errors.INVENTORY_DUPLICATE_ID
    with pytest.raises(sriovfo.InvalidInput) as info:
        store.add_vnic_profile("{")
    assert info.value.key == errors.INVENTORY_SYNTAX_ERROR
    names = {p["id"]: p["name"] for p in store.list_vnic_profiles()}
    assert names[profile_id] == "no-id" and names[added["id"]] == "sriov-failover-2"
    assert list(names)[-2:] == [profile_id, added["id"]]

    assert store.update_vnic_profile(conftest.read_data(
        "cli", "validate", "update-vnic-profile.json")) == []
    assert {p["id"]: p["name"] for p in store.list_vnic_profiles()}[P_SRIOV_PLAIN] == \
        "sriov-plain-renamed"
    assert store.remove_vnic_profile(P_SRIOV_PLAIN) == []
    assert P_SRIOV_PLAIN not in [p["id"] for p in store.list_vnic_profiles()]

    nic_id, _ = store.add_nic(conftest.read_data("cli", "validate", "add-nic.json"))
    assert nic_id == "3d1f7a52-8c1b-4f0e-a3a4-2b9d6e7f8a01" and len(nic(store, nic_id)) == 1
    assert store.unplug_nic(NIC_WEB1_VF) == []
    assert nic(store, NIC_WEB1_VF)[0]["plugged"] is False
    assert store.plug_nic(NIC_WEB1_VF) == []
    assert nic(store, NIC_WEB1_VF)[0]["plugged"] is True
    assert store.remove_nic(NIC_WEB1_VF) == []
    assert nic(store, NIC_WEB1_VF) == []


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_context_manager_closes_the_connection(pg_cluster, dsn):
    def sessions():
        return int(pg_cluster.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sfo-ctx'"))

    dsn += " application_name=sfo-ctx"
    with sriovfo.Store(dsn) as store:
        assert not store.closed
        assert store.version()[0] == latest_version()
        assert sessions() == 1
    assert store.closed
    assert wait_for(lambda: sessions() == 0), "the connection outlived the with block"
    with pytest.raises(sriovfo.InvalidInput, match="closed"):
        store.version()
    with pytest.raises(sriovfo.InvalidInput, match="closed"):
        store.export()
    with pytest.raises(sriovfo.InvalidInput, match="closed"):
        store.__enter__()
    store.close()  # again: nothing happens
    assert repr(store) == "<sriovfo.Store closed>"

    # the last reference goes: disconnected too
    store = sriovfo.Store(dsn)
    assert wait_for(lambda: sessions() == 1)
    del store
    assert wait_for(lambda: sessions() == 0), "the connection outlived the Store"


@pytest.fixture
def embedded_env(monkeypatch):
    """A data directory of its own for the embedded store; stopped and removed at the end."""
    if not conftest.pg_bindir():
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    top = conftest.scratch_dir("sfo-py-emb.")
    data_dir = os.path.join(top, "data")
    monkeypatch.setenv("SRIOVFO_DATA_DIR", data_dir)
    monkeypatch.setenv("SRIOVFO_PG_NOSYNC", "1")
    try:
        yield data_dir
    finally:
        if os.path.exists(os.path.join(data_dir, "pgdata", "postmaster.pid")):
            sriovfo.Store.stop_embedded(data_dir)
        if not os.environ.get("SFO_TEST_KEEP"):
            shutil.rmtree(top, ignore_errors=True)


def test_embedded_default_store(embedded_env):
    data_dir = embedded_env
    assert sriovfo.Store.embedded_data_dir() == data_dir
    assert not os.path.exists(data_dir)
    latest = latest_version()

    # the first Store() creates the cluster, starts it and applies every migration
    with sriovfo.Store() as store:
        assert os.path.isfile(os.path.join(data_dir, "pgdata", "PG_VERSION"))
        assert os.path.exists(os.path.join(data_dir, ".s.PGSQL.5432"))
        assert store.version() == (latest, latest)
        assert store.import_inventory(sriovfo.Inventory.load(EXAMPLE)) == []
        profile_id, _ = store.add_vnic_profile({"id": "p-py", "name": "py",
                                                "network": {"id": NETWORK}})

    # the sriovfo command reaches the same store, and so does the next Store()
    cli = os.environ.get("SFO_CLI", os.path.join(conftest.TOP_BUILDDIR, "cli", "sriovfo"))
    out = subprocess.run([cli, "profile", "list", "--json"], stdout=subprocess.PIPE,
                         env=conftest.server_env(), check=True).stdout
    assert profile_id in [p["id"] for p in json.loads(out)["vnic_profiles"]]
    with sriovfo.Store() as store:
        profiles = json.loads(store.export().to_json())["vnic_profiles"]
        assert [p["id"] for p in profiles][-1] == "p-py" and len(profiles) == 7

    assert sriovfo.Store.stop_embedded() is True
    assert not os.path.exists(os.path.join(data_dir, "pgdata", "postmaster.pid"))
    assert sriovfo.Store.stop_embedded(data_dir) is False
