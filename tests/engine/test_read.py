"""The engine's read side, driven by the official oVirt SDK and by raw HTTP: the API root,
SSO (token, logout), the collections and objects of the example inventory, XML and JSON."""

import json
import subprocess
import time

import ovirtsdk4
import pytest
import sriovfo.store
from conftest import (ADMIN, API, CLUSTER, DC, HOST1, NET_BR, NET_VF, NIC_WEB1_VF, NOWHERE,
                      P_SRIOV_FAILOVER, P_VIRTIO_FAILOVER, WEB1, Engine, new_database)
from lxml import etree
from ovirtsdk4 import types


def test_connection_test_and_root(engine, sdk):
    assert sdk.test(raise_exception=True)
    api = sdk.system_service().get()
    assert api.product_info.vendor == "sriov-failover"
    assert api.product_info.version.major == 4


def test_sdk_lists_every_collection(sdk):
    system = sdk.system_service()
    assert [dc.id for dc in system.data_centers_service().list()] == [DC]
    clusters = system.clusters_service().list()
    assert CLUSTER in [c.id for c in clusters]
    default = [c for c in clusters if c.id == CLUSTER][0]
    assert (default.name, default.data_center.id) == ("Default", DC)
    assert (default.version.major, default.version.minor) == (4, 7)
    networks = {n.id: n for n in system.networks_service().list()}
    assert networks[NET_VF].name == "sriov-vf" and networks[NET_VF].data_center.id == DC
    assert networks[NET_VF].mtu == 1500 and networks[NET_VF].vlan.id == 100
    hosts = system.hosts_service().list()
    assert HOST1 in [h.id for h in hosts]
    vms = {v.id: v for v in system.vms_service().list()}
    assert vms[WEB1].name == "web1" and vms[WEB1].cluster.id == CLUSTER


def test_sdk_gets_objects(sdk):
    system = sdk.system_service()
    profile = system.vnic_profiles_service().profile_service(P_SRIOV_FAILOVER).get()
    assert profile.pass_through.mode == types.VnicPassThroughMode.ENABLED
    assert profile.migratable is True and profile.port_mirroring is False
    assert profile.failover.id == P_VIRTIO_FAILOVER
    assert profile.failover.href == API + "/vnicprofiles/" + P_VIRTIO_FAILOVER
    assert profile.network.id == NET_VF
    virtio = system.vnic_profiles_service().profile_service(P_VIRTIO_FAILOVER).get()
    assert virtio.failover is None and virtio.migratable is None
    assert system.vms_service().vm_service(WEB1).get().name == "web1"
    assert system.hosts_service().host_service(HOST1).get().id == HOST1
    assert system.networks_service().network_service(NET_BR).get().name == "vm-bridge"
    nics = system.vms_service().vm_service(WEB1).nics_service()
    nic = nics.nic_service(NIC_WEB1_VF).get()
    assert nic.interface == types.NicInterface.PCI_PASSTHROUGH
    assert nic.vnic_profile.id == P_SRIOV_FAILOVER and nic.vm.id == WEB1
    assert NIC_WEB1_VF in [n.id for n in nics.list()]


def test_sdk_search_and_max(sdk):
    profiles = sdk.system_service().vnic_profiles_service()
    everything = profiles.list()
    assert len(everything) > 2
    assert [p.id for p in profiles.list(max=2)] == [p.id for p in everything[:2]]
    # the SDK's VnicProfilesService.list() has no search argument: a script passes it as query
    found = profiles.list(query={"search": "name=virtio-failover"})
    assert P_VIRTIO_FAILOVER in [p.id for p in found]
    assert {p.name for p in found} == {"virtio-failover"} and len(found) < len(everything)
    on_net = sdk.system_service().networks_service().network_service(NET_VF) \
        .vnic_profiles_service().list()
    assert P_SRIOV_FAILOVER in [p.id for p in on_net]
    assert all(p.network.id == NET_VF for p in on_net)


def test_sdk_not_found(sdk):
    with pytest.raises(ovirtsdk4.NotFoundError) as e:
        sdk.system_service().vnic_profiles_service().profile_service(NOWHERE).get()
    assert e.value.code == 404
    with pytest.raises(ovirtsdk4.Error) as e:
        sdk.system_service().vms_service().vm_service("not-a-uuid").get()
    assert e.value.code == 400


def test_trailing_slash_url(engine):
    with ovirtsdk4.Connection(url=engine.url + "/", username=ADMIN,
                              password="engine-test-admin", insecure=True) as conn:
        assert conn.test(raise_exception=True)
        assert conn.system_service().data_centers_service().list()[0].id == DC


@pytest.mark.parametrize("path,root,item", [
    ("datacenters", "data_centers", "data_center"),
    ("clusters", "clusters", "cluster"),
    ("networks", "networks", "network"),
    ("vnicprofiles", "vnic_profiles", "vnic_profile"),
    ("hosts", "hosts", "host"),
    ("vms", "vms", "vm"),
    ("vms/%s/nics" % WEB1, "nics", "nic"),
])
def test_raw_collections_xml_and_json(engine, admin_token, path, root, item):
    status, headers, body = engine.request("GET", path, token=admin_token)
    assert status == 200 and headers["content-type"].startswith("application/xml")
    doc = etree.fromstring(body)
    assert doc.tag == root and len(doc) > 0 and all(c.tag == item for c in doc)
    first = doc[0].get("id")
    assert doc[0].get("href").endswith("/" + first)
    status, headers, body = engine.request("GET", path, token=admin_token,
                                           headers={"Accept": "application/json"})
    assert status == 200 and headers["content-type"].startswith("application/json")
    items = json.loads(body)[item]
    assert [i["id"] for i in items] == [c.get("id") for c in doc]
    status, headers, body = engine.request("GET", "%s/%s" % (path, first), token=admin_token,
                                           headers={"Accept": "application/json"})
    assert status == 200 and json.loads(body)["id"] == first
    status, headers, body = engine.request("GET", "%s/%s" % (path, first), token=admin_token)
    assert status == 200 and etree.fromstring(body).tag == item


def test_json_booleans_are_strings(engine, admin_token):
    status, _, body = engine.request("GET", "vnicprofiles/" + P_SRIOV_FAILOVER,
                                     token=admin_token, headers={"Accept": "application/json"})
    profile = json.loads(body)
    assert status == 200
    assert profile["migratable"] == "true" and profile["port_mirroring"] == "false"
    assert profile["pass_through"] == {"mode": "enabled"}
    assert profile["failover"] == {"href": API + "/vnicprofiles/" + P_VIRTIO_FAILOVER,
                                   "id": P_VIRTIO_FAILOVER}


def test_auth_required(engine):
    for headers in ({}, {"Authorization": "Bearer 00"}, {"Authorization": "Basic YTpi"}):
        status, h, body = engine.request("GET", API, headers=headers)
        assert status == 401
        assert "www-authenticate" in h and h["content-type"].startswith("application/xml")
        assert etree.fromstring(body).tag == "fault"


def test_sso_wrong_password(engine):
    status, h, body = engine.request(
        "POST", "/ovirt-engine/sso/oauth/token",
        "grant_type=password&scope=ovirt-app-api&username=admin%40internal&password=nope",
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert status == 400 and h["content-type"].startswith("application/json")
    assert json.loads(body)["error_code"] == "access_denied"
    conn = engine.connection(password="nope")
    with pytest.raises(ovirtsdk4.AuthError) as e:
        conn.system_service().get()
    assert "Cannot authenticate user" in str(e.value)


def test_close_revokes_the_token(engine):
    conn = engine.connection()
    conn.system_service().get()
    token = conn.authenticate()
    assert engine.request("GET", API, token=token)[0] == 200
    conn.close()
    assert engine.request("GET", API, token=token)[0] == 401


def test_bad_query_parameters(engine, admin_token):
    for query in ("max=many", "search=cluster%3DDefault"):
        status, h, body = engine.request("GET", "vnicprofiles?" + query, token=admin_token)
        assert status == 400 and etree.fromstring(body).tag == "fault"
        assert h["x-sriovfo-error-key"].startswith("REST_")


def test_unknown_path_and_method(engine, admin_token):
    assert engine.request("GET", "storagedomains", token=admin_token)[0] == 404
    status, h, _ = engine.request("DELETE", "datacenters/" + DC, token=admin_token)
    assert status == 405 and h["content-type"]


def test_sdk_authenticates_again_after_the_token_expires(dsn):
    engine = Engine(dsn, workers=1, args=["--token-ttl", "1"])
    try:
        with engine.connection() as conn:
            system = conn.system_service()
            assert system.data_centers_service().list()[0].id == DC
            first = conn.authenticate()
            time.sleep(2.5)
            assert engine.request("GET", API, token=first)[0] == 401
            # the SDK gets a 401, fetches a new token and retries once
            assert system.data_centers_service().list()[0].id == DC
            assert conn.authenticate() != first
    finally:
        engine.stop()


def test_https(dsn, tmp_path):
    cert, key = str(tmp_path / "engine.pem"), str(tmp_path / "engine.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    engine = Engine(dsn, workers=1, tls=(cert, key))
    try:
        with engine.connection(insecure=False, ca_file=cert) as conn:
            assert conn.test(raise_exception=True)
            assert conn.system_service().data_centers_service().list()[0].id == DC
    finally:
        engine.stop()


def test_failed_logins_are_rate_limited(engine, dsn):
    import sriovfo.store

    with sriovfo.store.Store(dsn) as store:
        store.add_user("limited@internal", "right-password", "viewer")

    def login(password):
        return engine.request(
            "POST", "/ovirt-engine/sso/oauth/token",
            "grant_type=password&username=limited%%40internal&password=%s" % password,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})

    assert login("right-password")[0] == 200
    for _ in range(5):
        status, headers, _ = login("wrong")
        assert status == 400 and headers["x-sriovfo-error-key"] == "AUTH_FAILED"
    # now even the right password is refused, without being checked
    status, headers, body = login("right-password")
    assert status == 429 and headers["x-sriovfo-error-key"] == "AUTH_RATE_LIMITED"
    assert headers["retry-after"] and json.loads(body)["error_code"] == "access_denied"


def test_answers_follow_the_store_at_once(pg_cluster):
    """Each worker memoises its renderings by the store's answer (docs/rest.md,
    "Performance"), never the answer itself: a change made elsewhere (another process, the
    CLI) shows in the very next GET."""
    dsn = new_database(pg_cluster)
    engine = Engine(dsn, workers=1)
    try:
        token = engine.token()
        for accept in ("application/xml", "application/json"):
            headers = {"Accept": accept}
            first = engine.request("GET", "vnicprofiles", token=token, headers=headers)
            again = engine.request("GET", "vnicprofiles", token=token, headers=headers)
            assert first[0] == again[0] == 200 and first[2] == again[2]
            one = engine.request("GET", "vnicprofiles/" + P_SRIOV_FAILOVER, token=token,
                                 headers=headers)
            assert one[0] == 200
            name = "renamed-" + accept.split("/")[1]
            with sriovfo.store.Store(dsn) as store:
                store.update_vnic_profile({"id": P_SRIOV_FAILOVER, "name": name}, merge=True)
            status, _, body = engine.request("GET", "vnicprofiles", token=token,
                                             headers=headers)
            assert status == 200 and name.encode() in body and body != first[2]
            status, _, body = engine.request("GET", "vnicprofiles/" + P_SRIOV_FAILOVER,
                                             token=token, headers=headers)
            assert status == 200 and name.encode() in body and body != one[2]
    finally:
        engine.stop()
