"""VM NICs through the engine (add, get, list, update, remove with the oVirt SDK), their
JSON shape, and the bodies the engine refuses before the store sees them: malformed XML or
JSON, wrong root, wrong types, ids that are not UUIDs, oversized bodies. Nothing is written
on any refusal."""

import json
import re

import ovirtsdk4
import pytest
from conftest import (API, NIC_WEB1_VF, NOWHERE, P_SRIOV_FAILOVER, P_VM_BRIDGE, WEB1, export)
from lxml import etree
from ovirtsdk4 import types

MAC = re.compile(r"^56:6f(:[0-9a-f]{2}){4}$")


def test_nic_crud(sdk, dsn):
    nics = sdk.system_service().vms_service().vm_service(WEB1).nics_service()
    before = len(nics.list())
    added = nics.add(types.Nic(name="rest-nic", interface=types.NicInterface.VIRTIO,
                               vnic_profile=types.VnicProfile(id=P_VM_BRIDGE)))
    assert added.vm.id == WEB1 and added.vnic_profile.id == P_VM_BRIDGE
    assert MAC.match(added.mac.address), added.mac.address  # allocated by the store
    assert added.href == "%s/vms/%s/nics/%s" % (API, WEB1, added.id)
    assert len(nics.list()) == before + 1
    service = nics.nic_service(added.id)
    renamed = service.update(types.Nic(name="rest-nic-2"))
    assert renamed.name == "rest-nic-2" and renamed.mac.address == added.mac.address
    assert renamed.vnic_profile.id == P_VM_BRIDGE
    # web1 runs on host1: <plugged> is an action there (tests/engine/test_actions.py); host1
    # has no libvirt URI in the example, so it is refused and nothing changes
    with pytest.raises(ovirtsdk4.Error) as e:
        service.update(types.Nic(plugged=False))
    assert e.value.code == 409
    assert service.get().plugged is True
    service.remove()
    with pytest.raises(ovirtsdk4.NotFoundError):
        service.get()
    assert len(nics.list()) == before
    assert added.id not in export(dsn)


def test_nic_refusals(sdk, dsn):
    nics = sdk.system_service().vms_service().vm_service(WEB1).nics_service()
    before = export(dsn)
    # a virtio NIC on a passthrough profile: the type does not match, a conflict
    with pytest.raises(ovirtsdk4.Error) as e:
        nics.add(types.Nic(name="mismatch", interface=types.NicInterface.VIRTIO,
                           vnic_profile=types.VnicProfile(id=P_SRIOV_FAILOVER)))
    assert e.value.code == 409 and e.value.fault.detail.startswith("[")
    # an unknown profile, an unknown VM
    with pytest.raises(ovirtsdk4.NotFoundError):
        nics.add(types.Nic(name="lost", vnic_profile=types.VnicProfile(id=NOWHERE)))
    with pytest.raises(ovirtsdk4.NotFoundError):
        sdk.system_service().vms_service().vm_service(NOWHERE).nics_service().add(
            types.Nic(name="nowhere"))
    with pytest.raises(ovirtsdk4.Error) as e:
        nics.add(types.Nic(interface=types.NicInterface.VIRTIO))
    assert e.value.code == 400 and e.value.fault.detail == "Nic [name] required for add"
    # a NIC of another VM is not found under this one
    with pytest.raises(ovirtsdk4.NotFoundError):
        sdk.system_service().vms_service().vm_service(NOWHERE).nics_service() \
            .nic_service(NIC_WEB1_VF).get()
    assert export(dsn) == before


def test_nic_json_shape(engine, admin_token):
    status, _, body = engine.request("GET", "vms/%s/nics/%s" % (WEB1, NIC_WEB1_VF),
                                     token=admin_token, headers={"Accept": "application/json"})
    nic = json.loads(body)
    assert status == 200
    assert nic["id"] == NIC_WEB1_VF and nic["href"] == "%s/vms/%s/nics/%s" % (API, WEB1,
                                                                               NIC_WEB1_VF)
    assert nic["interface"] == "pci_passthrough" and nic["plugged"] in ("true", "false")
    assert nic["vm"] == {"href": API + "/vms/" + WEB1, "id": WEB1}
    assert nic["vnic_profile"]["id"] == P_SRIOV_FAILOVER and "address" in nic["mac"]
    status, _, body = engine.request("GET", "vms/%s/nics" % WEB1, token=admin_token,
                                     headers={"Accept": "application/json"})
    assert NIC_WEB1_VF in [n["id"] for n in json.loads(body)["nic"]]


XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json"}
BAD_BODIES = [
    ("nic", "<nic><name>x</name>", XML, "REST_MALFORMED_BODY"),
    ("nic", "<vnic_profile><name>x</name></vnic_profile>", XML, "REST_MALFORMED_BODY"),
    ("nic", "", XML, "REST_EMPTY_BODY"),
    ("nic", '{"name": "x",', JSON, "REST_MALFORMED_BODY"),
    ("nic", '["x"]', JSON, "REST_MALFORMED_BODY"),
    ("nic", "<nic><name>x</name><plugged>yes</plugged></nic>", XML, "REST_INVALID_VALUE"),
    ("nic", '{"name": "x", "plugged": 1}', JSON, "REST_INVALID_VALUE"),
    ("nic", '{"name": 5}', JSON, "REST_INVALID_VALUE"),
    ("nic", '<nic><name>x</name><vnic_profile id="p-1"/></nic>', XML, "REST_INVALID_ID"),
    ("nic", "<nic><name>a</name><name>b</name></nic>", XML, "REST_INVALID_VALUE"),
    ("nic", '<!DOCTYPE nic [<!ENTITY e SYSTEM "file:///etc/passwd">]><nic><name>&e;</name></nic>',
     XML, None),
    ("nic", "<nic><name>" + "x" * 70000 + "</name></nic>", XML, "REST_BODY_TOO_LARGE"),
    ("profile", "<vnic_profile><name>x</name><pass_through><mode>on</mode></pass_through>"
     "</vnic_profile>", XML, "REST_INVALID_VALUE"),
    ("profile", '{"name": "x", "failover": "p"}', JSON, "REST_INVALID_VALUE"),
    ("profile", '<vnic_profile><name>x</name><network id="zz"/></vnic_profile>', XML,
     "REST_INVALID_ID"),
    ("profile", '{"name": "x", "network": {}}', JSON, "REST_INCOMPLETE_PARAMETERS"),
]


@pytest.mark.parametrize("target,body,headers,key", BAD_BODIES)
def test_bad_bodies(engine, admin_token, dsn, target, body, headers, key):
    before = export(dsn)
    path = "vms/%s/nics" % WEB1 if target == "nic" else "vnicprofiles"
    for method, where in (("POST", path), ("PUT", path + "/" + (
            NIC_WEB1_VF if target == "nic" else P_SRIOV_FAILOVER))):
        status, h, answer = engine.request(method, where, body, headers, token=admin_token)
        if method == "PUT" and key in ("REST_INCOMPLETE_PARAMETERS",):
            continue  # an update needs no field
        assert 400 <= status < 500, (method, status, answer)
        assert h["content-type"].startswith("application/xml")
        if key:
            assert h["x-sriovfo-error-key"] == key, (method, answer)
        assert etree.fromstring(answer).tag == "fault"
    assert export(dsn) == before


def test_path_ids_must_be_uuids(engine, admin_token):
    for path in ("vms/web1/nics", "vms/%s/nics/nic1" % WEB1, "vnicprofiles/p1"):
        status, h, _ = engine.request("GET", path, token=admin_token)
        assert status == 400 and h["x-sriovfo-error-key"] == "REST_INVALID_ID"
