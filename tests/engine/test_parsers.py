"""The engine's body parsers under random input (a seeded, dependency-free fuzz): every
mutation of valid XML and JSON bodies, and random bytes, either parses into inventory
fields of the right types or is refused with BadRequest (a 400 with a REST_* key); no other
exception escapes, which the server would turn into a 5xx."""

import json
import os
import random

import pytest
from sriovfo_engine import model

SEED = int(os.environ.get("SFO_FUZZ_SEED", "20261202"))
ROUNDS = int(os.environ.get("SFO_FUZZ_ROUNDS", "3000"))
ID = "9819b960-fe29-44f5-9ffc-cd8624bdea69"

XML_SEEDS = {
    "vnic_profile": [
        '<vnic_profile><name>p</name><network id="%s"/><pass_through><mode>enabled</mode>'
        '</pass_through><migratable>true</migratable><failover id="%s"/>'
        '<port_mirroring>false</port_mirroring></vnic_profile>' % (ID, ID),
        "<vnic_profile><failover/></vnic_profile>",
    ],
    "nic": [
        '<nic><name>n</name><interface>pci_passthrough</interface><mac><address>'
        '56:6f:00:00:00:01</address></mac><plugged>true</plugged><vnic_profile id="%s"/></nic>'
        % ID,
    ],
}
JSON_SEEDS = {
    "vnic_profile": [{"name": "p", "network": {"id": ID}, "pass_through": {"mode": "enabled"},
                      "migratable": "true", "failover": {"id": ID}},
                     {"failover": None}],
    "nic": [{"name": "n", "interface": "virtio", "mac": {"address": "56:6f:00:00:00:01"},
             "plugged": False, "vnic_profile": {"id": ID}}],
}
FIELDS = {"vnic_profile": model.VNIC_PROFILE_FIELDS, "nic": model.NIC_FIELDS}
TOKENS = [b"<", b">", b"/>", b"</", b'"', b"&", b"&amp;", b"<!DOCTYPE x>", b"]]>", b"\x00",
          b"\xff", b"{", b"}", b"[", b"]", b":", b",", b"null", b"true", b"1e999", b"\\u0000",
          b"<failover/>", b'id="x"', b"<name>", b"</name>"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(4)
        pos = rng.randint(0, len(data))
        if op == 0 and data:
            del data[pos:pos + rng.randint(1, 8)]
        elif op == 1:
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        else:
            chunk = data[pos:pos + rng.randint(1, 16)]
            data[pos:pos] = chunk
    return bytes(data)


def check_fields(out, fields):
    for name, value in out.items():
        kind = fields[name]
        if kind == "bool":
            assert isinstance(value, bool)
        elif kind in ("str", "mode"):
            assert isinstance(value, str) and value
        elif kind == "link":
            assert value is None or (set(value) == {"id"} and model.is_uuid(value["id"]))
        else:
            assert isinstance(value, dict)
            check_fields(value, kind)


def parse(data, content_type, root):
    try:
        out = model.to_inventory(model.parse_body(data, content_type, root), FIELDS[root])
    except model.BadRequest as e:
        assert e.key.startswith("REST_") and e.detail
        return None
    check_fields(out, FIELDS[root])
    return out


@pytest.mark.parametrize("root", ["vnic_profile", "nic"])
def test_seeds_parse(root):
    for seed in XML_SEEDS[root]:
        assert parse(seed.encode(), "application/xml", root) is not None
    for seed in JSON_SEEDS[root]:
        assert parse(json.dumps(seed).encode(), "application/json", root) is not None


@pytest.mark.parametrize("root", ["vnic_profile", "nic"])
def test_random_mutations(root):
    rng = random.Random("%d-%s" % (SEED, root))
    seeds = [(s.encode(), "application/xml") for s in XML_SEEDS[root]] + \
        [(json.dumps(s).encode(), "application/json") for s in JSON_SEEDS[root]]
    for _ in range(ROUNDS):
        data, content_type = rng.choice(seeds)
        parse(mutate(rng, data), content_type, root)
        parse(bytes(rng.randrange(256) for _ in range(rng.randint(0, 64))), content_type, root)


def test_random_json_values():
    rng = random.Random(SEED)
    values = [None, True, False, 0, -1, 1.5, "", "x", "true", ID, [], {}, {"id": ID},
              {"id": 5}, {"id": None}, {"mode": "enabled"}, [ID], {"address": 7}]
    for _ in range(ROUNDS):
        body = {rng.choice(list(model.VNIC_PROFILE_FIELDS) + list(model.NIC_FIELDS)):
                rng.choice(values) for _ in range(rng.randint(1, 5))}
        for root in ("vnic_profile", "nic"):
            parse(json.dumps(body).encode(), "application/json", root)


@pytest.mark.parametrize("data,content_type", [
    (b"[" * 60000 + b"]" * 60000, "application/json"),
    (b'{"name": ' * 20000 + b"1" + b"}" * 20000, "application/json"),
    (b"<nic>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</nic>", "application/xml"),
    (b'<!DOCTYPE nic [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><nic><name>&c;</name></nic>',
     "application/xml"),
])
def test_deep_and_expanding_bodies_are_refused(data, content_type):
    with pytest.raises(model.BadRequest):
        model.to_inventory(model.parse_body(data, content_type, "nic"), model.NIC_FIELDS)
