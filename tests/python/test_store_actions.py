"""test_store_actions.py: Store.plan(), Store.apply() and Store.reconcile() (docs/store.md,
"Actions").

Real components: the session's PostgreSQL cluster (conftest.py) and libvirt's embedded qemu
driver with Debian's QEMU, on domains that are defined but not running (libvirt changes a
definition at once, so no guest has to acknowledge an unplug). VFIO is not available here: the
plans are emulated (an e1000e with the VF's MAC and alias stands in for the VF). libvirt allows
one process at a time on an embedded root, so virsh defines the domains before this process
opens the root, and the checks afterwards read the store and what the steps reported.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

import conftest
import sriovfo

EXEC_INVENTORY = os.path.join(conftest.TOP_SRCDIR, "tests", "data", "exec", "inventory.json")
# VMs of the exec inventory whose domains this module defines (VM id -> domain name)
DOMAINS = {"vm-hold": "exec-hold", "vm-json": "exec-json"}
FREE_VF = "0000:3b:03.0"  # host h1's one free VF


@pytest.fixture(scope="module")
def embed_uri():
    """An embedded libvirt root with the module's domains defined (not running)."""
    if not os.environ.get("QEMU_SYSTEM_X86_64") or not shutil.which("virsh"):
        pytest.skip("no qemu-system-x86_64 or virsh")
    root = conftest.scratch_dir("sfo-py-act.")
    os.makedirs(os.path.join(root, "etc"))
    with open(os.path.join(root, "etc", "qemu.conf"), "w", encoding="utf-8") as f:
        f.write('stdio_handler = "file"\ncgroup_controllers = [ ]\nuser = "root"\n'
                'group = "root"\nremember_owner = 0\nnamespaces = [ ]\n')
    uri = "qemu:///embed?root=" + root
    commands = []
    for name in DOMAINS.values():
        path = os.path.join(root, name + ".xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(conftest.idle_domain_xml(name))
        commands.append("define " + path)
    subprocess.run(["virsh", "-c", uri, "; ".join(commands)], check=True,
                   stdout=subprocess.DEVNULL)
    yield uri
    if not os.environ.get("SFO_TEST_KEEP"):
        shutil.rmtree(root, ignore_errors=True)


def inventory(uri, h2_uri=True):
    """The exec inventory with the hosts' libvirt URIs; NIC n-hold (no VF) and n-json are
    unplugged, n-json without its VF (freed on the host): both want h1's one free VF."""
    inv = json.load(open(EXEC_INVENTORY, encoding="utf-8"))
    for host in inv["hosts"]:
        if host["id"] == "h1" or h2_uri:
            host["libvirt_uri"] = uri
        for pf in host.get("sriov_pfs", []):
            for vf in pf.get("vfs", []):
                if vf.get("nic", {}).get("id") == "n-json":
                    del vf["nic"]
    for nic in inv["nics"]:
        if nic["id"] in ("n-hold", "n-json"):
            nic["plugged"] = False
            nic.pop("vf", None)
    # vm-split runs nowhere: its NIC's plug and unplug have no libvirt step
    for vm in inv["vms"]:
        if vm["id"] == "vm-split":
            vm.pop("host", None)
            vm["status"] = "down"
    for nic in inv["nics"]:
        if nic["id"] == "n-split":
            nic["plugged"] = False
    # n-json's VF is 0000:3b:18.0 again once freed: give it to nobody but keep it taken
    for host in inv["hosts"]:
        for pf in host.get("sriov_pfs", []):
            for vf in pf.get("vfs", []):
                if vf["address"] == "0000:3b:18.0":
                    vf["nic"] = {"id": "n-plug"}
    return inv


class ActionStore(sriovfo.Store):
    """A Store with what the tests need to look into its database."""

    __slots__ = ("pg", "dbname")


@pytest.fixture
def store(pg_cluster, embed_uri):
    """A database of its own holding inventory(): what a test leaves open in its journal
    never locks the next one's VMs."""
    dsn = pg_cluster.new_dsn()
    with sriovfo.Store(dsn, connect_only=True) as s:
        s.upgrade()
    s = ActionStore(dsn)
    s.import_inventory(inventory(embed_uri))
    s.pg = pg_cluster
    s.dbname = dsn.split("dbname=")[1].split()[0]
    yield s
    s.close()


def vf_holder(store, address, host="h1"):
    for pf in store.get("hosts", host)["sriov_pfs"]:
        for vf in pf["vfs"]:
            if vf["address"] == address:
                return vf.get("nic", {}).get("id")
    raise AssertionError("no VF %s" % address)


def test_host_uri_round_trip(store, embed_uri):
    assert store.get("hosts", "h1")["libvirt_uri"] == embed_uri
    exported = json.loads(store.export().to_json())
    assert [h.get("libvirt_uri") for h in exported["hosts"]] == [embed_uri, embed_uri]


def test_plug_then_unplug_written_back(store):
    assert vf_holder(store, FREE_VF) is None
    result = store.apply("plug", "n-hold", emulated=True)
    assert result.status == "completed", result.to_text()
    nic = store.get("nics", "n-hold")
    assert nic["plugged"] is True
    assert nic["vf"] == {"address": FREE_VF}
    assert vf_holder(store, FREE_VF) == "n-hold"
    # the VF is taken now: the other NIC that wants it is refused by the plan
    plan = store.plan("plug", "n-json", emulated=True)
    assert plan.refused
    assert [v.key for v in plan.violations] == ["CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF"]
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.apply("plug", "n-json", emulated=True)
    assert info.value.key == "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF"

    result = store.apply("unplug", "n-hold", emulated=True, unplug_timeout=5)
    assert result.status == "completed", result.to_text()
    nic = store.get("nics", "n-hold")
    assert nic["plugged"] is False
    assert "vf" not in nic
    assert vf_holder(store, FREE_VF) is None
    # free again: the other NIC gets it
    result = store.apply("plug", "n-json", emulated=True)
    assert result.status == "completed", result.to_text()
    assert vf_holder(store, FREE_VF) == "n-json"


def test_vm_running_nowhere_is_written_back(store):
    """No libvirt step and no host URI needed: the sequence without steps still ends in the
    store, which records the NIC as plugged, then unplugged."""
    result = store.apply("plug", "n-split", emulated=True)
    assert result.status == "completed", result.to_text()
    assert json.loads(result.to_json())["steps"] == []
    assert store.get("nics", "n-split")["plugged"] is True
    assert store.apply("unplug", "n-split").status == "completed"
    assert store.get("nics", "n-split")["plugged"] is False


def test_vf_taken_between_plan_and_run_is_refused_before_any_step(store, embed_uri):
    """Two sequences want the last free VF: both planned it; the first to begin gets it, the
    second is refused as it begins, before any step ran, and the store is as before."""
    late = store.plan("plug", "n-json", emulated=True)
    assert store.apply("plug", "n-hold", emulated=True).status == "completed"
    before = store.export().to_json()
    with sriovfo.Exec(embed_uri) as ex:
        ex._use_journal(sriovfo.store._c.sfo_store_open_journal(store._handle, 0))
        with pytest.raises(sriovfo.RuleViolation) as info:
            ex.run(late)
    assert info.value.key == "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF"
    assert "host1" in str(info.value)
    assert store.export().to_json() == before
    # nothing began: no sequence of n-json's VM in the journal
    assert store.pg.sql("SELECT count(*) FROM journal_sequences WHERE plan->>'vm' = 'vm-json'",
                        dbname=store.dbname) == "0"


def test_held_vf_is_not_planned(store):
    """A VF a sequence holds (its plug still running) is not free for another plan."""
    store.pg.sql("INSERT INTO journal_sequences (plan) VALUES ('{\"vm\": \"vm-x\"}');"
                 "INSERT INTO journal_vf_holds (host_id, vf_address, nic_id, sequence_id) "
                 "SELECT 'h1', '%s', 'n-elsewhere', id FROM journal_sequences" % FREE_VF,
                 dbname=store.dbname)
    plan = store.plan("plug", "n-hold", emulated=True)
    assert plan.refused
    assert plan.violations[0].key == "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF"


def test_busy_vm_refused_at_once_then_reconciled(store):
    """A VM with an open sequence (a crashed run) refuses a second action at once; reconcile
    ends the open one (undone: none of its steps had started) and the action goes through."""
    plan = json.loads(store.plan("plug", "n-hold", emulated=True).to_json())
    store.pg.sql("INSERT INTO journal_sequences (plan, source_uri) VALUES ('%s', '%s')"
                 % (json.dumps(plan).replace("'", "''"), store.get("hosts", "h1")["libvirt_uri"]),
                 dbname=store.dbname)
    with pytest.raises(sriovfo.RuleViolation) as info:
        store.apply("plug", "n-hold", emulated=True)
    assert info.value.key == "ACTION_TYPE_FAILED_OBJECT_LOCKED"
    assert store.get("nics", "n-hold")["plugged"] is False
    result = store.reconcile()
    assert result.status == "undone", result.to_text()
    assert store.reconcile().status == "completed"  # nothing left open
    assert store.apply("plug", "n-hold", emulated=True).status == "completed"
    assert store.get("nics", "n-hold")["plugged"] is True


def test_reconcile_finishes_into_the_store(store):
    """A plug whose every step was done but whose end was never recorded (a crash before the
    end): reconcile undoes it (a plug has no commit step), and the store stays unplugged; one
    that completed writes back."""
    assert store.apply("plug", "n-hold", emulated=True).status == "completed"
    assert store.get("nics", "n-hold")["plugged"] is True
    result = store.reconcile()
    assert result.status == "completed"
    assert store.get("nics", "n-hold")["plugged"] is True


def test_host_without_uri(pg_cluster, embed_uri):
    dsn = pg_cluster.new_dsn()
    with sriovfo.Store(dsn, connect_only=True) as s:
        s.upgrade()
    inv = inventory(embed_uri)
    del inv["hosts"][0]["libvirt_uri"]
    with sriovfo.Store(dsn) as s:
        s.import_inventory(inv)
        with pytest.raises(sriovfo.InvalidInput) as info:
            s.apply("plug", "n-hold", emulated=True)
        assert info.value.key == "HOST_URI_MISSING"
        assert "host1" in str(info.value)
        with pytest.raises(sriovfo.NotFound) as info:
            s.apply("plug", "no-such-nic", emulated=True)
        assert info.value.key == "NIC_NOT_FOUND"


def test_programs_started_here_run_without_the_asan_runtime():
    """In the ASan build the runtime is preloaded into the interpreters alone (conftest.py):
    QEMU, which libvirt's embedded driver spawns from this process with its LD_PRELOAD, hung
    with the runtime in it, and Store.apply() with it."""
    if not conftest.ASAN_PRELOAD:
        pytest.skip("not the AddressSanitizer build")
    assert "LD_PRELOAD" not in os.environ
    out = subprocess.run(["sh", "-c", 'printf "%s" "${LD_PRELOAD-}"'], check=True,
                         capture_output=True, text=True)
    assert out.stdout == ""
    out = subprocess.run([*conftest.PYTHON_PREFIX, sys.executable, "-c",
                          "import os, sriovfo.store; print(os.environ['LD_PRELOAD'])"],
                         check=True, capture_output=True, text=True)
    assert out.stdout.strip() == conftest.ASAN_PRELOAD


def test_apply_loads_libvirt_only_on_use():
    out = subprocess.run(
        [*conftest.PYTHON_PREFIX, sys.executable, "-c",
         "import sys, sriovfo, sriovfo.store; "
         "print('sriovfo.virt' in sys.modules, 'sriovfo._virt' in sys.modules)"],
        check=True, capture_output=True, text=True, env=os.environ)
    assert out.stdout.split() == ["False", "False"]
