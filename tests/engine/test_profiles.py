"""vNIC profiles through the engine: add, update, remove with the unchanged oVirt SDK, the
failover link and its clearing, and the store's refusals as oVirt faults (status, reason,
bracketed detail, stable key), with nothing written on a refusal."""

import json
import os

import ovirtsdk4
import pytest
from conftest import (API, NET_BR, NET_VF, NOWHERE, P_SRIOV_FAILOVER, P_SRIOV_PLAIN,
                      P_VIRTIO_FAILOVER, VIEWER, VIEWER_PASSWORD, Engine, cli_export, export)
from lxml import etree
from ovirtsdk4 import types

NOT_VALID = "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID"


def failover_profile(name, failover=P_VIRTIO_FAILOVER, network=NET_VF):
    return types.VnicProfile(
        name=name, network=types.Network(id=network) if network else None,
        pass_through=types.VnicPassThrough(mode=types.VnicPassThroughMode.ENABLED),
        migratable=True, failover=types.VnicProfile(id=failover))


def test_add_update_clear_remove(sdk, dsn):
    profiles = sdk.system_service().vnic_profiles_service()
    added = profiles.add(failover_profile("rest-failover"))
    assert added.id and added.name == "rest-failover"
    assert added.failover.id == P_VIRTIO_FAILOVER and added.migratable is True
    assert added.href == API + "/vnicprofiles/" + added.id
    service = profiles.profile_service(added.id)
    assert service.get().failover.id == P_VIRTIO_FAILOVER

    # an update carries only the fields it sets (merge): the name stays
    updated = service.update(types.VnicProfile(failover=types.VnicProfile(id=P_VIRTIO_FAILOVER),
                                               migratable=True))
    assert updated.name == "rest-failover" and updated.failover.id == P_VIRTIO_FAILOVER

    # an empty <failover/> clears it (oVirt cannot); migratable stays as it was
    cleared = service.update(types.VnicProfile(failover=types.VnicProfile()))
    assert cleared.failover is None and cleared.migratable is True
    assert service.get().failover is None
    stored = [p for p in json.loads(export(dsn))["vnic_profiles"] if p["id"] == added.id][0]
    assert "failover" not in stored

    service.remove()
    with pytest.raises(ovirtsdk4.NotFoundError):
        service.get()


def test_add_on_a_network(sdk):
    on_net = sdk.system_service().networks_service().network_service(NET_VF) \
        .vnic_profiles_service()
    added = on_net.add(failover_profile("net-scoped", network=None))
    assert added.network.id == NET_VF and added.failover.id == P_VIRTIO_FAILOVER
    assert added.href == API + "/vnicprofiles/" + added.id
    sdk.system_service().vnic_profiles_service().profile_service(added.id).remove()


def test_refusals_are_faults_and_write_nothing(engine, sdk, dsn, admin_token):
    profiles = sdk.system_service().vnic_profiles_service()
    before, before_cli = export(dsn), cli_export(dsn)

    # a failover that is itself passthrough: the rule refuses it, 400
    with pytest.raises(ovirtsdk4.Error) as e:
        profiles.add(failover_profile("bad-failover", failover=P_SRIOV_PLAIN))
    assert e.value.code == 400
    assert e.value.fault.reason == "Operation Failed"
    assert e.value.fault.detail.startswith("[Cannot add ") and e.value.fault.detail.endswith("]")
    assert "Failover must be valid non-passthrough vNIC profile." in e.value.fault.detail

    # a duplicate name on the network: a conflict, 409
    existing = profiles.profile_service(P_SRIOV_FAILOVER).get()
    with pytest.raises(ovirtsdk4.Error) as e:
        profiles.add(failover_profile(existing.name))
    assert e.value.code == 409

    # removing a profile a NIC uses: a conflict, 409
    with pytest.raises(ovirtsdk4.Error) as e:
        profiles.profile_service(P_SRIOV_FAILOVER).remove()
    assert e.value.code == 409

    # an unknown network: 404; a missing name: 400 Incomplete parameters
    with pytest.raises(ovirtsdk4.NotFoundError):
        profiles.add(failover_profile("lost", network=NOWHERE))
    with pytest.raises(ovirtsdk4.Error) as e:
        profiles.add(types.VnicProfile(network=types.Network(id=NET_BR)))
    assert e.value.code == 400 and e.value.fault.reason == "Incomplete parameters"
    assert e.value.fault.detail == "VnicProfile [name] required for add"

    # an update the rules refuse twice: the failover points to the profile itself, and the
    # profile is in use by a VM (a conflict, so 409); the detail renders every error
    with pytest.raises(ovirtsdk4.Error) as e:
        profiles.profile_service(P_SRIOV_FAILOVER).update(
            types.VnicProfile(failover=types.VnicProfile(id=P_SRIOV_FAILOVER)))
    assert e.value.code == 409
    assert "Failover vNIC profile cannot point to itself." in e.value.fault.detail
    assert e.value.fault.detail.count("Cannot edit ") >= 2

    assert export(dsn) == before

    # the stable key, in a header and in the fault
    status, headers, body = engine.request(
        "POST", "vnicprofiles",
        '<vnic_profile><name>x</name><network id="%s"/><pass_through><mode>enabled</mode>'
        '</pass_through><migratable>true</migratable><failover id="%s"/></vnic_profile>'
        % (NET_VF, P_SRIOV_PLAIN), {"Content-Type": "application/xml"}, token=admin_token)
    assert status == 400 and headers["x-sriovfo-error-key"] == NOT_VALID
    fault = etree.fromstring(body)
    assert fault.tag == "fault" and fault.findtext("key") == NOT_VALID
    assert fault.findtext("reason") == "Operation Failed"
    assert export(dsn) == before
    assert cli_export(dsn) == before_cli  # byte-identical


def test_json_add_and_clear(engine, admin_token, dsn):
    status, headers, body = engine.request(
        "POST", "vnicprofiles",
        {"name": "json-failover", "network": {"id": NET_VF},
         "pass_through": {"mode": "enabled"}, "migratable": "true",
         "failover": {"id": P_VIRTIO_FAILOVER}},
        {"Accept": "application/json"}, token=admin_token)
    assert status == 201, body
    added = json.loads(body)
    assert headers["location"] == API + "/vnicprofiles/" + added["id"]
    assert added["failover"]["id"] == P_VIRTIO_FAILOVER and added["migratable"] == "true"
    for empty in (None, {}):
        status, _, body = engine.request(
            "PUT", "vnicprofiles/" + added["id"], {"failover": empty},
            {"Accept": "application/json"}, token=admin_token)
        assert status == 200 and "failover" not in json.loads(body)
        engine.request("PUT", "vnicprofiles/" + added["id"],
                       {"failover": {"id": P_VIRTIO_FAILOVER}}, token=admin_token)
    status, headers, body = engine.request("DELETE", "vnicprofiles/" + added["id"],
                                           token=admin_token)
    assert status == 200 and etree.fromstring(body).findtext("status") == "complete"


def test_viewer_cannot_write(engine, dsn):
    before = export(dsn)
    with engine.connection(VIEWER, VIEWER_PASSWORD) as conn:
        profiles = conn.system_service().vnic_profiles_service()
        assert profiles.list()
        with pytest.raises(ovirtsdk4.AuthError) as e:
            profiles.add(failover_profile("viewer-made"))
        assert e.value.code == 403
        with pytest.raises(ovirtsdk4.AuthError):
            profiles.profile_service(P_VIRTIO_FAILOVER).remove()
    assert export(dsn) == before


def test_fault_follows_accept_language(dsn, tmp_path):
    catalogs = tmp_path / "ui-strings"
    catalogs.mkdir()
    (catalogs / "AppErrors_de_DE.properties").write_text(
        NOT_VALID + "=Kann ${type} nicht ${action}: Failover muss ein gültiges Profil ohne "
        "Passthrough sein.\n", encoding="utf-8")
    engine = Engine(dsn, workers=1, env={"SRIOVFO_UI_STRINGS_DIR": str(catalogs)})
    try:
        token = engine.token()
        body = ('<vnic_profile><name>x</name><network id="%s"/><pass_through><mode>enabled'
                '</mode></pass_through><migratable>true</migratable><failover id="%s"/>'
                '</vnic_profile>' % (NET_VF, P_SRIOV_PLAIN))
        for language, expected in (("de-DE,de;q=0.9,en;q=0.5", "Failover muss ein gültiges"),
                                   ("de", "Failover muss ein gültiges"),
                                   ("fr-FR, en;q=0.1", "Failover must be valid"),
                                   (None, "Failover must be valid")):
            headers = {"Content-Type": "application/xml"}
            if language:
                headers["Accept-Language"] = language
            status, _, answer = engine.request("POST", "vnicprofiles", body, headers,
                                               token=token)
            detail = etree.fromstring(answer).findtext("detail")
            assert status == 400 and expected in detail, (language, detail)
            assert "${" not in detail
    finally:
        engine.stop()


def test_installed_catalogs_are_found():
    import sriovfo_engine.i18n as i18n

    assert os.path.isfile(os.path.join(i18n.catalog_dir(), "AppErrors.properties"))
    assert i18n.negotiate("en-US") is None
