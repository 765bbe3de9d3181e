"""Concurrency and scale-out: many clients racing through several gunicorn workers, and
two sriovfo-engine processes over one PostgreSQL, get exactly the rule's outcome, never a
5xx, and leave a store that passes every state rule (sriovfo check)."""

import http.client
import json
import os
import threading

import pytest
import sriovfo
import sriovfo.store
from conftest import NET_BR, NET_VF, Engine, new_database

DB1 = "6e94a27e-17f5-4822-a1d7-882a637080ad"  # VM db1 of the example, cluster level 4.7
SHARED = "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE"


@pytest.fixture
def racing_db(pg_cluster):
    """A store where VM db1 may get one VF NIC out of 8 passthrough profiles, all failing
    over to one virtio profile (two NICs of a VM cannot share a failover profile)."""
    dsn = new_database(pg_cluster)
    with sriovfo.store.Store(dsn) as store:
        standby, _ = store.add_vnic_profile({"name": "race-standby", "network": {"id": NET_BR}})
        profiles = [store.add_vnic_profile({
            "name": "race-vf-%d" % i, "network": {"id": NET_VF},
            "pass_through": {"mode": "enabled"}, "migratable": True,
            "failover": {"id": standby}})[0] for i in range(8)]
    return dsn, profiles


def race(engines, profiles, clients, requests):
    """@clients threads, each sending @requests NIC adds for VM db1 (client i on profile
    i, alternating engines): the statuses and error keys seen."""
    tokens = [e.token() for e in engines]
    seen, lock = [], threading.Lock()

    def client(c):
        for r in range(requests):
            k = (c + r) % len(engines)
            conn = http.client.HTTPConnection("127.0.0.1", engines[k].port, timeout=60)
            body = ('<nic><name>vf-%d-%d</name><interface>pci_passthrough</interface>'
                    '<vnic_profile id="%s"/></nic>' % (c, r, profiles[c % len(profiles)]))
            conn.request("POST", "/ovirt-engine/api/vms/%s/nics" % DB1, body, {
                "Content-Type": "application/xml", "Authorization": "Bearer " + tokens[k]})
            resp = conn.getresponse()
            resp.read()
            with lock:
                seen.append((resp.status, resp.getheader("X-Sriovfo-Error-Key")))
            conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def check_outcome(dsn, seen, total):
    assert len(seen) == total
    assert all(status < 500 for status, _ in seen), sorted(set(seen))
    assert [s for s, _ in seen].count(201) == 1, sorted(set(seen))
    assert {(s, k) for s, k in seen if s != 201} == {(409, SHARED)}
    with sriovfo.store.Store(dsn) as store:
        inventory = store.export()
        nics = [n for n in json.loads(inventory.to_json())["nics"] if n["vm"]["id"] == DB1]
        assert len([n for n in nics if n["name"].startswith("vf-")]) == 1
        assert inventory.check().ok


def test_eight_clients_through_four_workers(racing_db):
    dsn, profiles = racing_db
    engine = Engine(dsn, workers=4)
    try:
        check_outcome(dsn, race([engine], profiles, 8, 200), 8 * 200)
    finally:
        engine.stop()


def test_eight_clients_through_threads(racing_db):
    """gthread workers (--threads): the bindings release the GIL around the store's calls,
    each thread has its own connection, the outcome is the same."""
    dsn, profiles = racing_db
    engine = Engine(dsn, workers=1, args=["--threads", "4"])
    try:
        check_outcome(dsn, race([engine], profiles, 8, 50), 8 * 50)
        assert "gthread" in engine.output()
    finally:
        engine.stop()


def test_two_engines_one_database(racing_db):
    dsn, profiles = racing_db
    a, b = Engine(dsn), Engine(dsn)
    try:
        # a token from one is accepted by the other, and revoked for both
        token = a.token()
        assert b.request("GET", "vms/" + DB1, token=token)[0] == 200
        assert b.request("POST", "/ovirt-engine/services/sso-logout", "token=" + token,
                         {"Content-Type": "application/x-www-form-urlencoded"})[0] == 200
        assert a.request("GET", "vms/" + DB1, token=token)[0] == 401
        # a race across them has one winner
        check_outcome(dsn, race([a, b], profiles, 4, 25), 4 * 25)
    finally:
        a.stop()
        b.stop()


def test_worker_options():
    """Two workers per CPU (at most 8) of 8 threads by default; --threads 1: sync workers."""
    from sriovfo_engine import main

    args = main.parse_args([])
    assert args.workers == min(2 * (os.cpu_count() or 1), 8) and args.threads == 8
    assert main.parse_args(["--threads", "1"]).threads == 1
    assert main.parse_args(["--workers", "3", "--threads", "4"]).threads == 4
    for bad in (["--threads", "0"], ["--workers", "0"]):
        with pytest.raises(SystemExit):
            main.parse_args(bad)
