"""conftest.py: fixtures of the REST engine's tests (tests/engine, docs/rest.md).

Real components only: a private PostgreSQL cluster (tests/python/conftest.py's), the
sriovfo-engine command serving on a free loopback port (gunicorn, its worker processes),
and the official oVirt Python SDK from PyPI (run-pytest.sh runs these tests in the
environment tests/engine/sdk-venv.sh builds).
"""

import http.client
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "sfo_python_conftest", os.path.join(HERE, "..", "python", "conftest.py"))
pyconf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pyconf)

TOP_SRCDIR = pyconf.TOP_SRCDIR
TOP_BUILDDIR = pyconf.TOP_BUILDDIR
ENGINE_SRC = os.path.join(TOP_SRCDIR, "engine-ext")
os.environ.setdefault("SRIOVFO_MIGRATIONS_DIR", os.path.join(TOP_SRCDIR, "db-migrations"))
os.environ.setdefault("SRIOVFO_UI_STRINGS_DIR", os.path.join(TOP_SRCDIR, "ui-strings"))
if ENGINE_SRC not in sys.path:
    sys.path.insert(0, ENGINE_SRC)

import sriovfo  # noqa: E402
import sriovfo.store  # noqa: E402

pytest_sessionfinish = pyconf.pytest_sessionfinish

pg_cluster = pyconf.pg_cluster

EXAMPLE = os.path.join(TOP_SRCDIR, "examples", "inventory.json")
ADMIN, ADMIN_PASSWORD = "admin@internal", "engine-test-admin"
VIEWER, VIEWER_PASSWORD = "viewer@internal", "engine-test-viewer"
API = "/ovirt-engine/api"

# ids from examples/inventory.json
DC = "b7c12721-fed1-49d9-847d-a601d4a7e227"
CLUSTER = "82798207-f43f-4c22-a0ad-13b5b76db41e"
NET_VF = "1fe46092-0f45-4bae-a0c7-82ebd06d4a71"
NET_BR = "67b523b5-4e09-43c6-9807-ee04654a4a5e"
WEB1 = "95edeee5-777a-4224-b25c-eebddcdf333f"
HOST1 = "da7aad9e-74dc-4e2c-b5b2-0b2861d6cd01"
NIC_WEB1_VF = "90886d6b-ccd6-412b-8621-d7cf84b048d0"
P_SRIOV_FAILOVER = "5e60bdfc-920b-4a2c-84d4-517b497fa354"
P_VIRTIO_FAILOVER = "9819b960-fe29-44f5-9ffc-cd8624bdea69"
P_SRIOV_PLAIN = "66ae506a-0941-4e8a-9a68-3384d4976b07"
P_VM_BRIDGE = "d467bfe4-bad1-4ab5-988f-f731c07d6485"
NOWHERE = "00000000-0000-4000-8000-000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_database(cluster):
    """A new database holding the example inventory, an admin and a viewer: its DSN."""
    if not hasattr(sriovfo.store.Store, "verify_token"):
        pytest.skip("this sriovfo.Store lacks the calls the engine needs (get, list, users "
                    "and tokens)")
    dsn = cluster.new_dsn()
    with sriovfo.store.Store(dsn, connect_only=True) as store:
        store.upgrade()
    with sriovfo.store.Store(dsn) as store:
        assert store.import_inventory(sriovfo.Inventory.load(EXAMPLE)).ok
        store.add_user(ADMIN, ADMIN_PASSWORD, "admin")
        store.add_user(VIEWER, VIEWER_PASSWORD, "viewer")
    return dsn


class Engine:
    """A sriovfo-engine process (python3 -m sriovfo_engine) on a free loopback port."""

    def __init__(self, dsn, workers=2, env=None, args=(), tls=None, session=False):
        self.dsn = dsn
        self.port = free_port()
        self.url = "%s://127.0.0.1:%d%s" % ("https" if tls else "http", self.port, API)
        if tls:
            args = list(args) + ["--certfile", tls[0], "--keyfile", tls[1]]
        self.log = open(os.path.join(pyconf.scratch_dir("sfo-engine."), "engine.log"), "w+b")
        environ = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [ENGINE_SRC] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        environ.update(env or {})
        self.proc = subprocess.Popen(
            [*pyconf.PYTHON_PREFIX, sys.executable, "-m", "sriovfo_engine", "--bind", "127.0.0.1:%d" % self.port,
             "--workers", str(workers), "--dsn", dsn, *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=environ,
            start_new_session=session)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("sriovfo-engine exited: %s" % self.output())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if tls or self.request("GET", "/ovirt-engine/api")[0] == 401:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("sriovfo-engine did not listen: %s" % self.output())
                time.sleep(0.05)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    # raw HTTP (http.client), for what the SDK never sends
    def request(self, method, path, body=None, headers=None, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            h = dict(headers or {})
            if token:
                h["Authorization"] = "Bearer " + token
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                h.setdefault("Content-Type", "application/json")
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path if path.startswith("/") else API + "/" + path, body, h)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def token(self, user=ADMIN, password=ADMIN_PASSWORD):
        status, _, body = self.request(
            "POST", "/ovirt-engine/sso/oauth/token",
            "grant_type=password&scope=ovirt-app-api&username=%s&password=%s" % (user, password),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        assert status == 200, body
        return json.loads(body)["access_token"]

    def connection(self, user=ADMIN, password=ADMIN_PASSWORD, **kwargs):
        import ovirtsdk4

        kwargs.setdefault("insecure", True)
        return ovirtsdk4.Connection(url=self.url, username=user, password=password, **kwargs)


def export(dsn):
    with sriovfo.store.Store(dsn) as store:
        return store.export().to_json()


@pytest.fixture(scope="module")
def dsn(pg_cluster):
    return new_database(pg_cluster)


@pytest.fixture(scope="module")
def engine(dsn):
    e = Engine(dsn)
    try:
        yield e
    finally:
        e.stop()


@pytest.fixture(scope="module")
def admin_token(engine):
    return engine.token()


@pytest.fixture
def sdk(engine):
    with engine.connection() as conn:
        yield conn


def cli_export(dsn):
    """`sriovfo export` of the store at @dsn: its bytes."""
    cli = os.environ.get("SFO_CLI") or os.path.join(TOP_BUILDDIR, "cli", "sriovfo")
    return subprocess.run([cli, "--dsn", dsn, "export"], check=True,
                          stdout=subprocess.PIPE).stdout
