#!/usr/bin/env python3
"""bench-reconcile.py: the time to reconcile open sequences after a crash (docs/benchmarks.md).

    make bench-reconcile [BENCH_RECONCILE_ARGS='--sequences 100 --repeat 3']

A throw-away PostgreSQL cluster (as the tests start one) holds an inventory of --sequences VMs
on one host, each with a failover VF NIC without a VF; libvirt's embedded qemu driver has their
domains, defined and not running (every change goes to the definition: no guest, no QEMU). A
crash is written into the store's journal as a process killed in the middle of a plug would
leave it: the sequence begun, its VF held, step 0 (reserve-vf) done and step 1 (attach the
standby) started; no process holds its lock. Store.reconcile() then undoes each (undo of the
attach: detach and wait, both finding nothing to do; release of the hold: 3 undo steps), records every phase
and ends it, one transaction per record as a run does.

Timed, each --repeat times, in one process and one run:
- floor: Store.reconcile() with no open sequence (opening the journal, reading the open ones;
  the median of 5);
- one: Store.reconcile() of one open sequence, --sequences times (each its own crash);
- all: one Store.reconcile() of --sequences open sequences.
Prints the medians and the ratio all / (one x N); --json prints the figures as JSON.
"""

import argparse
import copy
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
EXEC_INVENTORY = os.path.join(TOP, "tests", "data", "exec", "inventory.json")
# bench-engine.py's helper: the PostgreSQL cluster of the tests (bench-engine-actions.py too)
_spec = importlib.util.spec_from_file_location("sfo_bench_engine",
                                               os.path.join(HERE, "bench-engine.py"))
_bench_engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench_engine)
load_pg = _bench_engine.load_pg


def inventory(n, uri):
    """The exec inventory's networks and profiles; VMs bench-vm-NNN on host h1, each with an
    unplugged failover VF NIC without a VF; h1 with n free VFs."""
    base = json.load(open(EXEC_INVENTORY, encoding="utf-8"))
    vm_t = next(v for v in base["vms"] if v["id"] == "vm-hold")
    nic_t = next(i for i in base["nics"] if i["id"] == "n-hold")
    vms, nics, vfs = [], [], []
    for k in range(n):
        vm = copy.deepcopy(vm_t)
        vm.update(id="bench-vm-%03d" % k, name="bench-vm-%03d" % k)
        vms.append(vm)
        nic = copy.deepcopy(nic_t)
        nic.update(id="bench-nic-%03d" % k, name="nic1", vm={"id": vm["id"]}, plugged=False,
                   mac={"address": "56:6f:be:00:%02x:%02x" % (k >> 8, k & 255)})
        nics.append(nic)
        vfs.append({"address": "0000:3c:%02x.%x" % (k // 8, k % 8)})
    host = copy.deepcopy(base["hosts"][0])
    host["libvirt_uri"] = uri
    host["sriov_pfs"][0]["vfs"] = vfs
    inv = {k: base[k] for k in ("data_centers", "clusters", "networks", "vnic_profiles")}
    inv.update(vms=vms, nics=nics, hosts=[host])
    return inv


class Bench:
    def __init__(self, store, cluster, dbname, uri, n):
        self.store, self.cluster, self.dbname, self.uri, self.n = store, cluster, dbname, uri, n

    def crash(self, count):
        """@count open sequences, as a plug killed after starting its standby leaves them."""
        for k in range(count):
            plan = self.store.plan("plug", "bench-nic-%03d" % k, emulated=True)
            doc = json.loads(plan.to_json())
            reserve = doc["steps"][0]
            assert reserve["op"] == "reserve-vf", reserve
            text = json.dumps(doc).replace("'", "''")
            self.cluster.sql(
                "WITH s AS (INSERT INTO journal_sequences (plan, source_uri) "
                "VALUES ('%s', '%s') RETURNING id), "
                "h AS (INSERT INTO journal_vf_holds (host_id, vf_address, nic_id, sequence_id) "
                "SELECT '%s', '%s', '%s', id FROM s) "
                "INSERT INTO journal_steps (sequence_id, undo, step_index, phase) "
                "SELECT id, false, i, p FROM s, (VALUES (0, 'started'), (0, 'done'), "
                "(1, 'started')) AS v (i, p)"
                % (text, self.uri, reserve["host"], reserve["vf"], reserve["nic"]),
                dbname=self.dbname)

    def reconcile(self, expect):
        t0 = time.perf_counter()
        result = self.store.reconcile()
        elapsed = time.perf_counter() - t0
        doc = json.loads(result.to_json())
        if result.status != expect or len(doc["undone"]) != 3 * self.open_before:
            sys.exit("bench-reconcile: reconcile ended %s with %d undo steps: %s"
                     % (result.status, len(doc["undone"]), result.to_text()))
        return elapsed

    def timed(self, count):
        self.crash(count)
        self.open_before = count
        return self.reconcile("undone" if count else "completed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sequences", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    if not shutil.which("virsh"):
        sys.exit("bench-reconcile: virsh is needed")

    import sriovfo

    pg = load_pg()
    bindir = pg.pg_bindir()
    if not bindir:
        sys.exit("bench-reconcile: PostgreSQL's server programs are needed")
    top = tempfile.mkdtemp(prefix="sfo-bench-rec.")
    if os.geteuid() == 0:
        os.chmod(top, 0o711)
    cluster = pg.PostgresCluster(bindir)
    try:
        cluster.start()
        dsn = cluster.new_dsn()
        dbname = dsn.split("dbname=")[1].split()[0]
        root = os.path.join(top, "embed")
        os.makedirs(os.path.join(root, "etc"))
        with open(os.path.join(root, "etc", "qemu.conf"), "w", encoding="utf-8") as f:
            f.write('stdio_handler = "file"\ncgroup_controllers = [ ]\nuser = "root"\n'
                    'group = "root"\nremember_owner = 0\nnamespaces = [ ]\n')
        uri = "qemu:///embed?root=" + root
        defines = []
        for k in range(opts.sequences):
            path = os.path.join(top, "vm%03d.xml" % k)
            with open(path, "w", encoding="utf-8") as f:
                f.write(pg.idle_domain_xml("bench-vm-%03d" % k))
            defines.append("define " + path)
        subprocess.run(["virsh", "-c", uri, "; ".join(defines)], check=True,
                       stdout=subprocess.DEVNULL)
        with sriovfo.Store(dsn, connect_only=True) as s:
            s.upgrade()
        store = sriovfo.Store(dsn)
        store.import_inventory(inventory(opts.sequences, uri))
        bench = Bench(store, cluster, dbname, uri, opts.sequences)
        # warm: the embedded driver's first connection, the prepared statements
        bench.timed(0)
        bench.timed(1)
        floor, one, all_ = [], [], []
        for _ in range(opts.repeat):
            floor.append(statistics.median(bench.timed(0) for _ in range(5)))
            one.append(sum(bench.timed(1) for _ in range(opts.sequences)))
            all_.append(bench.timed(opts.sequences))
        store.close()
    finally:
        cluster.stop()
        shutil.rmtree(top, ignore_errors=True)

    n = opts.sequences
    fig = {
        "sequences": n,
        "repeat": opts.repeat,
        "floor_ms": statistics.median(floor) * 1e3,
        "one_x_n_ms": statistics.median(one) * 1e3,
        "all_ms": statistics.median(all_) * 1e3,
    }
    fig["all_per_sequence_ms"] = (fig["all_ms"] - fig["floor_ms"]) / n
    fig["one_per_sequence_ms"] = (fig["one_x_n_ms"] / n) - fig["floor_ms"]
    fig["ratio_all_to_one_x_n"] = fig["all_ms"] / fig["one_x_n_ms"]
    if opts.json:
        print(json.dumps(fig, indent=2))
        return
    print("reconcile after a crash: %d open sequences (plug, killed after its standby started), "
          "median of %d" % (n, opts.repeat))
    print("  floor: reconcile, nothing open              %8.1f ms" % fig["floor_ms"])
    print("  one x %d: one open sequence, %d reconciles %8.1f ms  (%.2f ms a sequence "
          "beyond the floor)" % (n, n, fig["one_x_n_ms"], fig["one_per_sequence_ms"]))
    print("  all: %d open, one reconcile              %8.1f ms  (%.2f ms a sequence beyond "
          "the floor)" % (n, fig["all_ms"], fig["all_per_sequence_ms"]))
    print("  ratio all / (one x %d): %.2f" % (n, fig["ratio_all_to_one_x_n"]))


if __name__ == "__main__":
    main()
