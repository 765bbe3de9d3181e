"""conftest.py: shared fixtures of the Python tests (bindings and VDSM hooks).

make check runs each test file through run-pytest.sh with the Python configure chose and
PYTHONPATH pointing at the build tree's package first; abs_top_srcdir and abs_top_builddir
come from make check's environment (defaults: this checkout and its build/ directory).

A test file whose every test was skipped (a tool it needs is missing) exits 77, which make
check reports as SKIP rather than PASS.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

TOP_SRCDIR = os.environ.get(
    "abs_top_srcdir", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
)
TOP_BUILDDIR = os.environ.get("abs_top_builddir", os.path.join(TOP_SRCDIR, "build"))

# Under AddressSanitizer run-pytest.sh starts this interpreter with the ASan runtime in
# LD_PRELOAD (and the same value in SFO_ASAN_PRELOAD). It is loaded now, and nothing this
# process starts may inherit it: QEMU (which libvirt's embedded driver spawns from this process
# with our LD_PRELOAD), virsh and PostgreSQL are not instrumented, and once preloaded into such
# a program that forks while another of its threads holds the runtime's allocator lock, the
# child waits on that lock forever (QEMU's -daemonize while libvirt probes its capabilities;
# initdb). Only the Python programs the tests start get it back, through PYTHON_PREFIX.
ASAN_PRELOAD = os.environ.get("SFO_ASAN_PRELOAD", "")
if ASAN_PRELOAD:
    os.environ.pop("LD_PRELOAD", None)
# the command prefix for a Python program that loads the bindings (a hook, the engine,
# python -c): the ASan runtime preloaded in the sanitizer build, nothing otherwise
PYTHON_PREFIX = ["env", "LD_PRELOAD=" + ASAN_PRELOAD] if ASAN_PRELOAD else []

if "sriovfo" not in sys.modules and not os.environ.get("PYTHONPATH"):
    # run by hand (python3 -m pytest tests/python): use the build tree
    sys.path[:0] = [os.path.join(TOP_BUILDDIR, "bindings", "python"),
                    os.path.join(TOP_SRCDIR, "bindings", "python")]


def data_path(*parts):
    return os.path.join(TOP_SRCDIR, "tests", "data", *parts)


def read_data(*parts):
    with open(data_path(*parts), encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def example_inventory_path():
    return os.path.join(TOP_SRCDIR, "examples", "inventory.json")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    ran = [r for key in ("passed", "failed", "error") for r in stats.get(key, ())]
    if exitstatus == 0 and stats.get("skipped") and not ran:
        session.exitstatus = 77


# ---------------------------------------------------------------------------
# A throw-away PostgreSQL cluster for the store's tests
# ---------------------------------------------------------------------------

def pg_bindir():
    """Where initdb and pg_ctl are, found as the library finds them (docs/store.md):
    $SRIOVFO_PG_BINDIR, the newest /usr/lib/postgresql/*/bin, PATH; None without them."""

    def usable(d):
        return all(os.access(os.path.join(d, p), os.X_OK) for p in ("initdb", "pg_ctl"))

    env = os.environ.get("SRIOVFO_PG_BINDIR")
    if env:
        return env if usable(env) else None
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if usable(d)]
    found.sort(key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else -1)
    if found:
        return found[-1]
    pg_ctl = shutil.which("pg_ctl")
    return os.path.dirname(pg_ctl) if pg_ctl and usable(os.path.dirname(pg_ctl)) else None


def server_env():
    """The environment for PostgreSQL's programs: without LD_PRELOAD, even when this
    interpreter was started by hand with one (see ASAN_PRELOAD above: initdb run with the
    ASan runtime never finishes, and it is not the server that is tested)."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


def idle_domain_xml(name):
    """A q35 domain with four free PCIe root ports and no OS, to define (not run) in libvirt:
    plans against it change its definition at once (the actions' tests, bench-reconcile)."""
    ports = "".join("<controller type='pci' model='pcie-root-port'/>" for _ in range(4))
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>"
            "<devices><controller type='usb' model='none'/><memballoon model='none'/>"
            "<controller type='pci' index='0' model='pcie-root'/>%s</devices></domain>"
            % (name, ports))


def scratch_dir(prefix):
    """A new directory under /tmp (short: it holds a Unix socket) that the PostgreSQL server's
    user can enter: as root the server runs as user postgres, not as us (as the library's
    embedded store does it)."""
    path = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(path, 0o711)
    return path


class PostgresCluster:
    """A private cluster started as tests/store/store-test.c starts one: initdb and pg_ctl in
    a temporary directory, trust authentication for its only way in, a Unix socket in that
    directory (no TCP), no fsync; as root both programs run as user postgres through
    runuser, and the directory belongs to that user. new_dsn() creates a new database and
    returns a libpq connection string for it."""

    PORT = "5432"
    USER = "sriovfo"

    def __init__(self, bindir):
        self.bindir = bindir
        self.dir = scratch_dir("sfo-py-pg.")
        self.pgdata = os.path.join(self.dir, "pgdata")
        self.log = os.path.join(self.dir, "postgresql.log")
        self.run_as = None
        self.databases = 0
        if os.geteuid() == 0:
            self.run_as = os.environ.get("SRIOVFO_PG_USER") or "postgres"
            shutil.chown(self.dir, self.run_as, self.run_as)
            os.chmod(self.dir, 0o700)

    def _run(self, program, *args):
        argv = [os.path.join(self.bindir, program), *args]
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        proc = subprocess.run(argv, cwd=self.dir, env=server_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, check=False)
        if proc.returncode != 0:
            raise RuntimeError("%s failed (exit status %d): %s" % (
                " ".join(argv), proc.returncode, proc.stdout.decode(errors="replace")))

    def start(self):
        self._run("initdb", "-D", self.pgdata, "-U", self.USER, "--auth=trust",
                  "--encoding=UTF8", "--no-locale", "--no-sync")
        with open(os.path.join(self.pgdata, "postgresql.conf"), "a", encoding="utf-8") as f:
            f.write("\nlisten_addresses = ''\nunix_socket_directories = '%s'\n"
                    "unix_socket_permissions = 0700\nport = %s\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                    % (self.dir, self.PORT))
        self._run("pg_ctl", "start", "-D", self.pgdata, "-l", self.log, "-w", "-t", "120", "-s")

    def stop(self):
        if os.path.exists(os.path.join(self.pgdata, "postmaster.pid")):
            self._run("pg_ctl", "stop", "-D", self.pgdata, "-m", "fast", "-w", "-s")
        if not os.environ.get("SFO_TEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def sql(self, query, dbname="postgres"):
        """Runs @query in database @dbname with psql: its output (unaligned, no
        headers)."""
        proc = subprocess.run([os.path.join(self.bindir, "psql"), "-h", self.dir, "-p",
                               self.PORT, "-U", self.USER, "-d", dbname, "-X", "-A", "-t",
                               "-v", "ON_ERROR_STOP=1", "-c", query],
                              env=server_env(), stdout=subprocess.PIPE, check=True)
        return proc.stdout.decode().strip()

    def new_dsn(self):
        """A new, empty database (no schema): its connection string."""
        self.databases += 1
        name = "sriovfo_test_%d" % self.databases
        subprocess.run([os.path.join(self.bindir, "createdb"), "-h", self.dir, "-p", self.PORT,
                        "-U", self.USER, name], env=server_env(), check=True)
        return "host=%s port=%s dbname=%s user=%s" % (self.dir, self.PORT, name, self.USER)


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL cluster (PostgresCluster); skips without PostgreSQL's server
    programs (scripts/install-deps.sh installs them, so CI never skips)."""
    bindir = pg_bindir()
    if not bindir:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    cluster = PostgresCluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
