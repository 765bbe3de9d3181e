"""Actions through the engine, without a guest (docs/rest.md "Actions"): activate, deactivate
and migrate as the unchanged oVirt SDK sends them, in XML and JSON, and every answer that comes
before libvirt: unknown ids (404), a viewer (403), bodies the engine cannot read (400), rule
refusals (400/409) that change nothing in the store, and a VM that is down (only the stored
flag changes, as in oVirt). The actions that reach libvirt run against a domain of libvirt's
embedded driver that is defined but not running (libvirt changes its definition at once); a
booted guest and two hosts are tests/integration/test-engine-actions.py's."""

import json
import os
import subprocess
import time

import ovirtsdk4
import pytest
import sriovfo
import sriovfo.store
from conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    EXAMPLE,
    HOST1,
    NIC_WEB1_VF,
    NOWHERE,
    P_VIRTIO_FAILOVER,
    TOP_SRCDIR,
    VIEWER,
    VIEWER_PASSWORD,
    WEB1,
    Engine,
    cli_export,
    export,
    pyconf,
)
from ovirtsdk4 import types

DB1 = "6e94a27e-17f5-4822-a1d7-882a637080ad"
NIC_DB1 = "807f733f-7059-4b9b-84a1-0e38c8fd70bc"
HOST2 = "f478310d-4b71-4dbd-ab6b-5043ea337182"
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json", "Accept": "application/json"}

def stored_nic(dsn, nic):
    with sriovfo.store.Store(dsn) as store:
        return store.get("nics", nic)


def nic_service(sdk, vm, nic):
    return sdk.system_service().vms_service().vm_service(vm).nics_service().nic_service(nic)


def test_down_vm_activate_deactivate_flip_the_flag(sdk, dsn):
    """db1 is down: oVirt only records plugged; so does the engine, with the SDK's calls."""
    service = nic_service(sdk, DB1, NIC_DB1)
    assert service.get().plugged is True
    service.deactivate()
    assert service.get().plugged is False and stored_nic(dsn, NIC_DB1)["plugged"] is False
    service.activate()
    assert service.get().plugged is True and stored_nic(dsn, NIC_DB1)["plugged"] is True
    # PUT of <plugged> runs the same action
    assert service.update(types.Nic(plugged=False)).plugged is False
    assert service.update(types.Nic(plugged=True)).plugged is True


def test_action_answers_xml_and_json(engine, admin_token):
    for action in ("deactivate", "activate"):
        status, headers, body = engine.request(
            "POST", "vms/%s/nics/%s/%s" % (DB1, NIC_DB1, action), "<action/>", XML,
            token=admin_token)
        assert status == 200 and headers["content-type"].startswith("application/xml")
        assert b"<action>" in body and b"<status>complete</status>" in body
        status, headers, body = engine.request(
            "POST", "vms/%s/nics/%s/%s" % (DB1, NIC_DB1, action), {}, JSON, token=admin_token)
        assert status == 200 and json.loads(body) == {"status": "complete"}
    # an empty body is an empty action (curl -X POST)
    status, _, body = engine.request("POST", "vms/%s/nics/%s/activate" % (DB1, NIC_DB1),
                                     token=admin_token)
    assert status == 200, body


def test_unknown_ids(sdk, engine, admin_token, dsn):
    before = export(dsn)
    with pytest.raises(ovirtsdk4.NotFoundError):
        nic_service(sdk, DB1, NOWHERE).activate()
    with pytest.raises(ovirtsdk4.NotFoundError):
        nic_service(sdk, NOWHERE, NIC_DB1).deactivate()   # a NIC of another VM
    with pytest.raises(ovirtsdk4.NotFoundError):
        nic_service(sdk, WEB1, NIC_DB1).deactivate()
    vms = sdk.system_service().vms_service()
    with pytest.raises(ovirtsdk4.NotFoundError):
        vms.vm_service(NOWHERE).migrate(host=types.Host(id=HOST2))
    with pytest.raises(ovirtsdk4.NotFoundError):
        vms.vm_service(WEB1).migrate(host=types.Host(id=NOWHERE))
    status, headers, body = engine.request("POST", "vms/%s/migrate" % WEB1,
                                           {"host": {"id": NOWHERE}}, JSON, token=admin_token)
    assert status == 404 and json.loads(body)["key"] == headers["x-sriovfo-error-key"]
    assert export(dsn) == before


@pytest.mark.parametrize("path,body,headers,status,key", [
    ("vms/web1/migrate", "<action/>", XML, 400, "REST_INVALID_ID"),
    ("vms/%s/nics/x/activate" % WEB1, "<action/>", XML, 400, "REST_INVALID_ID"),
    ("vms/%s/migrate" % WEB1, "<action/>", XML, 400, "REST_INCOMPLETE_PARAMETERS"),
    ("vms/%s/migrate" % WEB1, "<action><host/></action>", XML, 400,
     "REST_INCOMPLETE_PARAMETERS"),
    ("vms/%s/migrate" % WEB1, "<action><host id='h2'/></action>", XML, 400, "REST_INVALID_ID"),
    ("vms/%s/migrate" % WEB1, "<host id='%s'/>" % HOST2, XML, 400, "REST_MALFORMED_BODY"),
    ("vms/%s/migrate" % WEB1, "<action><host id=", XML, 400, "REST_MALFORMED_BODY"),
    ("vms/%s/migrate" % WEB1, '{"host": "h2"}', JSON, 400, "REST_INVALID_VALUE"),
    ("vms/%s/migrate" % WEB1, '[1]', JSON, 400, "REST_MALFORMED_BODY"),
    ("vms/%s/nics/%s/activate" % (DB1, NIC_DB1), "<nic/>", XML, 400, "REST_MALFORMED_BODY"),
    ("vms/%s/nics/%s/plug" % (DB1, NIC_DB1), "<action/>", XML, 404, None),
])
def test_bad_action_requests(engine, admin_token, dsn, path, body, headers, status, key):
    before = export(dsn)
    got, h, answer = engine.request("POST", path, body, headers, token=admin_token)
    assert (got, h.get("x-sriovfo-error-key")) == (status, key), answer
    assert export(dsn) == before


def test_incomplete_migrate_detail(sdk):
    with pytest.raises(ovirtsdk4.Error) as e:
        sdk.system_service().vms_service().vm_service(WEB1).migrate()
    assert e.value.code == 400
    assert e.value.fault.detail == "Action [host.id] required for migrate"


def test_viewer_may_not_act(engine, dsn):
    before = export(dsn)
    with engine.connection(VIEWER, VIEWER_PASSWORD) as conn:
        with pytest.raises(ovirtsdk4.AuthError) as e:
            nic_service(conn, DB1, NIC_DB1).deactivate()
        assert e.value.code == 403
        with pytest.raises(ovirtsdk4.AuthError):
            conn.system_service().vms_service().vm_service(WEB1).migrate(
                host=types.Host(id=HOST2))
    assert export(dsn) == before


def test_sync_workers_run_no_actions(dsn):
    """--threads 1 serves with sync workers, which cannot wait for an action: 409, nothing
    changes, and reads and writes go on."""
    engine = Engine(dsn, workers=1, args=["--threads", "1"])
    try:
        token = engine.token()
        before = export(dsn)
        for action in ("deactivate", "activate"):
            status, headers, body = engine.request(
                "POST", "vms/%s/nics/%s/%s" % (DB1, NIC_DB1, action), "<action/>", XML,
                token=token)
            assert status == 409, body
            assert headers["x-sriovfo-error-key"] == "ENGINE_RUNS_NO_ACTIONS"
        flip = "false" if stored_nic(dsn, NIC_DB1)["plugged"] else "true"
        status, headers, _ = engine.request(
            "PUT", "vms/%s/nics/%s" % (DB1, NIC_DB1), "<nic><plugged>%s</plugged></nic>" % flip,
            XML, token=token)
        assert status == 409 and headers["x-sriovfo-error-key"] == "ENGINE_RUNS_NO_ACTIONS"
        assert export(dsn) == before
        assert engine.request("GET", "vms/%s/nics/%s" % (DB1, NIC_DB1), token=token)[0] == 200
    finally:
        engine.stop()


def test_refusals_change_nothing(sdk, dsn):
    """web1 runs on host1, which has no libvirt URI in the example; a migration to the host it
    runs on; both refused before libvirt, 409, and the store's bytes are the same."""
    before = cli_export(dsn)
    vm = sdk.system_service().vms_service().vm_service(WEB1)
    with pytest.raises(ovirtsdk4.Error) as e:
        vm.migrate(host=types.Host(id=HOST1))
    assert e.value.code == 409 and e.value.fault.detail.startswith("[")
    with pytest.raises(ovirtsdk4.Error) as e:
        nic_service(sdk, WEB1, NIC_WEB1_VF).deactivate()
    assert e.value.code == 409
    with pytest.raises(ovirtsdk4.Error) as e:
        vm.migrate(host=types.Host(id=HOST2))
    assert e.value.code == 409
    assert cli_export(dsn) == before


# ---------------------------------------------------------------------------
# against libvirt: web1 defined (not running) in an embedded driver's root
# ---------------------------------------------------------------------------

def _virsh(uri, *args, check=True):
    p = subprocess.run(["virsh", "-q", "-c", uri, *args], text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and p.returncode:
        raise AssertionError("virsh %s: %s" % (" ".join(args), p.stderr))
    return p


@pytest.fixture(scope="module")
def lab(pg_cluster):
    """An engine over the example inventory whose host1 is a private libvirt daemon
    (tests/integration/second-host.sh, root) holding web1 defined but not running (its VF
    NIC unplugged at first), and whose host2's libvirt is a socket nobody listens on. Not
    the embedded driver: one process at a time may open an embedded root, and the engine's
    action processes keep it open."""
    if os.geteuid() != 0 or not os.access("/usr/sbin/libvirtd", os.X_OK) \
            or subprocess.run(["sh", "-c", "command -v virsh unshare"],
                              stdout=subprocess.DEVNULL).returncode:
        pytest.skip("a private libvirtd needs root, libvirtd, virsh and unshare")
    root = pyconf.scratch_dir("sfo-actions.")
    daemon = subprocess.Popen(
        ["/bin/sh", os.path.join(TOP_SRCDIR, "tests", "integration", "second-host.sh"),
         os.path.join(root, "h1")], stdout=open(os.path.join(root, "h1.log"), "w"),
        stderr=subprocess.STDOUT)
    engine = None
    try:
        sock = os.path.join(root, "h1", "sock", "libvirt-sock")
        deadline = time.monotonic() + 60
        while not os.path.exists(sock):
            assert time.monotonic() < deadline, "the private libvirtd did not start"
            time.sleep(0.1)
        uri1 = "qemu+unix:///system?socket=" + sock
        with open(EXAMPLE) as f:
            inv = json.load(f)
        for h in inv["hosts"]:
            h["libvirt_uri"] = uri1 if h["id"] == HOST1 else \
                "qemu+unix:///system?socket=%s/nobody/libvirt-sock" % root
            for pf in h.get("sriov_pfs", []):
                for vf in pf.get("vfs", []):
                    if (vf.get("nic") or {}).get("id") == NIC_WEB1_VF:
                        del vf["nic"]
        for n in inv["nics"]:
            if n["id"] == NIC_WEB1_VF:
                n["plugged"] = False
                del n["vf"]
        inventory = sriovfo.Inventory.from_string(json.dumps(inv))
        path = os.path.join(root, "web1.xml")
        with open(path, "w") as f:
            f.write(inventory.domxml(WEB1, domain=True))
        _virsh(uri1, "define", path)
        dsn = pg_cluster.new_dsn()
        with sriovfo.store.Store(dsn, connect_only=True) as store:
            store.upgrade()
        with sriovfo.store.Store(dsn) as store:
            assert store.import_inventory(inventory).ok
            store.add_user(ADMIN, ADMIN_PASSWORD, "admin")
        engine = Engine(dsn, workers=1, args=["--emulated", "--unplug-timeout", "5"])
        yield engine, dsn, uri1
    finally:
        if engine is not None:
            engine.stop()
        daemon.terminate()
        daemon.wait()


def _defined(uri):
    """The aliases of web1's VF NIC and standby in its definition (the engine is idle: one
    process at a time opens an embedded root, and the engine's opens it only during an
    action)."""
    xml = _virsh(uri, "dumpxml", "--inactive", "web1").stdout
    return [a for a in ("ua-" + NIC_WEB1_VF, "ua-" + P_VIRTIO_FAILOVER) if a in xml]


def _vf_of(dsn):
    inv = json.loads(export(dsn))
    return [(h["id"], vf["address"]) for h in inv["hosts"] for pf in h.get("sriov_pfs", [])
            for vf in pf.get("vfs", []) if (vf.get("nic") or {}).get("id") == NIC_WEB1_VF]


def test_lab_activate_deactivate(lab):
    engine, dsn, uri = lab
    with engine.connection() as conn:
        service = nic_service(conn, WEB1, NIC_WEB1_VF)
        assert _defined(uri) == [] and _vf_of(dsn) == []
        service.activate()
        assert len(_defined(uri)) == 2
        assert stored_nic(dsn, NIC_WEB1_VF)["plugged"] is True
        assert [h for h, _ in _vf_of(dsn)] == [HOST1]
        service.deactivate()
        assert _defined(uri) == [] and _vf_of(dsn) == []
        assert stored_nic(dsn, NIC_WEB1_VF)["plugged"] is False
    # the answer says which sequence ran and where its time went (bench-engine-actions)
    token = engine.token()
    status, headers, body = engine.request(
        "POST", "vms/%s/nics/%s/activate" % (WEB1, NIC_WEB1_VF), "<action/>", XML, token=token)
    assert status == 200, body
    assert float(headers["x-sriovfo-exec-ms"]) >= float(headers["x-sriovfo-libvirt-ms"]) > 0
    assert len(headers["x-sriovfo-sequence"]) == 36
    assert json.loads(export(dsn)) == json.loads(cli_export(dsn))


def test_lab_migration_uris(lab):
    """A migration connects to its destination's libvirt also when no step of the plan runs
    there (web1's VF NIC unplugged: the plan is the migration alone)."""
    engine, dsn, uri = lab
    with engine.connection() as conn:
        nic_service(conn, WEB1, NIC_WEB1_VF).deactivate()
    with sriovfo.store.Store(dsn) as store:
        plan = store.plan("migrate", WEB1, HOST2, emulated=True)
        assert [s["op"] for s in json.loads(plan.to_json())["steps"]] == ["migrate"]
        source, destination = sriovfo.store._c.sfo_store_plan_uris(store._handle,
                                                                   plan._handle, 0)
    assert source == uri and destination.endswith("/nobody/libvirt-sock")


def test_lab_object_locked(lab, pg_cluster):
    """A VM with an open sequence (one another engine runs: here a row of the journal) refuses
    a second action at once, 409, and nothing changes."""
    engine, dsn, uri = lab
    before, defined = export(dsn), _defined(uri)
    psql = [os.path.join(pyconf.pg_bindir(), "psql"), "-d", dsn, "-X", "-A", "-t", "-q",
            "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(psql + ["INSERT INTO journal_sequences (plan) VALUES "
                           "('{\"action\": \"unplug\", \"vm\": \"%s\", \"steps\": [], "
                           "\"undo\": []}')" % WEB1], check=True, env=pyconf.server_env())
    try:
        token = engine.token()
        for method, path, body in (
                ("POST", "vms/%s/nics/%s/deactivate" % (WEB1, NIC_WEB1_VF), "<action/>"),
                ("POST", "vms/%s/migrate" % WEB1, "<action><host id='%s'/></action>" % HOST2)):
            status, headers, answer = engine.request(method, path, body, XML, token=token)
            assert (status, headers["x-sriovfo-error-key"]) == (
                409, "ACTION_TYPE_FAILED_OBJECT_LOCKED"), answer
        assert export(dsn) == before and _defined(uri) == defined
    finally:
        subprocess.run(psql + ["DELETE FROM journal_sequences WHERE ended_at IS NULL"],
                       check=True, env=pyconf.server_env())


def test_lab_migrate_to_unreachable_host(lab):
    """host2's libvirt cannot be reached: the migration fails, is undone (the VF back on
    web1), the store is unchanged, and the fault says so."""
    engine, dsn, uri = lab
    with engine.connection() as conn:
        if stored_nic(dsn, NIC_WEB1_VF)["plugged"] is False:
            nic_service(conn, WEB1, NIC_WEB1_VF).activate()
        before, defined = export(dsn), _defined(uri)
        assert len(defined) == 2
        with pytest.raises(ovirtsdk4.Error) as e:
            conn.system_service().vms_service().vm_service(WEB1).migrate(
                host=types.Host(id=HOST2))
    assert e.value.code == 400 and e.value.fault.reason == "Operation Failed"
    detail = e.value.fault.detail
    assert "failed" in detail and ("undone: the VF is back on the source" in detail
                                   or "nothing was changed" in detail), detail
    assert export(dsn) == before and _defined(uri) == defined
    # JSON: an action holding the fault
    status, headers, body = engine.request(
        "POST", "vms/%s/migrate" % WEB1, {"host": {"id": HOST2}}, JSON, token=engine.token())
    answer = json.loads(body)
    assert status == 400 and answer["status"] == "failed"
    assert answer["fault"]["key"] == headers["x-sriovfo-error-key"]
