"""test_store_api.py: what a front end reads and writes through sriovfo.Store, against a real
PostgreSQL (the session's private cluster, a new database per test): get/list, merge
updates, MAC allocation, users and tokens, failover candidates (docs/store.md, docs/python.md).
"""

import json
import os

import pytest

import conftest
import sriovfo

EXAMPLE = os.path.join(conftest.TOP_SRCDIR, "examples", "inventory.json")

# ids from examples/inventory.json
DC = "b7c12721-fed1-49d9-847d-a601d4a7e227"
CLUSTER = "82798207-f43f-4c22-a0ad-13b5b76db41e"
WEB1 = "95edeee5-777a-4224-b25c-eebddcdf333f"
DB1 = "6e94a27e-17f5-4822-a1d7-882a637080ad"
NIC_WEB1_VF = "90886d6b-ccd6-412b-8621-d7cf84b048d0"
P_SRIOV_FAILOVER = "5e60bdfc-920b-4a2c-84d4-517b497fa354"
P_VIRTIO_FAILOVER = "9819b960-fe29-44f5-9ffc-cd8624bdea69"
P_SRIOV_PLAIN = "66ae506a-0941-4e8a-9a68-3384d4976b07"
NETWORK = "1fe46092-0f45-4bae-a0c7-82ebd06d4a71"
HOST1 = "da7aad9e-74dc-4e2c-b5b2-0b2861d6cd01"


def example():
    """examples/inventory.json as the library writes it (defaults filled in, as an export)"""
    return json.loads(sriovfo.Inventory.load(EXAMPLE).to_json())


@pytest.fixture
def store(pg_cluster):
    """A new database holding examples/inventory.json"""
    dsn = pg_cluster.new_dsn()
    with sriovfo.Store(dsn, connect_only=True) as store:
        store.upgrade()
    with sriovfo.Store(dsn) as store:
        assert store.import_inventory(sriovfo.Inventory.load(EXAMPLE)) == []
        yield store


# ---- reads -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sriovfo.Store.KINDS)
def test_get_and_list_give_the_inventory_objects(store, kind):
    objects = example()[kind]
    assert store.list(kind) == objects
    for obj in objects:
        assert store.get(kind, obj["id"]) == obj
    # the same, as the library's JSON text
    assert isinstance(store.list_json(kind), str)
    assert json.loads(store.list_json(kind, limit=1)) == objects[:1]
    assert json.loads(store.get_json(kind, objects[0]["id"])) == objects[0]


@pytest.mark.parametrize("kind,key", [
    ("data_centers", "DATA_CENTER_NOT_FOUND"), ("clusters", "CLUSTER_NOT_FOUND"),
    ("networks", "NETWORK_NOT_FOUND"), ("vnic_profiles", "VNIC_PROFILE_NOT_FOUND"),
    ("vms", "VM_NOT_FOUND"), ("nics", "NIC_NOT_FOUND"), ("hosts", "HOST_NOT_FOUND"),
])
def test_get_unknown_id_raises_not_found_with_the_kind_key(store, kind, key):
    with pytest.raises(sriovfo.NotFound) as e:
        store.get(kind, "00000000-0000-4000-8000-000000000000")
    assert e.value.key == key


def test_bad_kind_or_id_is_invalid_input(store):
    with pytest.raises(sriovfo.InvalidInput) as e:
        store.get("profiles", P_SRIOV_PLAIN)
    assert e.value.key == "INVALID_ARGUMENT"
    with pytest.raises(sriovfo.InvalidInput) as e:
        store.get("vnic_profiles", "a'; DROP TABLE nics; --")
    assert e.value.key == "INVENTORY_INVALID_VALUE"
    with pytest.raises(sriovfo.InvalidInput):
        store.list("data_centers", parent=DC)
    with pytest.raises(sriovfo.InvalidInput):
        store.list("nics", limit=-1)
    assert len(store.list("nics")) == 4


def test_list_filters_by_name_parent_and_limit(store):
    inv = example()
    assert [p["id"] for p in store.list("vnic_profiles", name="sriov-plain")] == [P_SRIOV_PLAIN]
    assert store.list("vnic_profiles", name="no-such-name") == []
    assert store.list("vnic_profiles", parent=NETWORK) == [
        p for p in inv["vnic_profiles"] if p["network"]["id"] == NETWORK]
    assert store.list("nics", parent=WEB1) == [n for n in inv["nics"] if n["vm"]["id"] == WEB1]
    assert store.list("networks", parent=DC) == inv["networks"]
    assert store.list("vms", parent=CLUSTER) == [
        v for v in inv["vms"] if v["cluster"]["id"] == CLUSTER]
    assert store.list("nics", name="nic1", limit=2) == [
        n for n in inv["nics"] if n["name"] == "nic1"][:2]
    assert store.list("vnic_profiles", limit=0) == []


def test_vnic_profile_vm_counts(store):
    inv = example()
    expected = {}
    for p in inv["vnic_profiles"]:
        vms = {n["vm"]["id"] for n in inv["nics"] if n.get("vnic_profile", {}).get("id") == p["id"]}
        if vms:
            expected[p["id"]] = len(vms)
    assert expected  # the example has profiles in use
    assert store.vnic_profile_vm_counts() == expected


# ---- merge updates, unique names, MACs ---------------------------------------------------


def test_merge_update_of_a_profile_changes_only_the_given_fields(store):
    profile_id, _ = store.add_vnic_profile({
        "name": "merge-me", "network": {"id": NETWORK}, "pass_through": {"mode": "enabled"},
        "migratable": True, "failover": {"id": P_VIRTIO_FAILOVER}})
    before = store.get("vnic_profiles", profile_id)
    assert store.update_vnic_profile({"id": profile_id, "name": "merged"}, merge=True) == []
    assert store.get("vnic_profiles", profile_id) == dict(before, name="merged")
    # None clears the failover
    store.update_vnic_profile({"id": profile_id, "failover": None}, merge=True)
    after = store.get("vnic_profiles", profile_id)
    assert "failover" not in after
    assert after["migratable"] is True
    # the merged state goes through the rules, and nothing is written when they refuse
    with pytest.raises(sriovfo.RuleViolation) as e:
        store.update_vnic_profile({"id": profile_id, "migratable": False,
                                   "failover": {"id": P_VIRTIO_FAILOVER}}, merge=True)
    assert e.value.key == "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH"
    assert store.get("vnic_profiles", profile_id) == after
    with pytest.raises(sriovfo.NotFound) as e:
        store.update_vnic_profile({"id": "00000000-0000-4000-8000-000000000000"}, merge=True)
    assert e.value.key == "VNIC_PROFILE_NOT_FOUND"


def test_merge_update_of_a_nic(store):
    before = store.get("nics", NIC_WEB1_VF)
    store.update_nic({"id": NIC_WEB1_VF, "name": "eth7"}, merge=True)
    assert store.get("nics", NIC_WEB1_VF) == dict(before, name="eth7")
    with pytest.raises(sriovfo.NotFound) as e:
        store.update_nic({"id": "00000000-0000-4000-8000-000000000000"}, merge=True)
    assert e.value.key == "NIC_NOT_FOUND"


def test_profile_name_in_use_on_the_network(store):
    with pytest.raises(sriovfo.RuleViolation) as e:
        store.add_vnic_profile({"name": "sriov-plain", "network": {"id": NETWORK}})
    assert e.value.key == "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE"
    assert [p["name"] for p in store.list("vnic_profiles", name="sriov-plain")] == ["sriov-plain"]
    # the same check as the rules over an inventory
    inv = example()
    inv["vnic_profiles"].append({"id": "dup", "name": "sriov-plain", "network": {"id": NETWORK}})
    keys = [v.key for v in sriovfo.Inventory.from_string(json.dumps(inv)).check()]
    assert "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE" in keys


def test_nic_without_mac_gets_the_next_one_of_the_pool(store):
    nic_id, _ = store.add_nic({"name": "auto", "vm": {"id": DB1}})
    assert store.get("nics", nic_id)["mac"] == {"address": "56:6f:1a:2b:00:05"}
    nic_id, _ = store.add_nic({"name": "auto2", "vm": {"id": DB1}, "mac": None})
    assert store.get("nics", nic_id)["mac"] == {"address": "56:6f:1a:2b:00:06"}


# ---- users and tokens ----------------------------------------------------------------------


def test_users_login_verify_revoke(store):
    store.add_user("alice", "secret", "admin")
    store.add_user("bob", "b0b", "viewer")
    assert store.list_users() == [{"name": "alice", "role": "admin"},
                                  {"name": "bob", "role": "viewer"}]
    with pytest.raises(sriovfo.InvalidInput) as e:
        store.add_user("alice", "x", "viewer")
    assert e.value.key == "USER_EXISTS"
    with pytest.raises(sriovfo.InvalidInput):
        store.add_user("carol", "x", "root")

    session = store.login("bob", "b0b", ttl=60)
    assert set(session) == {"token", "expires_at", "user", "role"}
    assert (session["user"], session["role"]) == ("bob", "viewer")
    assert store.verify_token(session["token"]) == {
        "user": "bob", "role": "viewer", "expires_at": session["expires_at"]}
    store.revoke_token(session["token"])
    store.revoke_token(session["token"])
    with pytest.raises(sriovfo.AuthFailed) as e:
        store.verify_token(session["token"])
    assert e.value.key == "AUTH_TOKEN_INVALID"

    for name, password in (("bob", "wrong"), ("nobody", "b0b")):
        with pytest.raises(sriovfo.AuthFailed) as e:
            store.login(name, password)
        assert e.value.key == "AUTH_FAILED"

    store.set_password("bob", "new")
    assert store.login("bob", "new")["role"] == "viewer"
    store.remove_user("bob")
    with pytest.raises(sriovfo.NotFound) as e:
        store.remove_user("bob")
    assert e.value.key == "USER_NOT_FOUND"
    with pytest.raises(sriovfo.InvalidInput):
        store.login("alice", "secret", ttl=0)


def test_login_rate_limited_after_five_failures(store):
    store.add_user("alice", "secret", "admin")
    for _ in range(5):
        with pytest.raises(sriovfo.AuthFailed) as e:
            store.login("alice", "guess")
        assert e.value.key == "AUTH_FAILED"
    with pytest.raises(sriovfo.AuthFailed) as e:
        store.login("alice", "secret")
    assert e.value.key == "AUTH_RATE_LIMITED"


def test_ensure_admin_once(store):
    password = store.ensure_admin()
    assert isinstance(password, str) and len(password) >= 22
    assert store.login("admin@internal", password)["role"] == "admin"
    assert store.ensure_admin() is None
    assert store.ensure_admin("other") is None
    assert store.list_users() == [{"name": "admin@internal", "role": "admin"}]


# ---- failover candidates -----------------------------------------------------------------


def test_failover_candidates_follow_the_rules(pg_cluster):
    P_VM_BRIDGE = "d467bfe4-bad1-4ab5-988f-f731c07d6485"
    P_PERSISTENT_VIRTIO = "cac354c1-d070-441f-a694-f1e65cf2f6b3"
    VM_BRIDGE_NET = "67b523b5-4e09-43c6-9807-ee04654a4a5e"
    inv = example()
    # profiles the rules refuse as a failover: on an external network, in another data
    # center, on a network the Default cluster lacks
    inv["data_centers"].append({"id": "dc2", "name": "far"})
    inv["networks"] += [
        {"id": "n-ext", "name": "ext", "data_center": {"id": DC},
         "external_provider": {"id": "ovn"}},
        {"id": "n-far", "name": "far", "data_center": {"id": "dc2"}},
        {"id": "n-lonely", "name": "lonely", "data_center": {"id": DC}},
    ]
    inv["vnic_profiles"] += [
        {"id": "p-ext", "name": "p-ext", "network": {"id": "n-ext"}},
        {"id": "p-far", "name": "p-far", "network": {"id": "n-far"}},
        {"id": "p-lonely", "name": "p-lonely", "network": {"id": "n-lonely"}},
    ]
    dsn = pg_cluster.new_dsn()
    with sriovfo.Store(dsn, connect_only=True) as store:
        store.upgrade()
    with sriovfo.Store(dsn) as store:
        store.import_inventory(json.dumps(inv))
        plain = store.get("vnic_profiles", P_SRIOV_PLAIN)
        expected = [P_VIRTIO_FAILOVER, P_VM_BRIDGE, P_PERSISTENT_VIRTIO]
        assert store.failover_candidates(plain) == expected
        # each candidate is accepted by the update rules, each other profile refused
        for p in store.list("vnic_profiles"):
            edited = dict(plain, migratable=True, failover={"id": p["id"]})
            violations = sriovfo.Inventory.from_string(json.dumps(inv)).validate(
                "update-vnic-profile", edited)
            refused = any(v.key.startswith("ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE")
                          for v in violations)
            if p["id"] in expected:
                assert not refused, p["name"]
            elif p["id"] not in ("p-lonely",):  # rule 11 is a NIC rule: see the cluster check
                assert refused, p["name"]
        # a new profile (no id) on vm-bridge, which the Legacy cluster has too: only
        # profiles of networks both clusters have
        new = {"name": "new", "network": {"id": VM_BRIDGE_NET},
               "pass_through": {"mode": "enabled"}, "migratable": True}
        assert store.failover_candidates(new) == [P_VIRTIO_FAILOVER, P_VM_BRIDGE]
        # an edited profile is judged as edited, and never its own candidate
        moved = dict(store.get("vnic_profiles", P_VIRTIO_FAILOVER), network={"id": NETWORK})
        assert P_VIRTIO_FAILOVER not in store.failover_candidates(moved)
        with pytest.raises(sriovfo.NotFound) as e:
            store.failover_candidates({"name": "x", "network": {"id": "nope"}})
        assert e.value.key == "NETWORK_NOT_FOUND"
        with pytest.raises(sriovfo.InvalidInput):
            store.failover_candidates({"name": "x"})
