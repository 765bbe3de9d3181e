#!/usr/bin/env python3
"""The downtime lab: what a guest's network loses during a live migration.

`make bench-downtime` (docs/downtime.md). Needs root. Everything runs in a
network namespace this script makes (unshare --net): a Linux bridge
(sfobr0, 10.77.0.1/24), two libvirt hosts (tests/integration/second-host.sh)
and the booted guest of the integration tests (tests/guest, 10.77.0.2),
whose NICs are type='bridge' interfaces on that bridge. The VF is stood in
for by an emulated e1000e (no SR-IOV here). A probe (probe.c) pings the
guest at a fixed rate from before each migration until well after it.

Modes (each run --runs times, interleaved, the guest moving back and forth):
  failover  the pair (virtio standby + VF), `sriovfo apply ... migrate`
  unplug    a VF without standby, unplugged before and plugged after (Nova, KubeVirt)
  virtio    a virtio NIC alone: the floor, QEMU's switchover pause
oVirt's order is the failover mode's for a migration that succeeds.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Optional

BRIDGE = "sfobr0"
HOST_ADDR = "10.77.0.1/24"
GUEST_IP = "10.77.0.2"
MAC = "52:54:00:77:00:02"
VM = "sfo-downtime"
MODES = ("failover", "baseline", "unplug", "virtio")
# baseline: the failover pair again, run by another build of sriovfo (--baseline-sriovfo), so
# that a change of the sequencer has its before and after from the same run
NIC_OF = {"failover": "n-fo", "baseline": "n-fo", "unplug": "n-vf", "virtio": "n-virtio"}
VF_ALIAS = {"failover": "ua-n-fo", "baseline": "ua-n-fo", "unplug": "ua-n-vf", "virtio": None}


def log(msg: str) -> None:
    print(msg, flush=True)


def die(msg: str) -> None:
    print(f"bench-downtime: {msg}", file=sys.stderr, flush=True)
    sys.exit(77 if msg.startswith("missing") else 1)


def run(cmd: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if check and p.returncode != 0:
        die(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def inventory(mode: str, host: str) -> dict:
    """The lab's inventory: one VM on @host with the NIC of @mode plugged."""
    nic_common = {"vm": {"id": "vm-dt"}, "mac": {"address": MAC}, "plugged": True}
    nics = {
        "failover": {"id": "n-fo", "name": "vf0", "vnic_profile": {"id": "p-vf"},
                     "interface": "pci_passthrough"},
        "unplug": {"id": "n-vf", "name": "vf0", "vnic_profile": {"id": "p-vf-alone"},
                   "interface": "pci_passthrough"},
        "virtio": {"id": "n-virtio", "name": "eth0", "vnic_profile": {"id": "p-fo"},
                   "interface": "virtio"},
    }
    nics["baseline"] = nics["failover"]
    nic = dict(nics[mode], **nic_common)
    vfs = [{"address": f"0000:3b:02.{i}"} for i in range(4)]
    hosts = []
    for h in ("h1", "h2"):
        hosts.append({"id": h, "name": h, "cluster": {"id": "cl1"},
                      "networks": [{"id": "net-vf"}, {"id": "net-br"}],
                      "sriov_pfs": [{"name": "pf0", "address": "0000:3b:00.0",
                                     "networks": [{"id": "net-vf"}], "vfs": vfs}]})
    return {
        "data_centers": [{"id": "dc1", "name": "Default"}],
        "clusters": [{"id": "cl1", "name": "lab", "data_center": {"id": "dc1"},
                      "version": {"major": 4, "minor": 7},
                      "networks": [{"id": "net-vf"}, {"id": "net-br"}]}],
        "networks": [
            {"id": "net-vf", "name": "lab-vf", "bridge": BRIDGE, "data_center": {"id": "dc1"}},
            {"id": "net-br", "name": "lab-br", "bridge": BRIDGE, "data_center": {"id": "dc1"}},
        ],
        "vnic_profiles": [
            {"id": "p-fo", "name": "standby", "network": {"id": "net-br"}},
            {"id": "p-vf", "name": "vf-failover", "network": {"id": "net-vf"},
             "pass_through": {"mode": "enabled"}, "migratable": True, "failover": {"id": "p-fo"}},
            {"id": "p-vf-alone", "name": "vf", "network": {"id": "net-vf"},
             "pass_through": {"mode": "enabled"}, "migratable": True},
        ],
        "vms": [{"id": "vm-dt", "name": VM, "cluster": {"id": "cl1"}, "os": {"type": "rhel_8x64"},
                 "status": "up", "host": {"id": host}}],
        "nics": [nic],
        "hosts": hosts,
    }


@dataclass
class Lab:
    args: argparse.Namespace
    work: str
    uris: dict = field(default_factory=dict)
    daemons: list = field(default_factory=list)
    where: str = "h1"
    mode: Optional[str] = None

    def virsh(self, host: str, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return run(["virsh", "-q", "-c", self.uris[host], *cmd], check=check)

    def sriovfo(self, mode: str, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        inv = os.path.join(self.work, f"inventory-{mode}-{self.where}.json")
        with open(inv, "w") as f:
            json.dump(inventory(mode, self.where), f)
        opts = ["--emulated-bridge", "--connect", self.uris[self.where], "--journal",
                os.path.join(self.work, "journal.jsonl")]
        if cmd[0] == "migrate":
            opts += ["--dest-connect", self.uris[cmd[2]], "--migrate-uri", "tcp://127.0.0.1"]
        cli = self.args.baseline_sriovfo if mode == "baseline" else self.args.sriovfo
        return run([cli, "apply", *opts, inv, *cmd], check=check)

    def start_hosts(self) -> None:
        for h in ("h1", "h2"):
            d = os.path.join(self.work, h)
            logf = open(d + ".log", "w")
            p = subprocess.Popen(["/bin/sh", self.args.second_host, d], stdout=logf,
                                 stderr=subprocess.STDOUT)
            self.daemons.append(p)
            sock = os.path.join(d, "sock", "libvirt-sock")
            self.uris[h] = f"qemu+unix:///system?socket={sock}"
            for _ in range(300):
                if os.path.exists(sock):
                    break
                time.sleep(0.1)
            else:
                die(f"the libvirt host {h} did not start (see {d}.log)")

    def stop(self) -> None:
        for h in self.uris:
            self.virsh(h, "destroy", VM, check=False)
            self.virsh(h, "undefine", VM, check=False)
        for p in self.daemons:
            p.send_signal(signal.SIGTERM)
            p.wait()

    def console(self) -> str:
        try:
            with open(os.path.join(self.work, "console.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def boot(self) -> None:
        g = self.args.guest
        ports = "".join("<controller type='pci' model='pcie-root-port'/>" for _ in range(6))
        xml = f"""<domain type='qemu'><name>{VM}</name><memory unit='MiB'>384</memory>
<os><type arch='x86_64' machine='q35'>hvm</type><kernel>{g}/vmlinuz</kernel>
<initrd>{g}/initrd.img</initrd><cmdline>console=ttyS0 quiet sfo.ip={GUEST_IP}/24</cmdline></os>
<features><acpi/></features><devices><controller type='usb' model='none'/>
<memballoon model='none'/><controller type='pci' index='0' model='pcie-root'/>{ports}
<serial type='file'><source path='{self.work}/console.log' append='on'/><target port='0'/>
</serial></devices></domain>"""
        path = os.path.join(self.work, "domain.xml")
        with open(path, "w") as f:
            f.write(xml)
        self.virsh("h1", "define", path)
        self.virsh("h1", "start", VM)
        self.wait_console("SFO-NET none", 240, "the guest did not boot")

    def wait_console(self, text: str, seconds: float, why: str, since: int = 0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.console()[since:]:
                return
            time.sleep(0.2)
        die(f"{why} within {seconds} s (see {self.work}/console.log)")

    def reachable(self, seconds: float) -> bool:
        """Whether the guest answers the probe within @seconds."""
        out = os.path.join(self.work, "reach.txt")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            p = subprocess.Popen([self.args.probe, BRIDGE, GUEST_IP, "20", out],
                                 stdout=subprocess.DEVNULL)
            time.sleep(1)
            p.send_signal(signal.SIGINT)
            p.wait()
            with open(out) as f:
                if any(line.split()[2] != "0" for line in f):
                    return True
        return False

    def switch_mode(self, mode: str) -> None:
        """Unplugs the previous mode's NIC and plugs @mode's; waits until the guest answers."""
        if self.mode and NIC_OF[self.mode] == NIC_OF[mode]:
            self.mode = mode
            return
        if self.mode:
            self.sriovfo(self.mode, "unplug", NIC_OF[self.mode])
        self.sriovfo(mode, "plug", NIC_OF[mode])
        self.mode = mode
        if not self.reachable(60):
            die(f"the guest does not answer on its {mode} NIC")
        time.sleep(3)  # the VF's link comes up (e1000e) before a run starts

    def taps(self, host: str) -> dict:
        """{ifindex: 'standby' | 'vf'} of the guest's NICs on @host (live XML)."""
        xml = self.virsh(host, "dumpxml", VM).stdout
        roles = {}
        for iface in re.findall(r"<interface.*?</interface>", xml, re.S):
            dev = re.search(r"<target dev='([^']+)'", iface)
            alias = re.search(r"<alias name='([^']+)'", iface)
            if not dev or not alias:
                continue
            # by netlink: this namespace's /sys still shows the machine's interfaces
            link = run(["ip", "-j", "link", "show", "dev", dev.group(1)], check=False)
            if link.returncode != 0:
                continue
            idx = json.loads(link.stdout)[0]["ifindex"]
            roles[idx] = "vf" if alias.group(1) == VF_ALIAS[self.mode] else "standby"
        return roles

    def migrate_once(self, mode: str, run_no: int) -> dict:
        dest = "h2" if self.where == "h1" else "h1"
        out = os.path.join(self.work, f"probe-{mode}-{run_no}.txt")
        roles = self.taps(self.where)
        con0 = len(self.console())
        jlen = os.path.getsize(os.path.join(self.work, "journal.jsonl"))
        events = [subprocess.Popen(["virsh", "-c", self.uris[h], "event", "--all", "--loop",
                                    "--timestamp"], stdout=subprocess.PIPE, text=True)
                  for h in (self.where, dest)]
        probe = subprocess.Popen([self.args.probe, BRIDGE, GUEST_IP, str(self.args.rate), out],
                                 stdout=subprocess.PIPE, text=True)
        probe.stdout.readline()
        time.sleep(self.args.lead)
        t0 = time.time()
        res = self.sriovfo(mode, "migrate", "vm-dt", dest, check=False)
        t1 = time.time()
        if res.returncode != 0:
            probe.send_signal(signal.SIGINT)
            probe.wait()
            die(f"the {mode} migration failed:\n{res.stdout}{res.stderr}")
        self.where = dest
        time.sleep(self.args.tail)
        roles.update(self.taps(dest))
        probe.send_signal(signal.SIGINT)
        probe.wait()
        lines = []
        for e in events:
            e.terminate()
            lines += e.communicate()[0].splitlines()
        with open(os.path.join(self.work, "journal.jsonl")) as f:
            f.seek(jlen)
            journal = [json.loads(line) for line in f if line.strip()]
        stats = self.virsh(dest, "domjobinfo", "--completed", VM, check=False).stdout
        m = re.search(r"Total downtime:\s+(\d+)", stats)
        r = analyse(mode, out, t0, t1, roles, journal, int(m.group(1)) if m else None,
                    self.console()[con0:], self.args.rate)
        # the guest paused on the source, resumed on the destination (libvirt's events)
        for line in lines:
            ev = re.match(r"(\S+ \S+)\+0000: event 'lifecycle' for domain '?[^:]*'?: (\w+) (\w+)",
                          line)
            if not ev:
                continue
            t = parse_time(ev.group(1).replace(" ", "T") + "000Z") - t0
            if ev.group(2) == "Suspended" and ev.group(3) == "Migrated":
                r["phases"].setdefault("paused", t)
            elif ev.group(2) == "Resumed" and ev.group(3) == "Migrated":
                r["phases"].setdefault("resumed", t)
        return r


def parse_time(s: str) -> float:
    from datetime import datetime, timezone
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def analyse(mode: str, out: str, t0: float, t1: float, roles: dict, journal: list,
            downtime_ms: Optional[int], console: str, rate: int) -> dict:
    """One run's figures: lost, longest gap, time to the VF, and the phases (s from t0)."""
    rows = []
    with open(out) as f:
        for line in f:
            seq, sent, ans, idx = line.split()
            rows.append((int(sent) / 1e9, int(ans) / 1e9 if int(ans) else 0.0,
                         roles.get(int(idx), "?" if int(idx) else "")))
    # from the start of the migration command: the lead only warms the path up (ARP)
    lost = sum(1 for r in rows if not r[1] and r[0] >= t0)
    answered = [r[0] for r in rows if r[1]]
    gap = max((b - a for a, b in zip(answered, answered[1:])), default=0.0)
    to_vf = None
    for sent, ans, role in rows:
        if ans and role == "vf" and sent > t1 - 0.5:
            to_vf = sent - t0
            break
    phases = {}
    ops = {}
    for rec in journal:
        if rec.get("type") == "begin":
            ops = {s["index"]: s for s in rec["plan"]["steps"]}
        if rec.get("type") == "step" and not rec.get("undo"):
            step = ops.get(rec["index"], {})
            key = f"{step.get('op')}:{step.get('role')}:{rec.get('phase')}"
            phases.setdefault(key, parse_time(rec["time"]) - t0)
    if to_vf is not None:
        phases["vf-traffic"] = to_vf
    # lost while the VF was away, before the re-plug (what the standby is for), and after it
    replug = phases.get("attach:destination:started", t1 - t0)
    lost_away = sum(1 for r in rows if not r[1] and 0 <= r[0] - t0 < replug)
    return {"mode": mode, "lost": lost, "lost_away": lost_away, "lost_replug": lost - lost_away,
            "gap_ms": gap * 1000, "to_vf_s": to_vf,
            "downtime_ms": downtime_ms, "t0": t0, "apply_s": t1 - t0, "phases": phases,
            "probe": out, "rate": rate, "roles": {str(k): v for k, v in roles.items()},
            "counters": [l for l in console.splitlines() if l.startswith("SFO-")]}


def replug_delay(r: dict) -> Optional[float]:
    """Seconds from the guest's resume on the destination to the VF's attach there."""
    p = r["phases"]
    if "attach:destination:started" in p and "resumed" in p:
        return p["attach:destination:started"] - p["resumed"]
    return None


def check(results: list, rate: int) -> list:
    """The short test's bounds (docs/downtime.md, "The test"); returns what is broken."""
    broken = []
    floor = statistics.median([r["lost"] for r in results if r["mode"] == "virtio"] or [0])
    for r in (r for r in results if r["mode"] == "failover"):
        # the standby carries the traffic while the VF is away: no more lost than QEMU's own
        # switchover (the virtio mode, same run) and 1.5 s besides (the unplug's loss, up to
        # 0.75 s under load, twice); a VF alone loses 2.3 s or more there
        if r["lost_away"] > floor + rate * 3 // 2:
            broken.append(f"failover lost {r['lost_away']} packets before the re-plug; virtio "
                          f"alone lost {floor}, the bound is {floor + rate * 3 // 2}")
        # the VF carries the traffic again (the guest kernel's link-up window, seconds here)
        if r["to_vf_s"] is None:
            broken.append("the VF never carried traffic again after the migration")
        delay = replug_delay(r)
        # the VF is plugged as the guest resumes, not after the source's clean-up (~2 s)
        if delay is not None and delay > 1.0:
            broken.append(f"the VF was plugged {delay:.2f} s after the guest resumed")
    return broken


def summary(results: list) -> str:
    def mmm(values: list, fmt: str) -> str:
        values = [v for v in values if v is not None]
        if not values:
            return "n/a"
        return "/".join(fmt.format(v) for v in (min(values), statistics.median(values),
                                                 max(values)))

    lines = ["| mode | runs | lost packets | before the re-plug | after it | longest gap (ms) | "
             "VF carrying traffic (s after start) | re-plug after resume (s) | "
             "libvirt downtime (ms) |", "|---|---|---|---|---|---|---|---|---|"]
    base = [r["gap_ms"] for r in results if r["mode"] == "virtio"]
    for mode in MODES:
        rs = [r for r in results if r["mode"] == mode]
        if not rs:
            continue
        lines.append(f"| {mode} | {len(rs)} | {mmm([r['lost'] for r in rs], '{:.0f}')} | "
                     f"{mmm([r['lost_away'] for r in rs], '{:.0f}')} | "
                     f"{mmm([r['lost_replug'] for r in rs], '{:.0f}')} | "
                     f"{mmm([r['gap_ms'] for r in rs], '{:.0f}')} | "
                     f"{mmm([r['to_vf_s'] for r in rs], '{:.2f}')} | "
                     f"{mmm([replug_delay(r) for r in rs], '{:.2f}')} | "
                     f"{mmm([r['downtime_ms'] for r in rs], '{:.0f}')} |")
    if base:
        b = statistics.median(base)
        for mode in MODES:
            rs = [r["gap_ms"] for r in results if r["mode"] == mode]
            if rs and mode != "virtio":
                lines.append(f"\n{mode}: median longest gap {statistics.median(rs) / b:.1f}x "
                             "virtio's (same run)")
    for what, key in (("time to the VF carrying traffic", "to_vf_s"), ("lost packets", "lost")):
        after = [r[key] for r in results if r["mode"] == "failover" and r[key] is not None]
        before = [r[key] for r in results if r["mode"] == "baseline" and r[key] is not None]
        if after and before and statistics.median(before):
            lines.append(f"\nfailover/baseline, median {what}: "
                         f"{statistics.median(after) / statistics.median(before):.2f}")
    return "\n".join(lines)


def plot(results: list, png: str, work: str) -> None:
    """Answered / lost packets over time, one row per mode (the median run), phases marked."""
    rows = sum(1 for mode in MODES if any(r["mode"] == mode for r in results))
    gp = [f"set terminal pngcairo size 1100,{235 * rows + 40} font 'DejaVu Sans,10'",
          f"set output '{png}'", f"set multiplot layout {rows},1 title "
          "'ICMP echo to the guest during a live migration (emulated e1000e stands in for the VF)'",
          "set xrange [-1:*]", "set yrange [-0.5:2.5]",
          "set ytics ('lost' 0, 'standby' 1, 'VF' 2)", "set grid xtics"]
    for mode in MODES:
        rs = sorted((r for r in results if r["mode"] == mode), key=lambda r: r["gap_ms"])
        if not rs:
            continue
        r = rs[len(rs) // 2]
        data = os.path.join(work, f"plot-{mode}.dat")
        with open(r["probe"]) as src, open(data, "w") as dst:
            for line in src:
                _, sent, ans, idx = line.split()
                t = int(sent) / 1e9 - r["t0"]
                role = r.get("roles", {}).get(idx)
                y = 0 if not int(ans) else (2 if role == "vf" else 1)
                dst.write(f"{t:.4f} {y}\n")
        gp.append("unset arrow; unset label")
        marks = {"detach:source:started": "unplug", "paused": "switchover",
                 "attach:destination:started": "re-plug", "vf-traffic": "VF carries"}
        for i, (key, name) in enumerate(marks.items()):
            if key in r["phases"]:
                x = r["phases"][key]
                gp.append(f"set arrow from {x:.3f},-0.5 to {x:.3f},2.5 nohead lc rgb 'gray40' dt 2")
                gp.append(f"set label '{name}' at {x:.3f},{2.3 - 0.35 * (i % 2)} offset 0.3,0 "
                          "font ',9'")
        gp.append(f"set title '{mode}: {r['lost']} lost, longest gap {r['gap_ms']:.0f} ms'")
        gp.append("set xlabel 'seconds from the start of the migration command'")
        gp.append(f"plot '{data}' using 1:2 with points pt 7 ps 0.3 notitle")
    gp.append("unset multiplot")
    script = os.path.join(work, "plot.gp")
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    run(["gnuplot", script])


def missing(args: argparse.Namespace) -> Optional[str]:
    if os.geteuid() != 0:
        return "missing: root (network namespace, bridge, libvirtd)"
    for tool in ("unshare", "ip", "virsh", "gnuplot", "qemu-system-x86_64"):
        if not shutil.which(tool):
            return f"missing: {tool} (sh scripts/install-deps.sh installs it)"
    if not os.access("/usr/sbin/libvirtd", os.X_OK):
        return "missing: /usr/sbin/libvirtd (sh scripts/install-deps.sh installs it)"
    for f in ("vmlinuz", "initrd.img"):
        if not os.path.exists(os.path.join(args.guest, f)):
            return f"missing: the guest in {args.guest} (`make guest` builds it)"
    for f in (args.sriovfo, args.probe):
        if not os.access(f, os.X_OK):
            return f"missing: {f} (build the tree first)"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rate", type=int, default=200, help="probe packets per second")
    ap.add_argument("--lead", type=float, default=2.0, help="seconds probed before")
    ap.add_argument("--tail", type=float, default=10.0, help="seconds probed after")
    ap.add_argument("--modes", default="failover,unplug,virtio",
                    help="of " + ",".join(MODES))
    ap.add_argument("--guest", required=True)
    ap.add_argument("--sriovfo", required=True)
    ap.add_argument("--baseline-sriovfo", help="another build's sriovfo, for the baseline mode")
    ap.add_argument("--probe", required=True)
    ap.add_argument("--second-host", required=True)
    ap.add_argument("--work", required=True, help="a directory for the run (made anew)")
    ap.add_argument("--plot", help="PNG to write")
    ap.add_argument("--json", help="write every run's figures here")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when failover breaks the short test's bounds")
    args = ap.parse_args()
    for a in ("guest", "sriovfo", "baseline_sriovfo", "probe", "second_host", "work"):
        if getattr(args, a):
            setattr(args, a, os.path.abspath(getattr(args, a)))
    if "baseline" in args.modes.split(",") and not args.baseline_sriovfo:
        die("the baseline mode needs --baseline-sriovfo")
    why = missing(args)
    if why:
        die(why)
    if os.environ.get("SFO_DOWNTIME_NETNS") != "1":
        os.environ["SFO_DOWNTIME_NETNS"] = "1"
        os.execvp("unshare", ["unshare", "--net", sys.executable, *sys.argv])

    run(["ip", "link", "set", "lo", "up"])
    run(["ip", "link", "add", BRIDGE, "type", "bridge"])
    run(["ip", "addr", "add", HOST_ADDR, "dev", BRIDGE])
    run(["ip", "link", "set", BRIDGE, "up"])
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    open(os.path.join(args.work, "journal.jsonl"), "w").close()
    lab = Lab(args, args.work)
    results = []
    try:
        with open("/proc/loadavg") as f:
            load = f.read().split()[:3]
        log(f"# load average {' '.join(load)} on {os.cpu_count()} CPUs; the VF is stood in for "
            "by an emulated e1000e (no SR-IOV here)")
        lab.start_hosts()
        lab.boot()
        modes = args.modes.split(",")
        for n in range(args.runs):
            for mode in modes:
                if lab.mode != mode:
                    lab.switch_mode(mode)
                r = lab.migrate_once(mode, n)
                results.append(r)
                log(f"{mode} run {n}: lost {r['lost']}, longest gap {r['gap_ms']:.0f} ms, "
                    f"VF carrying traffic {r['to_vf_s'] if r['to_vf_s'] is None else round(r['to_vf_s'], 2)} s "
                    f"after the start, libvirt downtime {r['downtime_ms']} ms, "
                    f"apply {r['apply_s']:.2f} s")
        with open("/proc/loadavg") as f:
            load = f.read().split()[:3]
        log(f"# load average {' '.join(load)} at the end")
        log(summary(results))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
        if args.plot:
            plot(results, args.plot, args.work)
            log(f"# plot: {args.plot}")
        if args.check:
            broken = check(results, args.rate)
            for b in broken:
                log(f"FAILED: {b}")
            if broken:
                return 1
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
