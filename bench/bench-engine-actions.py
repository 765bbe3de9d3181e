#!/usr/bin/env python3
"""bench-engine-actions.py: what sriovfo-engine adds to an action beyond libvirt's calls.

    make bench-engine-actions [BENCH_ENGINE_ACTIONS_ARGS='--cycles 20 --migrations 6']

A throw-away PostgreSQL cluster holds a small lab inventory (two hosts, a failover profile, two
VMs); sriovfo-engine serves it (one worker, --emulated: an emulated e1000e stands in for the
VF). The hosts' libvirt: as root, two private daemons (tests/integration/second-host.sh);
otherwise one embedded root, and no migration.

- activate / deactivate: the failover NIC of a VM whose domain is defined but not running
  (libvirt changes its definition at once; no guest, so the figures are the engine's and
  libvirt's, not a guest's reaction time), --cycles times each, interleaved;
- migrate: a running domain without a guest (QEMU under TCG, its NIC unplugged: the plan is
  the migration itself) back and forth between the two daemons, --migrations times.

Each answer carries X-Sriovfo-Exec-Ms (the plan's run in the library, journal included) and
X-Sriovfo-Libvirt-Ms (its libvirt calls). Per action: the HTTP time at the client, libvirt's
part, the library's run, and what is left: HTTP minus libvirt (everything that is not a
libvirt call: journal, write-back, plan, the hop to the action process, HTTP, the token check)
and HTTP minus exec (the engine's own: HTTP, the token check, the store's plan and the hop);
in the same run, interleaved, the baseline: GET of the VM (a read's round trip), and the
ratios to it. Medians and extremes.
"""

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
# bench-engine.py's helpers: the PostgreSQL cluster of the tests, a free port
_spec = importlib.util.spec_from_file_location("sfo_bench_engine",
                                               os.path.join(HERE, "bench-engine.py"))
bench_engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_engine)
load_pg, free_port = bench_engine.load_pg, bench_engine.free_port
API = "/ovirt-engine/api"
PASSWORD = "bench-engine-actions"


def uid():
    return str(uuid.uuid4())


DC, CL, NET_VF, NET_BR, P_FO, P_VF = (uid() for _ in range(6))
H1, H2 = uid(), uid()
VM_A, VM_B, NIC_A, NIC_B = uid(), uid(), uid(), uid()


def inventory(uris):
    def host(ident, name, uri):
        return {"id": ident, "name": name, "cluster": {"id": CL}, "libvirt_uri": uri,
                "networks": [{"id": NET_VF}, {"id": NET_BR}],
                "sriov_pfs": [{"name": "pf0", "address": "0000:3b:00.0",
                               "networks": [{"id": NET_VF}],
                               "vfs": [{"address": "0000:3b:02.%d" % i} for i in range(4)]}]}

    def vm(ident, name):
        return {"id": ident, "name": name, "cluster": {"id": CL}, "os": {"type": "rhel_8x64"},
                "status": "up", "host": {"id": H1}}

    def nic(ident, vm_id, mac):
        return {"id": ident, "name": "vf0", "vm": {"id": vm_id}, "mac": {"address": mac},
                "vnic_profile": {"id": P_VF}, "interface": "pci_passthrough",
                "plugged": False}

    return {
        "data_centers": [{"id": DC, "name": "bench"}],
        "clusters": [{"id": CL, "name": "bench", "data_center": {"id": DC},
                      "version": {"major": 4, "minor": 7},
                      "networks": [{"id": NET_VF}, {"id": NET_BR}]}],
        "networks": [{"id": NET_VF, "name": "bench-vf", "data_center": {"id": DC}},
                     {"id": NET_BR, "name": "bench-br", "data_center": {"id": DC}}],
        "vnic_profiles": [
            {"id": P_FO, "name": "standby", "network": {"id": NET_BR}},
            {"id": P_VF, "name": "vf-failover", "network": {"id": NET_VF},
             "pass_through": {"mode": "enabled"}, "migratable": True,
             "failover": {"id": P_FO}}],
        "vms": [vm(VM_A, "sfo-bench-a"), vm(VM_B, "sfo-bench-b")],
        "nics": [nic(NIC_A, VM_A, "52:54:00:5f:20:01"), nic(NIC_B, VM_B, "52:54:00:5f:20:02")],
        "hosts": [host(H1, "h1", uris["h1"]), host(H2, "h2", uris.get("h2", uris["h1"]))],
    }


def domain_xml(name, ident):
    ports = "".join("<controller type='pci' model='pcie-root-port'/>" for _ in range(4))
    return ("<domain type='qemu'><name>%s</name><uuid>%s</uuid><memory unit='MiB'>64</memory>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
            "<controller type='usb' model='none'/><memballoon model='none'/>"
            "<controller type='pci' index='0' model='pcie-root'/>%s</devices></domain>"
            % (name, ident, ports))


def request(port, method, path, token=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        conn.request(method, path, body, h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def virsh(uri, *args):
    subprocess.run(["virsh", "-q", "-c", uri, *args], check=True, stdout=subprocess.DEVNULL)


class Lab:
    def __init__(self, work, second_host):
        self.work = work
        self.uris = {}
        self.daemons = []
        if os.geteuid() == 0 and second_host and shutil.which("virsh"):
            for h in ("h1", "h2"):
                d = os.path.join(work, h)
                self.daemons.append(subprocess.Popen(
                    ["/bin/sh", second_host, d], stdout=open(d + ".log", "w"),
                    stderr=subprocess.STDOUT))
                sock = os.path.join(d, "sock", "libvirt-sock")
                self.uris[h] = "qemu+unix:///system?socket=" + sock
                for _ in range(300):
                    if os.path.exists(sock):
                        break
                    time.sleep(0.1)
                else:
                    raise SystemExit("bench-engine-actions: libvirt host %s did not start" % h)
        else:
            self.uris["h1"] = "qemu:///embed?root=%s/h1" % work

    def define(self, name, ident, start):
        path = os.path.join(self.work, name + ".xml")
        with open(path, "w") as f:
            f.write(domain_xml(name, ident))
        virsh(self.uris["h1"], "define", path)
        if start:
            virsh(self.uris["h1"], "start", name)

    def stop(self):
        for h, uri in self.uris.items():
            for name in ("sfo-bench-a", "sfo-bench-b"):
                subprocess.run(["virsh", "-q", "-c", uri, "destroy", name],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                subprocess.run(["virsh", "-q", "-c", uri, "undefine", name],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for p in self.daemons:
            p.send_signal(signal.SIGTERM)
            p.wait()


def timed(port, token, method, path, body=None):
    headers = {"Content-Type": "application/xml"} if body else {}
    t0 = time.perf_counter()
    status, h, answer = request(port, method, path, token, body, headers)
    ms = (time.perf_counter() - t0) * 1000.0
    if status != 200:
        raise SystemExit("bench-engine-actions: %s %s: %d %s" % (method, path, status,
                                                                 answer[:400]))
    return ms, h


def summary(values):
    return {"p50": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cycles", type=int, default=20, help="activate+deactivate cycles")
    p.add_argument("--migrations", type=int, default=6, help="migrations (as root)")
    p.add_argument("--second-host", default=os.path.join(TOP, "tests", "integration",
                                                         "second-host.sh"))
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    pg = load_pg()
    import sriovfo
    import sriovfo.store

    work = tempfile.mkdtemp(prefix="sfo-bench-actions.", dir="/tmp")
    cluster = pg.PostgresCluster(pg.pg_bindir())
    lab = engine = None
    try:
        lab = Lab(work, args.second_host)
        migrate = args.migrations > 0 and "h2" in lab.uris
        lab.define("sfo-bench-a", VM_A, False)
        if migrate:
            lab.define("sfo-bench-b", VM_B, True)
        cluster.start()
        dsn = cluster.new_dsn()
        with sriovfo.store.Store(dsn, connect_only=True) as store:
            store.upgrade()
        with sriovfo.store.Store(dsn) as store:
            assert store.import_inventory(
                sriovfo.Inventory.from_string(json.dumps(inventory(lab.uris)))).ok
            store.add_user("admin@internal", PASSWORD, "admin")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.join(TOP, "engine-ext"), env.get("PYTHONPATH", "")])
        port = free_port()
        engine = subprocess.Popen(
            [args.python, "-m", "sriovfo_engine", "--bind", "127.0.0.1:%d" % port,
             "--workers", "1", "--dsn", dsn, "--emulated", "--migration-uri",
             "tcp://127.0.0.1"], env=env, stdout=open(os.path.join(work, "engine.log"), "w"),
            stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if engine.poll() is not None:
                    raise SystemExit("bench-engine-actions: the engine exited")
                time.sleep(0.05)
        status, _, body = request(
            port, "POST", "/ovirt-engine/sso/oauth/token", None,
            "grant_type=password&username=admin@internal&password=" + PASSWORD,
            {"Content-Type": "application/x-www-form-urlencoded"})
        token = json.loads(body)["access_token"]

        nic = "%s/vms/%s/nics/%s/" % (API, VM_A, NIC_A)
        get = "%s/vms/%s" % (API, VM_A)
        rows = {}

        def record(name, ms, h):
            r = rows.setdefault(name, {"http": [], "libvirt": [], "exec": [], "own": [],
                                       "engine": []})
            r["http"].append(ms)
            if h is not None:
                lv, ex = float(h["x-sriovfo-libvirt-ms"]), float(h["x-sriovfo-exec-ms"])
                r["libvirt"].append(lv)
                r["exec"].append(ex)
                r["own"].append(ms - lv)
                r["engine"].append(ms - ex)

        # the first action of a worker starts its action process: not measured
        timed(port, token, "POST", nic + "activate", "<action/>")
        timed(port, token, "POST", nic + "deactivate", "<action/>")
        for _ in range(args.cycles):
            for action in ("activate", "deactivate"):
                record(action, *timed(port, token, "POST", nic + action, "<action/>"))
                record("GET", timed(port, token, "GET", get)[0], None)
        if migrate:
            where = "h1"
            for _ in range(args.migrations):
                dest = "h2" if where == "h1" else "h1"
                body = "<action><host id='%s'/></action>" % (H2 if dest == "h2" else H1)
                record("migrate", *timed(port, token, "POST", "%s/vms/%s/migrate" % (API, VM_B),
                                         body))
                record("GET", timed(port, token, "GET", get)[0], None)
                where = dest
        base = statistics.median(rows["GET"]["http"])
        out = {"baseline_get_ms": summary(rows["GET"]["http"]), "actions": {}}
        for name in ("activate", "deactivate", "migrate"):
            if name not in rows:
                continue
            r = {k: summary(v) for k, v in rows[name].items()}
            r["own_over_get"] = r["own"]["p50"] / base
            r["engine_over_get"] = r["engine"]["p50"] / base
            out["actions"][name] = r
        with open("/proc/loadavg") as f:
            out["loadavg"] = f.read().split()[:3]
        if args.json:
            print(json.dumps(out, indent=1))
            return 0
        print("# load average %s; libvirt: %s; baseline GET /vms/{id}: p50 %.2f ms "
              "(min %.2f, max %.2f, n %d)" % (" ".join(out["loadavg"]),
                                              "two daemons" if "h2" in lab.uris else "embedded",
                                              base, out["baseline_get_ms"]["min"],
                                              out["baseline_get_ms"]["max"],
                                              out["baseline_get_ms"]["n"]))
        print("| action | n | HTTP | libvirt | exec | HTTP - libvirt (min-max) | / GET "
              "| HTTP - exec (min-max) | / GET |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, r in out["actions"].items():
            print("| %s | %d | %.2f | %.2f | %.2f | %.2f (%.2f-%.2f) | %.1f | %.2f (%.2f-%.2f) "
                  "| %.1f |" % (
                      name, r["http"]["n"], r["http"]["p50"], r["libvirt"]["p50"],
                      r["exec"]["p50"], r["own"]["p50"], r["own"]["min"], r["own"]["max"],
                      r["own_over_get"], r["engine"]["p50"], r["engine"]["min"],
                      r["engine"]["max"], r["engine_over_get"]))
        print("(medians in ms; exec: the plan's run in the library, journal and write-back "
              "included; a migration's exec also waits for libvirt's migration call to return "
              "after the guest resumed on the destination, which libvirt's figure does not "
              "count)")
        return 0
    finally:
        if engine is not None:
            engine.terminate()
            engine.wait()
        if lab is not None:
            lab.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
