"""The engine's body parsers under the committed corpus and random input (a seeded,
dependency-free fuzz; the target is fuzz/fuzz_rest_body.py, docs/fuzzing.md): every file of
fuzz/corpus/rest-body either parses into inventory fields of the right types or is refused
with BadRequest (a 400 with a REST_* key) as its name says, and so does every mutation of
them and random bytes; no other exception escapes, which the server would turn into a 5xx.
The corpus also goes through the running engine: no answer is a 5xx."""

import json
import os
import random
import sys

import pytest
from conftest import NIC_WEB1_VF, P_SRIOV_FAILOVER, TOP_SRCDIR, WEB1
from lxml import etree
from sriovfo_engine import model

sys.path.insert(0, os.path.join(TOP_SRCDIR, "fuzz"))
import fuzz_rest_body  # noqa: E402  (from the source tree's fuzz/)

SEED = int(os.environ.get("SFO_FUZZ_SEED", "20261202"))
ROUNDS = int(os.environ.get("SFO_FUZZ_ROUNDS", "3000"))
ID = "9819b960-fe29-44f5-9ffc-cd8624bdea69"
CORPUS = fuzz_rest_body.load_corpus()
parse = fuzz_rest_body.check


@pytest.mark.parametrize("name,data,content_type,root,expect", CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_corpus_replays(name, data, content_type, root, expect):
    out = parse(data, content_type, root)
    if expect == "ok":
        assert out is not None, name
    elif expect == "bad":
        assert out is None, (name, out)


def test_corpus_covers_both_roots_and_syntaxes():
    kinds = {(root, content_type, expect) for _, _, content_type, root, expect in CORPUS}
    for root in ("vnic_profile", "nic"):
        for content_type in ("application/xml", "application/json"):
            assert (root, content_type, "ok") in kinds and (root, content_type, "bad") in kinds


@pytest.mark.parametrize("root", ["vnic_profile", "nic"])
def test_random_mutations(root):
    rng = random.Random("%d-%s" % (SEED, root))
    seeds = [(data, content_type) for _, data, content_type, r, _ in CORPUS if r == root]
    for _ in range(ROUNDS):
        data, content_type = rng.choice(seeds)
        parse(fuzz_rest_body.mutate(rng, data), content_type, root)
        parse(bytes(rng.randrange(256) for _ in range(rng.randint(0, 64))), content_type, root)


def test_fuzzer_records_what_breaks_the_parsers(tmp_path, monkeypatch):
    """The CI run (fuzz_rest_body.py) stops at the first input that breaks the oracle and
    leaves it, with its traceback, where the log says; a clean run exits 0."""
    assert fuzz_rest_body.run("1", 0, 200, str(tmp_path)) == 0
    assert list(tmp_path.iterdir()) == []

    def broken(data, content_type, root):
        raise KeyError("defect")

    monkeypatch.setattr(model, "parse_body", broken)
    assert fuzz_rest_body.run("1", 0, 200, str(tmp_path)) == 1
    found = sorted(tmp_path.iterdir(), key=lambda p: p.suffix == ".txt")
    assert len(found) == 2 and all(p.name.startswith("crash-") for p in found)
    assert found[0].suffix in (".xml", ".json") and found[0].stem == found[1].stem
    assert "KeyError" in found[1].read_text()


def test_random_json_values():
    rng = random.Random(SEED)
    values = [None, True, False, 0, -1, 1.5, "", "x", "true", ID, [], {}, {"id": ID},
              {"id": 5}, {"id": None}, {"mode": "enabled"}, [ID], {"address": 7}]
    for _ in range(ROUNDS):
        body = {rng.choice(list(model.VNIC_PROFILE_FIELDS) + list(model.NIC_FIELDS)):
                rng.choice(values) for _ in range(rng.randint(1, 5))}
        for root in ("vnic_profile", "nic"):
            parse(json.dumps(body).encode(), "application/json", root)


@pytest.mark.parametrize("name,data,content_type,root,expect", CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_corpus_over_http(engine, admin_token, name, data, content_type, root, expect):
    """Each corpus body POSTed and PUT to the engine: a 4xx or a 2xx, never a 5xx; a body the
    parsers refuse is a 400 with the parsers' key."""
    path = "vms/%s/nics" % WEB1 if root == "nic" else "vnicprofiles"
    item = NIC_WEB1_VF if root == "nic" else P_SRIOV_FAILOVER
    headers = {"Content-Type": content_type}
    for method, where in (("POST", path), ("PUT", path + "/" + item)):
        status, h, answer = engine.request(method, where, data, headers, token=admin_token)
        assert status < 500, (name, method, status, answer)
        if expect == "bad":
            assert status == 400 and h["x-sriovfo-error-key"] in fuzz_rest_body.BODY_KEYS, \
                (name, method, status, answer)
            assert etree.fromstring(answer).tag == "fault"


@pytest.mark.parametrize("body,content_type,key", [
    (json.dumps({"name": ["x" * 100000]}), "application/json", "REST_INVALID_VALUE"),
    (json.dumps({"name": "p", "migratable": "y" * 100000}), "application/json",
     "REST_INVALID_VALUE"),
    ("<vnic_profile><name>p</name><network id='%s'/></vnic_profile>" % ("1" * 100000),
     "application/xml", "REST_INVALID_ID"),
])
def test_fault_quotes_a_long_value_briefly(body, content_type, key):
    """A fault names the value it refuses; a long one by its beginning and its length, so a
    100,000-character value is not echoed back whole."""
    with pytest.raises(model.BadRequest) as e:
        model.to_inventory(model.parse_body(body.encode(), content_type, "vnic_profile"),
                           model.VNIC_PROFILE_FIELDS)
    assert e.value.key == key
    assert len(e.value.detail) < 200, e.value.detail
    assert "... (100" in e.value.detail


def test_fault_quotes_a_short_value_whole():
    with pytest.raises(model.BadRequest) as e:
        model.to_inventory({"migratable": "maybe"}, model.VNIC_PROFILE_FIELDS)
    assert e.value.detail == 'Invalid value "maybe" for migratable: true or false expected.'
