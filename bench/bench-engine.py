#!/usr/bin/env python3
"""bench-engine.py: throughput and latency of sriovfo-engine (docs/benchmarks.md).

    make bench-engine [BENCH_ENGINE_ARGS='--nics 100000 --rate 1000 --seconds 10']

A throw-away PostgreSQL cluster (as the tests start one) gets an inventory with --nics NICs
(10 per VM) and 100 vNIC profiles; sriovfo-engine serves it with --workers gunicorn workers on
loopback. In the same run, the framework's floor: a minimal Falcon app under the same gunicorn
settings that answers a constant body. Targets: GET /vnicprofiles/{id}, GET /vnicprofiles
(100 profiles), and POST + DELETE of a profile.

- peak: wrk (closed loop, --connections connections, --seconds) for the GETs and the floor;
  a closed-loop client of --connections threads for POST + DELETE (a pair a sample);
- latency at a fixed rate: an open-loop client (asyncio) that starts a request every 1/--rate
  seconds whatever the answers do and measures each from its scheduled start, so queueing
  shows (a closed-loop tool waits and hides it); p50 / p99 / max and the errors.

Prints a table and the ratios engine / floor; --json prints the figures as JSON.
--in-process times the store's calls and the application without HTTP instead (--profile
adds cProfile's view of the GETs).
"""

import argparse
import asyncio
import http.client
import itertools
import importlib.util
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
API = "/ovirt-engine/api"
PASSWORD = "bench-engine"

FLOOR_APP = '''
import falcon
BODY = b"<vnic_profile id='x'><name>floor</name></vnic_profile>"
class Constant:
    def on_get(self, req, resp):
        resp.content_type, resp.data = "application/xml", BODY
    def on_get_item(self, req, resp, ident):
        self.on_get(req, resp)
app = falcon.App()
app.add_route("/ovirt-engine/api/vnicprofiles", Constant())
app.add_route("/ovirt-engine/api/vnicprofiles/{ident}", Constant(), suffix="item")
'''


def load_pg():
    spec = importlib.util.spec_from_file_location(
        "sfo_python_conftest", os.path.join(TOP, "tests", "python", "conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def inventory(nics):
    def uid():
        return str(uuid.uuid4())

    dc, cl, net = uid(), uid(), uid()
    profiles = [{"id": uid(), "name": "bench-%03d" % i, "network": {"id": net}}
                for i in range(100)]
    vms, nic_list = [], []
    for v in range((nics + 9) // 10):
        vm = {"id": uid(), "name": "vm%06d" % v, "cluster": {"id": cl}}
        vms.append(vm)
        for n in range(min(10, nics - 10 * v)):
            k = len(nic_list)
            nic_list.append({"id": uid(), "name": "nic%d" % n, "vm": {"id": vm["id"]},
                             "vnic_profile": {"id": profiles[k % 100]["id"]},
                             "mac": {"address": "56:6f:%02x:%02x:%02x:%02x" % (
                                 k >> 24 & 255, k >> 16 & 255, k >> 8 & 255, k & 255)}})
    return {"data_centers": [{"id": dc, "name": "bench"}],
            "clusters": [{"id": cl, "name": "bench", "data_center": {"id": dc},
                          "version": {"major": 4, "minor": 7}, "networks": [{"id": net}]}],
            "networks": [{"id": net, "name": "bench", "data_center": {"id": dc}}],
            "vnic_profiles": profiles, "vms": vms, "nics": nic_list}, net, profiles


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("bench-engine: a server exited (status %d)" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench-engine: a server did not listen")


def request(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/xml"}
    conn.request(method, path, body, headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheader("Location"), data


def get_token(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/ovirt-engine/sso/oauth/token",
                 "grant_type=password&username=admin%40internal&password=" + PASSWORD,
                 {"Content-Type": "application/x-www-form-urlencoded"})
    return json.loads(conn.getresponse().read())["access_token"]


# ---------------------------------------------------------------------------
# peak (closed loop)
# ---------------------------------------------------------------------------

def wrk(port, path, token, connections, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency",
         "-H", "Authorization: Bearer " + token, "http://127.0.0.1:%d%s" % (port, path)],
        check=True, stdout=subprocess.PIPE, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else ""}


def post_delete_body(net, i):
    return ("<vnic_profile><name>bench-pd-%d</name><network id=\"%s\"/></vnic_profile>"
            % (i, net))


def peak_post_delete(port, token, net, connections, seconds):
    done, errors, lock = [0], [0], threading.Lock()
    stop = time.monotonic() + seconds
    counter = iter(range(10 ** 9))

    def client():
        while time.monotonic() < stop:
            with lock:
                i = next(counter)
            status, location, _ = request(port, "POST", API + "/vnicprofiles", token,
                                          post_delete_body(net, i))
            ok = status == 201
            if ok:
                status, _, _ = request(port, "DELETE", location, token)
                ok = status == 200
            with lock:
                done[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rps": done[0] / (time.monotonic() - start), "errors": errors[0]}


# ---------------------------------------------------------------------------
# latency at a fixed rate (open loop)
# ---------------------------------------------------------------------------

async def _one(port, raw, scheduled, latencies, failures):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw)
        await writer.drain()
        data = await reader.read()
        writer.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
    except (OSError, ValueError, IndexError):
        status = 0
    latencies.append(time.monotonic() - scheduled)
    if not 200 <= status < 300:
        failures.append(status)
    return status


def _raw(method, path, token, body=b""):
    head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (method, path, token, len(body)))
    return head.encode() + body


async def _open_loop(port, make_request, rate, seconds):
    latencies, failures, tasks = [], [], []
    start = time.monotonic() + 0.05
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(make_request(i, scheduled, latencies, failures)))
    await asyncio.gather(*tasks)
    return latencies, failures


def open_loop(port, token, kind, rate, seconds, net=None, ident=None):
    if kind == "post-delete":
        async def make(i, scheduled, latencies, failures):
            # the pair is one sample: a DELETE of what the POST added
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(_raw("POST", API + "/vnicprofiles", token,
                              post_delete_body(net, i).encode()))
            await writer.drain()
            data = await reader.read()
            writer.close()
            m = re.search(rb"Location: (\S+)", data, re.I)
            if not m:
                latencies.append(time.monotonic() - scheduled)
                failures.append(0)
                return
            await _one(port, _raw("DELETE", m.group(1).decode(), token), scheduled,
                       latencies, failures)
    else:
        path = API + "/vnicprofiles" + ("/" + ident if kind == "get-one" else "")
        raw = _raw("GET", path, token)

        async def make(i, scheduled, latencies, failures):
            await _one(port, raw, scheduled, latencies, failures)

    latencies, failures = asyncio.run(_open_loop(port, make, rate, seconds))
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    return {"rate": rate, "p50_ms": round(statistics.median(ms), 2),
            "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 2), "max_ms": round(ms[-1], 2),
            "errors": len(failures)}


# ---------------------------------------------------------------------------
# in-process: where a request's time goes, without HTTP and without the client
# ---------------------------------------------------------------------------

def _per_call_ms(fn, budget=0.5):
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget:
        fn()
        n += 1
    return (time.perf_counter() - start) / n * 1000


def in_process(dsn, profile_id, profile):
    """Times the store's calls and the WSGI application (falcon.testing, no socket) of the
    engine and of the floor in this process; with @profile, cProfile of the engine's GETs."""
    import cProfile
    import pstats

    import falcon.testing
    import sriovfo.store

    sys.path.insert(0, os.path.join(TOP, "engine-ext"))
    from sriovfo_engine import app as engine_app
    from sriovfo_engine import model

    floor_ns = {}
    exec(FLOOR_APP, floor_ns)  # noqa: S102 (the constant above)
    store = sriovfo.store.Store(dsn)
    token = store.login("admin@internal", PASSWORD)["token"]
    auth = {"Authorization": "Bearer " + token}
    engine = falcon.testing.TestClient(engine_app.create_app(dsn), headers=auth)
    floor = falcon.testing.TestClient(floor_ns["app"])
    one, many = API + "/vnicprofiles/" + profile_id, API + "/vnicprofiles"
    objs = store.list("vnic_profiles")
    flip = itertools.cycle((0, 1))
    rows = [
        ("floor: GET one", lambda: floor.simulate_get(one)),
        ("store.verify_token()", lambda: store.verify_token(token)),
        ("store.get_json() of a profile", lambda: store.get_json("vnic_profiles", profile_id)),
        ("store.list_json() of 100", lambda: store.list_json("vnic_profiles")),
        # 100 and 99 in turn: rows that differ from the last list's, so never its memo
        ("store.list_json(), rows changed",
         lambda: store.list_json("vnic_profiles", limit=100 - next(flip))),
        ("render 100 profiles, XML", lambda: model.render_list("vnic_profiles", objs, False)),
        ("render 100 profiles, JSON", lambda: model.render_list("vnic_profiles", objs, True)),
        ("engine: GET one", lambda: engine.simulate_get(one)),
        ("engine: GET list (XML)", lambda: engine.simulate_get(many)),
        ("engine: GET list (JSON)",
         lambda: engine.simulate_get(many, headers={"Accept": "application/json"})),
    ]
    assert engine.simulate_get(many).text.count("<vnic_profile ") == 100
    floor_ms = None
    print("in-process, one thread; /floor: over the floor's GET one (falcon.testing)")
    print("%-32s %9s %8s" % ("call", "ms", "/floor"))
    for name, fn in rows:
        ms = _per_call_ms(fn)
        floor_ms = floor_ms or ms
        print("%-32s %9.3f %8.2f" % (name, ms, ms / floor_ms))
    if profile:
        for path, n in ((one, 500), (many, 200)):
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                engine.simulate_get(path)
            prof.disable()
            print("\ncProfile of %d x GET %s" % (n, path))
            pstats.Stats(prof).sort_stats("tottime").print_stats(12)
    store.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nics", type=int, default=100000)
    p.add_argument("--workers", type=int, default=None,
                   help="gunicorn workers of the engine and the floor (default: the engine's, "
                   "two per CPU, at most 8)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per worker (more than 1: gunicorn's gthread workers), for "
                   "the engine and the floor")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--rate", type=int, default=1000)
    p.add_argument("--post-rate", type=int, default=100,
                   help="fixed rate of POST + DELETE pairs (default 100/s)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--in-process", action="store_true",
                   help="time the store's calls and the application in this process instead "
                   "(no HTTP, no wrk)")
    p.add_argument("--profile", action="store_true",
                   help="with --in-process: cProfile of the engine's GETs")
    p.add_argument("--python", default=sys.executable)
    args = p.parse_args()
    if args.workers is None:
        sys.path.insert(0, os.path.join(TOP, "engine-ext"))
        from sriovfo_engine.main import default_workers

        args.workers = default_workers()
    if not args.in_process and not shutil.which("wrk"):
        raise SystemExit("bench-engine: wrk is not installed (scripts/install-deps.sh)")

    pg = load_pg()
    import sriovfo
    import sriovfo.store

    cluster = pg.PostgresCluster(pg.pg_bindir())
    procs = []
    try:
        cluster.start()
        dsn = cluster.new_dsn()
        inv, net, profiles = inventory(args.nics)
        t0 = time.monotonic()
        with sriovfo.store.Store(dsn, connect_only=True) as store:
            store.upgrade()
        with sriovfo.store.Store(dsn) as store:
            store.import_inventory(json.dumps(inv))
            store.add_user("admin@internal", PASSWORD, "admin")
        print("bench-engine: %d NICs, %d profiles imported in %.1f s" % (
            args.nics, len(profiles), time.monotonic() - t0), file=sys.stderr)
        del inv
        if args.in_process:
            in_process(dsn, profiles[0]["id"], args.profile)
            return 0

        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.join(TOP, "engine-ext"), env.get("PYTHONPATH", "")])
        eport, fport = free_port(), free_port()
        logs = tempfile.mkdtemp(prefix="sfo-bench-engine.")
        floor_dir = os.path.join(logs, "floor")
        os.mkdir(floor_dir)
        with open(os.path.join(floor_dir, "sfo_floor.py"), "w") as f:
            f.write(FLOOR_APP)
        engine = subprocess.Popen(
            [args.python, "-m", "sriovfo_engine", "--bind", "127.0.0.1:%d" % eport,
             "--workers", str(args.workers), "--threads", str(args.threads), "--dsn", dsn],
            env=env, stdout=open(os.path.join(logs, "engine.log"), "w"),
            stderr=subprocess.STDOUT)
        procs.append(engine)
        floor = subprocess.Popen(
            [args.python, "-m", "gunicorn", "--workers", str(args.workers), "--worker-class",
             "gthread" if args.threads > 1 else "sync", "--threads", str(args.threads),
             "--bind", "127.0.0.1:%d" % fport, "--chdir", floor_dir, "sfo_floor:app"],
            env=env, stdout=open(os.path.join(logs, "floor.log"), "w"),
            stderr=subprocess.STDOUT)
        procs.append(floor)
        wait_port(eport, engine)
        wait_port(fport, floor)
        token = get_token(eport)
        one = API + "/vnicprofiles/" + profiles[0]["id"]
        status, _, body = request(eport, "GET", API + "/vnicprofiles", token)
        assert status == 200 and body.count(b"<vnic_profile ") == 100, status

        results = {"nics": args.nics, "workers": args.workers, "threads": args.threads,
                   "load_average": os.getloadavg()[0], "peak": {}, "fixed_rate": {}}
        for name, port, path in (("floor", fport, one), ("get-one", eport, one),
                                 ("get-list", eport, API + "/vnicprofiles")):
            results["peak"][name] = wrk(port, path, token, args.connections, args.seconds)
        results["peak"]["post-delete"] = peak_post_delete(eport, token, net, args.connections,
                                                          args.seconds)
        results["fixed_rate"]["floor"] = open_loop(fport, token, "get-one", args.rate,
                                                   args.seconds, ident=profiles[0]["id"])
        for kind in ("get-one", "get-list"):
            results["fixed_rate"][kind] = open_loop(eport, token, kind, args.rate, args.seconds,
                                                    ident=profiles[0]["id"])
        results["fixed_rate"]["post-delete"] = open_loop(eport, token, "post-delete",
                                                         args.post_rate, args.seconds, net=net)
        floor_peak = results["peak"]["floor"]["rps"]
        floor_p99 = results["fixed_rate"]["floor"]["p99_ms"]
        for kind in ("get-one", "get-list", "post-delete"):
            results["peak"][kind]["floor_ratio"] = round(
                results["peak"][kind]["rps"] / floor_peak, 3)
            results["fixed_rate"][kind]["p99_over_floor"] = round(
                results["fixed_rate"][kind]["p99_ms"] / floor_p99, 2)
        if args.json:
            print(json.dumps(results, indent=2))
            return 0
        print("sriovfo-engine, %d NICs, %d workers x %d threads, loopback; floor = minimal "
              "Falcon app (constant body), same gunicorn settings, same run; load average "
              "%.2f at the start, %.2f at the end" % (args.nics, args.workers, args.threads,
                                                      results["load_average"],
                                                      os.getloadavg()[0]))
        print("%-12s %10s %8s | %8s %9s %9s %9s %7s %8s" % (
            "target", "peak r/s", "/floor", "rate/s", "p50 ms", "p99 ms", "max ms", "errors",
            "p99/flr"))
        for kind in ("floor", "get-one", "get-list", "post-delete"):
            pk, fr = results["peak"][kind], results["fixed_rate"][kind]
            print("%-12s %10.0f %8s | %8d %9.2f %9.2f %9.2f %7d %8s" % (
                kind, pk["rps"], "%.3f" % pk.get("floor_ratio", 1.0), fr["rate"],
                fr["p50_ms"], fr["p99_ms"], fr["max_ms"], fr["errors"],
                "%.2f" % fr.get("p99_over_floor", 1.0)))
        return 0
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
