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

import ovirtsdk4
import pytest
import sriovfo
import sriovfo.store
from conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    API,
    EXAMPLE,
    HOST1,
    NIC_WEB1_VF,
    NOWHERE,
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

needs_apply = pytest.mark.skipif(not hasattr(sriovfo.store.Store, "apply"),
                                 reason="this sriovfo.Store cannot run actions (no apply)")


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


@needs_apply
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
    return subprocess.run(["virsh", "-q", "-c", uri, *args], check=check, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def lab(pg_cluster):
    """An engine over the example inventory whose host1 is an embedded libvirt root holding
    web1 defined but not running, and whose host2 is a socket nobody listens on."""
    if not hasattr(sriovfo.store.Store, "apply"):
        pytest.skip("this sriovfo.Store cannot run actions (no apply)")
    if subprocess.run(["sh", "-c", "command -v virsh"], stdout=subprocess.DEVNULL).returncode:
        pytest.skip("no virsh")
    root = pyconf.scratch_dir("sfo-actions.")
    uri1 = "qemu:///embed?root=%s/h1" % root
    uri2 = "qemu+unix:///system?socket=%s/nobody/libvirt-sock" % root
    with open(EXAMPLE) as f:
        inv = json.load(f)
    for h in inv["hosts"]:
        h["libvirt_uri"] = uri1 if h["id"] == HOST1 else uri2
    path = os.path.join(root, "inventory.json")
    with open(path, "w") as f:
        json.dump(inv, f)
    inventory = sriovfo.Inventory.load(path)
    xml = inventory.domxml(WEB1, domain=True)
    with open(os.path.join(root, "web1.xml"), "w") as f:
        f.write(xml)
    define = _virsh(uri1, "define", os.path.join(root, "web1.xml"), check=False)
    if define.returncode:
        pytest.skip("libvirt's embedded driver cannot define the domain: " + define.stderr)
    dsn = pg_cluster.new_dsn()
    with sriovfo.store.Store(dsn, connect_only=True) as store:
        store.upgrade()
    with sriovfo.store.Store(dsn) as store:
        assert store.import_inventory(inventory).ok
        store.add_user(ADMIN, ADMIN_PASSWORD, "admin")
    engine = Engine(dsn, workers=1, args=["--emulated", "--unplug-timeout", "5"])
    try:
        yield engine, dsn, uri1
    finally:
        engine.stop()


def _live_aliases(uri):
    xml = _virsh(uri, "dumpxml", "--inactive", "web1").stdout
    return sorted(a for a in ("ua-" + NIC_WEB1_VF,) if a in xml)
