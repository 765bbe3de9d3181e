#!/usr/bin/env python3
"""bench-vdsm-hook.py: wall time of the VDSM hook 50_sriovfo against two baselines.

    bench-vdsm-hook.py --hook BUILD/vdsm-hook/50_sriovfo --data SRCDIR/tests/data/hooks
                       --package BUILD/bindings/python/sriovfo --package SRCDIR/...
                       [--repeat N] [--json]

Every run is a process start as VDSM does it (docs/vdsm-hook.md): a temporary file with the
XML, its path in $_hook_domxml, vmId in the environment, the exit status checked and the
file read back and compared with what it must be; only the process itself is timed
(time.perf_counter() around subprocess.run()). In the same run, interleaved round by round so
that a busy moment hits every contestant alike:

  floor     PYTHON -c pass: starting the interpreter, the least any Python hook costs
  minidom   a hook that does nothing but what VDSM's vdsm.hook.hooking.read_domxml() and
            write_domxml() do: minidom.parseString() of the file, toxml() written back
  <point>   50_sriovfo installed as hooks/<point>/50_sriovfo, for each of the five points

The package is staged as make install lays it out (one directory, byte-compiled), so the
hooks do not compile the build tree's sources on every start. The contestants run on three
inputs of tests/data/hooks: domain-64.xml (64 interfaces; 8 VF MACs to fix: parse,
patch, check, write back), domain-64.out.xml (the same, nothing to fix: parse, patch, check)
and no-teaming-64.xml (no <teaming>: the hook's fast path). The targets: a median at most
1.0x the minidom hook's and at most 2.0x the floor's on each input. Medians and minima in
milliseconds; the ratios are of medians, and "above floor" subtracts the floor's median from
both.
"""

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

POINTS = ["before_vm_start", "before_device_create", "before_nic_hotplug",
          "before_vm_migrate_source", "before_device_migrate_destination"]
INPUTS = [
    # (name, file, what the file must hold afterwards)
    ("fix 8 of 64", "domain-64.xml", "domain-64.out.xml"),
    ("clean 64", "domain-64.out.xml", "domain-64.out.xml"),
    ("no teaming 64", "no-teaming-64.xml", "no-teaming-64.xml"),
]
MINIDOM_HOOK = '''#!%s
# what a hook using VDSM's hooking.read_domxml() and write_domxml() does, and nothing else
import io
import os
from xml.dom import minidom

with io.open(os.environ["_hook_domxml"], "rb") as f:
    dom = minidom.parseString(f.read().decode("utf-8"))
with io.open(os.environ["_hook_domxml"], "wb") as f:
    f.write(dom.toxml(encoding="utf-8"))
'''


def stage_package(dirs, dest):
    """Copies the sriovfo package from its build and source directories into @dest/sriovfo,
    the first directory winning, and byte-compiles it, as make install does."""
    pkg = os.path.join(dest, "sriovfo")
    os.makedirs(pkg)
    for d in dirs:
        for name in os.listdir(d):
            src = os.path.join(d, name)
            if (name.endswith(".py") or name.endswith(".so")) and os.path.isfile(src) \
                    and not os.path.exists(os.path.join(pkg, name)):
                shutil.copy(os.path.realpath(src), os.path.join(pkg, name))
    if not compileall.compile_dir(pkg, quiet=1):
        sys.exit("bench: cannot byte-compile %s" % pkg)
    for required in ("__init__.py", "errors.py", "vdsm_hook.py"):
        if not os.path.exists(os.path.join(pkg, required)):
            sys.exit("bench: no %s in %s" % (required, dirs))
    return dest


def install(root, hook, python):
    """The contestants: name -> command."""
    commands = {"floor": [python, "-c", "pass"]}
    path = os.path.join(root, "minidom", "50_minidom")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as f:
        f.write(MINIDOM_HOOK % python)
    os.chmod(path, 0o755)
    commands["minidom"] = [path]
    for point in POINTS:
        path = os.path.join(root, "hooks", point, "50_sriovfo")
        os.makedirs(os.path.dirname(path))
        shutil.copy(hook, path)
        os.chmod(path, 0o755)
        commands[point] = [path]
    return commands


def run_once(command, xml, expected, env, tmpdir):
    """Seconds one run of @command on @xml took; exits if it failed, or if it is a
    50_sriovfo and left another file than @expected."""
    fd, path = tempfile.mkstemp(dir=tmpdir)
    os.write(fd, xml)
    os.close(fd)
    env = dict(env, _hook_domxml=path)
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - start
    with open(path, "rb") as f:
        after = f.read()
    os.unlink(path)
    if proc.returncode != 0:
        sys.exit("bench: %s exited %d: %s" % (command[0], proc.returncode, proc.stderr.decode()))
    if os.path.basename(command[0]) == "50_sriovfo" and after != expected:
        sys.exit("bench: %s left a different file than expected" % command[0])
    return elapsed


# the targets, as ratios of medians measured in the same run
TARGET_MINIDOM = 1.0
TARGET_FLOOR = 2.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hook", required=True, help="the built vdsm-hook/50_sriovfo")
    ap.add_argument("--data", required=True, help="tests/data/hooks")
    ap.add_argument("--package", action="append", required=True,
                    help="a directory of the sriovfo package (build tree, then source tree)")
    ap.add_argument("--python", default=sys.executable, help="the hooks' interpreter")
    ap.add_argument("--repeat", type=int, default=21, help="runs of each contestant per input")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as root:
        site = stage_package(args.package, os.path.join(root, "site"))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(vmId="95edeee5-777a-4224-b25c-eebddcdf333f", PYTHONPATH=site)
        commands = install(root, args.hook, args.python)
        for label, name, expected_name in INPUTS:
            with open(os.path.join(args.data, name), "rb") as f:
                xml = f.read()
            with open(os.path.join(args.data, expected_name), "rb") as f:
                expected = f.read()
            times = {c: [] for c in commands}
            for c in commands:  # warm the page cache and the .pyc files, untimed
                run_once(commands[c], xml, expected, env, root)
            for _ in range(args.repeat):
                for c in commands:
                    times[c].append(run_once(commands[c], xml, expected, env, root))
            results[label] = {c: {"median_ms": 1000 * statistics.median(t),
                                  "min_ms": 1000 * min(t)} for c, t in times.items()}

    worst = 0.0
    worst_floor = 0.0
    report = {"python": args.python, "repeat": args.repeat, "inputs": {}}
    for label, figures in results.items():
        floor = figures["floor"]["median_ms"]
        minidom = figures["minidom"]["median_ms"]
        entry = {"figures": figures, "ratio_to_minidom": {}, "ratio_to_floor": {}}
        for point in POINTS:
            med = figures[point]["median_ms"]
            entry["ratio_to_minidom"][point] = med / minidom
            entry["ratio_to_floor"][point] = med / floor
            worst = max(worst, med / minidom)
            worst_floor = max(worst_floor, med / floor)
        above_hook = statistics.median(figures[p]["median_ms"] for p in POINTS) - floor
        entry["above_floor_ms"] = {"hook": above_hook, "minidom": minidom - floor}
        report["inputs"][label] = entry
    report["worst_ratio_to_minidom"] = worst
    report["worst_ratio_to_floor"] = worst_floor
    report["target_met"] = worst <= TARGET_MINIDOM and worst_floor <= TARGET_FLOOR

    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print("python       %s; %d runs per contestant and input; medians (min) in ms"
          % (args.python, args.repeat))
    for label, entry in report["inputs"].items():
        f = entry["figures"]
        print("\n%s  (floor %.1f (%.1f), minidom %.1f (%.1f))" % (
            label, f["floor"]["median_ms"], f["floor"]["min_ms"], f["minidom"]["median_ms"],
            f["minidom"]["min_ms"]))
        for point in POINTS:
            print("  %-34s %6.1f (%5.1f)  %.2fx minidom  %.2fx floor" % (
                point, f[point]["median_ms"], f[point]["min_ms"],
                entry["ratio_to_minidom"][point], entry["ratio_to_floor"][point]))
        print("  above floor: hook %.1f ms, minidom %.1f ms" % (
            entry["above_floor_ms"]["hook"], entry["above_floor_ms"]["minidom"]))
    print("\ntarget       <= %.2fx the minidom hook and <= %.2fx the floor on every input: %s "
          "(worst %.2fx minidom, %.2fx floor)"
          % (TARGET_MINIDOM, TARGET_FLOOR, "met" if report["target_met"] else "NOT met", worst,
             worst_floor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
