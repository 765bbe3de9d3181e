"""The engine's actions on a booted guest between two libvirt hosts (`make check-integration`).

One guest (tests/guest: Debian's kernel, a busybox /init that runs net_failover and prints its
failover state on the serial console) boots once, under QEMU (TCG), on the first of two libvirt
hosts of this machine (tests/integration/second-host.sh, twice); a third host's URI is a socket
nobody listens on. A private PostgreSQL holds the inventory, whose hosts carry those URIs, and
sriovfo-engine serves it (--emulated: an emulated e1000e stands in for each VF, there is no
SR-IOV here; the standby is the real virtio-net with failover=on). The unchanged oVirt SDK
drives it. After every action the store, `sriovfo export` and the live domains on both hosts
must agree: which host runs the VM, whether its NIC is plugged (the VF's and the standby's
aliases in the live XML) and which host's VF it holds.

Deterministic pause points, not timing: the guest's QEMU is stopped (SIGSTOP) so that an unplug
cannot complete while the test looks at the engine (a read answers, a second action on the VM
is OBJECT_LOCKED, a competing migration is refused) or kills it (SIGKILL of every engine
process) during the VF's unplug; the kill during the migration comes once the journal says the
migrate step started, as tests/crash kills after a journal write. Each run of the engine
reconciles at start-up, and the test checks what it printed.

Needs root, libvirtd, virsh, QEMU and the guest (`make check-integration` builds it); skips
otherwise, saying why.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

# the engine tests' fixtures: the engine process, PostgreSQL, `sriovfo export`
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
import conftest as engconf  # noqa: E402
import ovirtsdk4  # noqa: E402
import sriovfo  # noqa: E402
import sriovfo.store  # noqa: E402
from ovirtsdk4 import types  # noqa: E402

pyconf = engconf.pyconf

TOP_SRCDIR = engconf.TOP_SRCDIR
GUEST = os.environ.get("SFO_GUEST_DIR") or os.path.join(engconf.TOP_BUILDDIR, "tests", "guest")
ADMIN, ADMIN_PASSWORD = engconf.ADMIN, engconf.ADMIN_PASSWORD


def uid():
    return str(uuid.uuid4())


DC, CL, NET_VF, NET_BR, P_FO, P_VF = (uid() for _ in range(6))
H1, H2, H3 = uid(), uid(), uid()
VM1, VM2, NIC1, NIC2 = uid(), uid(), uid(), uid()
MAC1, MAC2 = "52:54:00:5f:10:01", "52:54:00:5f:10:02"
VF_ALIAS, STANDBY_ALIAS = "ua-" + NIC1, "ua-" + P_FO
HOSTS = ("h1", "h2")
HOST_ID = {"h1": H1, "h2": H2}
UNPLUG_TIMEOUT = 60


def inventory(uris):
    """h1: 2 VFs (one held by vm2's NIC), h2: 1 VF (the one both migrations want), h3 (its
    libvirt unreachable): 1 VF. vm1 is the booted guest on h1, its NIC unplugged; vm2 runs on
    h1 in the store, a domain defined there but not running."""
    def host(ident, name, uri, vfs):
        return {"id": ident, "name": name, "cluster": {"id": CL}, "libvirt_uri": uri,
                "networks": [{"id": NET_VF}, {"id": NET_BR}],
                "sriov_pfs": [{"name": "pf0", "address": "0000:3b:00.0",
                               "networks": [{"id": NET_VF}], "vfs": vfs}]}

    return {
        "data_centers": [{"id": DC, "name": "lab"}],
        "clusters": [{"id": CL, "name": "lab", "data_center": {"id": DC},
                      "version": {"major": 4, "minor": 7},
                      "networks": [{"id": NET_VF}, {"id": NET_BR}]}],
        "networks": [{"id": NET_VF, "name": "lab-vf", "data_center": {"id": DC}},
                     {"id": NET_BR, "name": "lab-br", "data_center": {"id": DC}}],
        "vnic_profiles": [
            {"id": P_FO, "name": "standby", "network": {"id": NET_BR}},
            {"id": P_VF, "name": "vf-failover", "network": {"id": NET_VF},
             "pass_through": {"mode": "enabled"}, "migratable": True,
             "failover": {"id": P_FO}}],
        "vms": [{"id": VM1, "name": "sfo-engine-vm1", "cluster": {"id": CL},
                 "os": {"type": "rhel_8x64"}, "status": "up", "host": {"id": H1}},
                {"id": VM2, "name": "sfo-engine-vm2", "cluster": {"id": CL},
                 "os": {"type": "rhel_8x64"}, "status": "up", "host": {"id": H1}}],
        "nics": [{"id": NIC1, "name": "vf0", "vm": {"id": VM1}, "mac": {"address": MAC1},
                  "vnic_profile": {"id": P_VF}, "interface": "pci_passthrough",
                  "plugged": False},
                 {"id": NIC2, "name": "vf0", "vm": {"id": VM2}, "mac": {"address": MAC2},
                  "vnic_profile": {"id": P_VF}, "interface": "pci_passthrough",
                  "plugged": True}],
        "hosts": [
            host(H1, "h1", uris["h1"], [{"address": "0000:3b:02.0"},
                                        {"address": "0000:3b:02.1", "nic": {"id": NIC2}}]),
            host(H2, "h2", uris["h2"], [{"address": "0000:3b:02.0"}]),
            host(H3, "h3", uris["h3"], [{"address": "0000:3b:02.0"}]),
        ],
    }


def missing():
    if os.geteuid() != 0:
        return "root (libvirtd for the second host)"
    for tool in ("unshare", "virsh", "qemu-system-x86_64"):
        if not shutil.which(tool):
            return "%s (sh scripts/install-deps.sh installs it)" % tool
    if not os.access("/usr/sbin/libvirtd", os.X_OK):
        return "/usr/sbin/libvirtd"
    for f in ("vmlinuz", "initrd.img"):
        if not os.path.exists(os.path.join(GUEST, f)):
            return "the guest in %s (`make check-integration` builds it)" % GUEST
    return None


class Lab:
    def __init__(self, work):
        self.work = work
        self.uris = {}
        self.daemons = []
        self.cluster = None
        self.dsn = None
        self.engine = None
        self.engine_logs = []

    # ---- libvirt ----
    def virsh(self, host, *args, check=True):
        p = subprocess.run(["virsh", "-q", "-c", self.uris[host], *args], text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode:
            raise AssertionError("virsh %s: %s" % (" ".join(args), p.stderr))
        return p

    def start_hosts(self):
        for h in HOSTS:
            d = os.path.join(self.work, h)
            log = open(d + ".log", "w")
            self.daemons.append(subprocess.Popen(
                ["/bin/sh", os.path.join(TOP_SRCDIR, "tests", "integration", "second-host.sh"),
                 d], stdout=log, stderr=subprocess.STDOUT))
            sock = os.path.join(d, "sock", "libvirt-sock")
            self.uris[h] = "qemu+unix:///system?socket=" + sock
            deadline = time.monotonic() + 30
            while not os.path.exists(sock):
                assert time.monotonic() < deadline, "libvirt host %s did not start" % h
                time.sleep(0.1)
        self.uris["h3"] = "qemu+unix:///system?socket=%s/nobody/libvirt-sock" % self.work

    def domain_xml(self, name, ident):
        ports = "".join("<controller type='pci' model='pcie-root-port'/>" for _ in range(6))
        return """<domain type='qemu'><name>%s</name><uuid>%s</uuid>
<memory unit='MiB'>384</memory>
<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinuz</kernel>
<initrd>%s/initrd.img</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
<features><acpi/></features><devices><controller type='usb' model='none'/>
<memballoon model='none'/><controller type='pci' index='0' model='pcie-root'/>%s
<serial type='file'><source path='%s/console-%s.log' append='on'/><target port='0'/>
</serial></devices></domain>""" % (name, ident, GUEST, GUEST, ports, self.work, name)

    def boot(self):
        for name, ident, start in (("sfo-engine-vm1", VM1, True),
                                   ("sfo-engine-vm2", VM2, False)):
            path = os.path.join(self.work, name + ".xml")
            with open(path, "w") as f:
                f.write(self.domain_xml(name, ident))
            self.virsh("h1", "define", path)
            if start:
                self.virsh("h1", "start", name)
        self.wait_console("SFO-NET none", 240)

    def console(self):
        try:
            with open(os.path.join(self.work, "console-sfo-engine-vm1.log"),
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def guest_state(self):
        states = re.findall(r"SFO-NET (\S*)", self.console())
        return states[-1] if states else ""

    def wait_console(self, text, seconds):
        deadline = time.monotonic() + seconds
        while text not in self.console():
            assert time.monotonic() < deadline, "the guest did not print %s: %s" % (
                text, self.console()[-2000:])
            time.sleep(0.2)

    def wait_guest(self, pair, seconds=90):
        """Waits until the guest pairs the standby with the VF (@pair) or has no pair."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.guest_state()
            if pair == ("virtio_net" in state and "e1000e" in state):
                return
            assert time.monotonic() < deadline, "guest state %r, pair wanted: %s" % (
                state, pair)
            time.sleep(0.2)

    def qemu_pid(self):
        for h in HOSTS:
            path = os.path.join(self.work, h, "run", "qemu", "sfo-engine-vm1.pid")
            if os.path.exists(path) and self.running(h):
                with open(path) as f:
                    return int(f.read().strip())
        raise AssertionError("vm1 runs on no host")

    def running(self, host, name="sfo-engine-vm1"):
        p = self.virsh(host, "domstate", name, check=False)
        return p.returncode == 0 and p.stdout.strip() in ("running", "paused")

    def live(self, host, name="sfo-engine-vm1"):
        return self.virsh(host, "dumpxml", name).stdout

    # ---- store and engine ----
    def start_store(self):
        self.cluster = pyconf.PostgresCluster(pyconf.pg_bindir())
        self.cluster.start()
        self.dsn = self.cluster.new_dsn()
        inv = sriovfo.Inventory.from_string(json.dumps(inventory(self.uris)))
        with sriovfo.store.Store(self.dsn, connect_only=True) as store:
            store.upgrade()
        with sriovfo.store.Store(self.dsn) as store:
            assert store.import_inventory(inv).ok
            store.add_user(ADMIN, ADMIN_PASSWORD, "admin")

    def sql(self, query):
        p = subprocess.run([os.path.join(pyconf.pg_bindir(), "psql"), "-d", self.dsn, "-X",
                            "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query],
                           env=pyconf.server_env(), stdout=subprocess.PIPE, check=True)
        return p.stdout.decode().strip()

    def start_engine(self):
        self.engine = engconf.Engine(
            self.dsn, workers=2, session=True,
            args=["--emulated", "--migration-uri", "tcp://127.0.0.1",
                  "--unplug-timeout", str(UNPLUG_TIMEOUT), "--timeout", "20"])
        return self.engine

    def kill_engine(self):
        """SIGKILL to every process of the engine: its master, workers and action processes."""
        os.killpg(self.engine.proc.pid, signal.SIGKILL)
        self.engine.proc.wait()
        self.engine_logs.append(self.engine.output())
        self.engine.log.close()
        self.engine = None

    def stop(self):
        if self.engine is not None:
            self.engine.stop()
        for h in HOSTS:
            if h in self.uris:
                for name in ("sfo-engine-vm1", "sfo-engine-vm2"):
                    self.virsh(h, "destroy", name, check=False)
                    self.virsh(h, "undefine", name, check=False)
        for p in self.daemons:
            p.send_signal(signal.SIGTERM)
            p.wait()
        if self.cluster is not None:
            self.cluster.stop()

    # ---- the state, three ways ----
    def state(self):
        """What the store, `sriovfo export` and libvirt say of vm1 (asserting they agree):
        {"host": "h1"|"h2", "plugged": bool, "vf_host": "h1"|"h2"|None}."""
        with sriovfo.store.Store(self.dsn) as store:
            stored = json.loads(store.export().to_json())
        exported = json.loads(engconf.cli_export(self.dsn))
        assert exported == stored, "sriovfo export and the store differ"
        vm = next(v for v in stored["vms"] if v["id"] == VM1)
        nic = next(n for n in stored["nics"] if n["id"] == NIC1)
        holders = [(h["id"], vf["address"]) for h in stored["hosts"]
                   for pf in h.get("sriov_pfs", []) for vf in pf.get("vfs", [])
                   if (vf.get("nic") or {}).get("id") == NIC1]
        host = next(h for h, i in HOST_ID.items() if i == vm["host"]["id"])
        plugged = nic.get("plugged", True)
        # libvirt: vm1 runs on the store's host only; its live XML has the pair iff plugged
        assert [h for h in HOSTS if self.running(h)] == [host], "vm1 runs elsewhere"
        xml = self.live(host)
        assert (VF_ALIAS in xml) == plugged, "the VF in the live XML: %s" % (VF_ALIAS in xml)
        assert (STANDBY_ALIAS in xml) == plugged, "the standby in the live XML"
        # the store: a plugged NIC holds exactly one VF, of the VM's host; else none
        if plugged:
            assert len(holders) == 1 and holders[0][0] == vm["host"]["id"], holders
        else:
            assert holders == [], holders
        # nothing stays open in the journal, nothing stays held
        assert self.sql("SELECT count(*) FROM journal_sequences WHERE ended_at IS NULL") == "0"
        assert self.sql("SELECT count(*) FROM journal_vf_holds") == "0"
        return {"host": host, "plugged": plugged,
                "vf_host": holders[0][0] if holders else None, "export": exported}

    def wait_sql(self, query, seconds=120):
        deadline = time.monotonic() + seconds
        while True:
            out = self.sql(query)
            if out and out != "0":
                return out
            assert time.monotonic() < deadline, "never: %s" % query
            time.sleep(0.02)


@pytest.fixture(scope="module")
def lab():
    why = missing()
    if why:
        pytest.skip("missing: " + why)
    lab = Lab(pyconf.scratch_dir("sfo-engine-lab."))
    try:
        lab.start_hosts()
        lab.boot()
        lab.start_store()
        lab.start_engine()
        yield lab
    finally:
        lab.stop()


def sdk_nic(conn):
    return conn.system_service().vms_service().vm_service(VM1).nics_service().nic_service(NIC1)


def sdk_vm(conn, vm=VM1):
    return conn.system_service().vms_service().vm_service(vm)


def resume(pid):
    """SIGCONT to @pid, unless it has ended (a migrated guest's source QEMU exits)."""
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


def in_thread(fn):
    """Runs @fn in a thread: (thread, box), box["result"] or box["error"] once it ends."""
    box = {}

    def run():
        try:
            box["result"] = fn()
        except Exception as e:  # noqa: BLE001 (handed to the test)
            box["error"] = e

    t = threading.Thread(target=run)
    t.start()
    return t, box


def test_activate_deactivate(lab):
    assert lab.state()["plugged"] is False
    with lab.engine.connection() as conn:
        sdk_nic(conn).activate()
        lab.wait_guest(pair=True)
        s = lab.state()
        assert s["plugged"] and s["host"] == "h1" and s["vf_host"] == H1
        assert sdk_nic(conn).get().plugged is True
        sdk_nic(conn).deactivate()
        lab.wait_guest(pair=False)
        s = lab.state()
        assert not s["plugged"] and s["vf_host"] is None
        # PUT of <plugged> runs the same action
        assert sdk_nic(conn).update(types.Nic(plugged=True)).plugged is True
        lab.wait_guest(pair=True)
        assert lab.state()["plugged"]


def test_migrate_reads_lock_and_competitor(lab):
    """vm1 migrates to h2, whose only VF it takes; while its unplug cannot end (QEMU
    stopped): a read answers at once, a second action on vm1 is OBJECT_LOCKED, and vm2's
    migration to h2 is refused before anything is unplugged. Then it completes."""
    vm2_xml = lab.virsh("h1", "dumpxml", "--inactive", "sfo-engine-vm2").stdout
    before = lab.state()
    qemu = lab.qemu_pid()
    os.kill(qemu, signal.SIGSTOP)
    try:
        with lab.engine.connection() as conn:
            t, box = in_thread(lambda: sdk_vm(conn).migrate(host=types.Host(id=H2)))
            lab.wait_sql("SELECT count(*) FROM journal_vf_holds WHERE host_id = '%s'" % H2)
            with lab.engine.connection() as other:
                started = time.monotonic()
                assert other.system_service().vms_service().vm_service(VM1).get().id == VM1
                read_s = time.monotonic() - started
                assert read_s < 1.0, "a read took %.2f s while a migration ran" % read_s
                with pytest.raises(ovirtsdk4.Error) as e:
                    sdk_nic(other).deactivate()
                assert e.value.code == 409, e.value
                token = lab.engine.token()
                status, h, body = lab.engine.request(
                    "POST", "vms/%s/nics/%s/deactivate" % (VM1, NIC1), "<action/>",
                    {"Content-Type": "application/xml"}, token=token)
                assert (status, h.get("x-sriovfo-error-key")) == (
                    409, "ACTION_TYPE_FAILED_OBJECT_LOCKED"), body
                with pytest.raises(ovirtsdk4.Error) as e:
                    sdk_vm(other, VM2).migrate(host=types.Host(id=H2))
                assert e.value.code == 409, e.value
                status, h, body = lab.engine.request(
                    "POST", "vms/%s/migrate" % VM2, "<action><host id='%s'/></action>" % H2,
                    {"Content-Type": "application/xml"}, token=token)
                assert status == 409 and h.get("x-sriovfo-error-key") in (
                    "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF", "HOST_VF_RESERVED"), body
            assert t.is_alive(), "the migration ended while QEMU was stopped"
            resume(qemu)
            t.join(300)
            assert "error" not in box, box.get("error")
    finally:
        resume(qemu)
    s = lab.state()
    assert s["host"] == "h2" and s["plugged"] and s["vf_host"] == H2
    lab.wait_guest(pair=True)
    # vm2: nothing unplugged, nothing moved
    assert lab.virsh("h1", "dumpxml", "--inactive", "sfo-engine-vm2").stdout == vm2_xml
    vm2 = [v for v in s["export"]["vms"] if v["id"] == VM2]
    assert vm2 == [v for v in before["export"]["vms"] if v["id"] == VM2]


def test_migrate_to_unreachable_host(lab):
    before = lab.state()
    with lab.engine.connection() as conn:
        with pytest.raises(ovirtsdk4.Error) as e:
            sdk_vm(conn).migrate(host=types.Host(id=H3))
    assert e.value.code == 400, e.value
    detail = e.value.fault.detail
    assert "HOST_CONNECTION_FAILED" in detail or "VM_MIGRATION_FAILED" in detail, detail
    assert "undone: the VF is back on the source" in detail or "nothing was changed" in detail
    lab.wait_guest(pair=True)
    after = lab.state()
    assert after == before, "the store changed"


def _restart_and_check(lab):
    engine = lab.start_engine()
    out = engine.output()
    assert "sriovfo-engine: reconcile: " in out, out
    assert re.search(r"reconcile: (completed|undone) \(", out), out
    return lab.state()


def test_crash_during_unplug(lab):
    """SIGKILL of the engine while the VF's unplug waits for a stopped QEMU."""
    assert lab.state()["plugged"]
    qemu = lab.qemu_pid()
    os.kill(qemu, signal.SIGSTOP)
    try:
        conn = lab.engine.connection()
        t, _ = in_thread(lambda: sdk_nic(conn).deactivate())
        # the journal says the VF's detach started
        lab.wait_sql("SELECT count(*) FROM journal_steps st JOIN journal_sequences sq "
                     "ON sq.id = st.sequence_id WHERE sq.ended_at IS NULL AND NOT st.undo "
                     "AND st.phase = 'started' AND "
                     "sq.plan->'steps'->st.step_index->>'op' = 'detach'")
        lab.kill_engine()
        t.join(60)
    finally:
        resume(qemu)
    # the guest may still act on the unplug libvirt asked for: let it settle
    time.sleep(5)
    s = _restart_and_check(lab)
    lab.wait_guest(pair=s["plugged"])


def test_crash_during_migration(lab):
    """SIGKILL of the engine once the journal says the migrate step started."""
    with lab.engine.connection() as conn:
        if not lab.state()["plugged"]:
            sdk_nic(conn).activate()
            lab.wait_guest(pair=True)
    src = lab.state()["host"]
    dest = "h1" if src == "h2" else "h2"
    conn = lab.engine.connection()
    t, _ = in_thread(lambda: sdk_vm(conn).migrate(host=types.Host(id=HOST_ID[dest])))
    lab.wait_sql("SELECT count(*) FROM journal_steps st JOIN journal_sequences sq "
                 "ON sq.id = st.sequence_id WHERE sq.ended_at IS NULL AND NOT st.undo "
                 "AND st.phase = 'started' AND "
                 "sq.plan->'steps'->st.step_index->>'op' = 'migrate'", seconds=300)
    lab.kill_engine()
    t.join(60)
    s = _restart_and_check(lab)
    assert s["host"] in (src, dest)
    lab.wait_guest(pair=s["plugged"])
