"""fuzz_rest_body.py: the fuzz target of the REST engine's body parsers (docs/fuzzing.md).

The target is what a POST or PUT of a vNIC profile or a NIC does with its body before the store
sees it: sriovfo_engine.model.parse_body() (XML through lxml, JSON through json) and
to_inventory() with the object's field table. The oracle, check(): either inventory fields of
the table's types come out, or BadRequest with one of the 400 keys of docs/error-keys.md and a
detail the engine's fault can carry in XML and JSON. Any other exception is a defect (the
server would answer 500).

The corpus is fuzz/corpus/rest-body/ROOT-EXPECT-WHAT.EXT: ROOT nic or vnic_profile, EXPECT ok
(must parse), bad (must be refused) or any (inputs a run found: either), EXT xml or json (the
Content-Type sent). tests/engine/test_parsers.py replays it in make check.

Run as a program, it is a bounded mutation fuzzer (Python's atheris is not in Debian): seeded
and reproducible, it mutates corpus files with random byte edits and tokens of both syntaxes
for --seconds (or --runs), and writes the first input that breaks the oracle to
OUT/crash-SHA.EXT with its traceback in OUT/crash-SHA.txt, exit status 1.

    PYTHONPATH=engine-ext python3 fuzz/fuzz_rest_body.py --seconds 60 --seed 1 --out DIR
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time
import traceback

from lxml import etree
from sriovfo_engine import model

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "rest-body")
FIELDS = {"vnic_profile": model.VNIC_PROFILE_FIELDS, "nic": model.NIC_FIELDS}
CONTENT_TYPES = {"xml": "application/xml", "json": "application/json"}
# the keys of a body the engine refuses with 400 (docs/error-keys.md)
BODY_KEYS = {"REST_MALFORMED_BODY", "REST_EMPTY_BODY", "REST_INVALID_VALUE", "REST_INVALID_ID"}
TOKENS = [b"<", b">", b"/>", b"</", b'"', b"'", b"&", b"&amp;", b"&#0;", b"&#x10FFFF;",
          b"<!DOCTYPE nic>", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<?pi?>", b"\x00", b"\xff",
          b"\xc3", b"\xef\xbb\xbf", b"\xff\xfe", b'encoding="UTF-16"', b'encoding="latin1"',
          b'xmlns="urn:x"', b"{", b"}", b"[", b"]", b":", b",", b"null", b"true", b"false",
          b"1e999", b"-0", b"NaN", b"99999999999999999999", b"\\u0000", b"\\ud800", b"\\udfff",
          b'"id"', b'"name"', b'{"id": "9819b960-fe29-44f5-9ffc-cd8624bdea69"}',
          b"<failover/>", b'id="x"', b'id="9819b960-fe29-44f5-9ffc-cd8624bdea69"', b"<name>",
          b"</name>", b"<mac><address>", b"</address></mac>", b"<plugged>", b"<mode>"]


def load_corpus(directory=CORPUS):
    """(name, data, content type, root, expect) of every corpus file, sorted by name."""
    out = []
    for name in sorted(os.listdir(directory)):
        base, ext = os.path.splitext(name)
        root, expect, _ = base.split("-", 2)
        if root not in FIELDS or expect not in ("ok", "bad", "any") or \
                ext[1:] not in CONTENT_TYPES:
            raise ValueError("%s: not ROOT-EXPECT-WHAT.EXT (ROOT nic or vnic_profile, EXPECT "
                             "ok, bad or any, EXT xml or json)" % name)
        with open(os.path.join(directory, name), "rb") as f:
            out.append((name, f.read(), CONTENT_TYPES[ext[1:]], root, expect))
    return out


def _check_fields(out, fields):
    for name, value in out.items():
        kind = fields[name]
        if kind == "bool":
            assert isinstance(value, bool), (name, value)
        elif kind in ("str", "mode"):
            assert isinstance(value, str) and value, (name, value)
            value.encode("utf-8")  # what the store is handed must be UTF-8 (NUL is its to refuse)
        elif kind == "link":
            assert value is None or (set(value) == {"id"} and model.is_uuid(value["id"])), \
                (name, value)
        else:
            assert isinstance(value, dict), (name, value)
            _check_fields(value, kind)


def check(data, content_type, root):
    """The inventory fields of body @data, or None when it is refused as the engine refuses it
    (400); AssertionError or another exception when the parsers break their contract."""
    try:
        out = model.to_inventory(model.parse_body(data, content_type, root), FIELDS[root])
    except model.BadRequest as e:
        assert e.key in BODY_KEYS, e.key
        assert isinstance(e.detail, str) and e.detail
        # the fault the engine sends, in both syntaxes
        etree.fromstring(model.to_xml("fault", {"reason": e.reason, "detail": e.detail,
                                                "key": e.key}))
        json.loads(model.to_json({"reason": e.reason, "detail": e.detail, "key": e.key}))
        return None
    assert isinstance(out, dict)
    _check_fields(out, FIELDS[root])
    return out


def mutate(rng, data):
    """@data with 1 to 6 random edits: a cut, a token, a byte, a repeated chunk."""
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
            data[pos:pos] = data[pos:pos + rng.randint(1, 16)]
    return bytes(data)


def _record(out_dir, data, content_type, root, error):
    os.makedirs(out_dir, exist_ok=True)
    ext = "json" if "json" in content_type else "xml"
    digest = hashlib.sha1(data).hexdigest()[:12]
    path = os.path.join(out_dir, "crash-%s-%s.%s" % (root, digest, ext))
    with open(path, "wb") as f:
        f.write(data)
    with open(os.path.splitext(path)[0] + ".txt", "w", encoding="utf-8") as f:
        f.write(error)
    return path


def run(seed, seconds, runs, out_dir, corpus=CORPUS):
    """Fuzzes until @seconds passed or @runs inputs ran; 0, or 1 with the input recorded."""
    rng = random.Random(seed)
    seeds = load_corpus(corpus)
    deadline = time.monotonic() + seconds
    n = 0
    while (runs and n < runs) or (not runs and time.monotonic() < deadline):
        _, data, content_type, root, _ = rng.choice(seeds)
        if rng.randrange(8) == 0:  # now and then the other syntax, or any bytes at all
            content_type = rng.choice(list(CONTENT_TYPES.values()))
        data = mutate(rng, data) if rng.randrange(16) else rng.randbytes(rng.randint(0, 64))
        n += 1
        try:
            check(data, content_type, root)
        except Exception:  # noqa: BLE001 - every other exception is the finding
            path = _record(out_dir, data, content_type, root, traceback.format_exc())
            print("fuzz_rest_body: seed %s, input %d breaks the parsers: %s (%s)"
                  % (seed, n, path, content_type), file=sys.stderr)
            print(traceback.format_exc(), file=sys.stderr)
            return 1
    print("fuzz_rest_body: seed %s, %d inputs, no failure" % (seed, n))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--runs", type=int, default=0, help="stop after N inputs (0: --seconds)")
    p.add_argument("--seed", default="0", help="the random seed (a run is reproducible)")
    p.add_argument("--out", default="fuzz-out/rest-body", help="where a failing input goes")
    p.add_argument("--corpus", default=CORPUS)
    a = p.parse_args(argv)
    return run(a.seed, a.seconds, a.runs, a.out, a.corpus)


if __name__ == "__main__":
    sys.exit(main())
