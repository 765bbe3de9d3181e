"""test_layers.py: the VDSM hook loads libsriovfo alone, neither libvirt nor libpq.

docs/architecture.md ("Libraries"): libsriovfo links GLib, libxml2 and json-c only; exec is
libsriovfo-virt (libvirt) and the store libsriovfo-store (libpq), and the package imports
their SWIG modules (sriovfo._virt, sriovfo._store) only when sriovfo.Exec or sriovfo.Store is
first used. build-aux/check-needed.sh checks the ELF files (NEEDED, and what ldd maps); these
tests check the running processes:

- the hook, run as VDSM runs it on a domain it fixes, with Python's import log
  (-X importtime): sriovfo._sriovfo is imported, sriovfo.virt, sriovfo.store and their
  modules are not; and the shared objects its process has mapped when it ends
  (/proc/self/maps): libsriovfo.so.0, and neither libvirt.so.0 nor libpq.so.5;
- import sriovfo, then sriovfo.Exec loads libvirt and not libpq, sriovfo.Store libpq and not
  libvirt.
"""

import os
import re
import subprocess
import sys

import pytest

import conftest
import test_vdsm_hook
import vdsm

PYTHON = os.environ.get("PYTHON", sys.executable)

# what the hook process runs: the hook itself (its path in argv[1]) as its interpreter would,
# then, as it ends, one stderr line per shared object it has mapped
RUN_AND_LIST_MAPS = r"""
import runpy, sys

hook = sys.argv[1]
sys.argv = [hook]
try:
    runpy.run_path(hook, run_name="__main__")
    status = 0
except SystemExit as e:
    status = e.code
with open("/proc/self/maps") as f:
    paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
sys.stderr.write("".join("mapped: %s\n" % p for p in sorted(paths) if ".so" in p))
sys.exit(status)
"""

BANNED = ("libvirt.so", "libpq.so", "libsriovfo-virt.so", "libsriovfo-store.so")


def mapped(stderr):
    return [os.path.basename(p) for p in re.findall(r"^mapped: (.*)$", stderr, re.M)]


def imported(stderr):
    """The modules of Python's import log (-X importtime) on @stderr."""
    return re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", stderr, re.M)


def test_hook_loads_libsriovfo_alone(tmp_path):
    point = "before_vm_start"
    hooks = test_vdsm_hook.install(tmp_path / "hooks", [point])
    result = vdsm.run(hooks, point, None, vm_id=test_vdsm_hook.VM_ID,
                      data_bytes=test_vdsm_hook.data("domain-64.xml"),
                      runner=[*conftest.PYTHON_PREFIX, PYTHON, "-X", "importtime", "-c", RUN_AND_LIST_MAPS])
    assert result.rcs == [0], result.stderr
    # the hook did its work: 8 MACs fixed, as without the import log
    assert result.file_after == test_vdsm_hook.data("domain-64.out.xml")
    assert result.stderr.count(": fixed: ") == 8

    modules = imported(result.stderr)
    assert "sriovfo._sriovfo" in modules and "sriovfo.vdsm_hook" in modules, modules
    assert not [m for m in modules if m in ("sriovfo.virt", "sriovfo.store", "sriovfo._virt",
                                            "sriovfo._store")], modules

    libs = mapped(result.stderr)
    assert [lib for lib in libs if lib.startswith("libsriovfo.so")], libs
    assert [lib for lib in libs if lib.startswith("libxml2.so")], libs
    assert not [lib for lib in libs if lib.startswith(BANNED)], libs


def maps_around(attribute):
    """Shared objects mapped after `import sriovfo` and after its first use of @attribute."""
    code = r"""
import sys

def libs():
    with open("/proc/self/maps") as f:
        return sorted({l.split()[-1].rsplit("/", 1)[-1] for l in f if ".so" in l})

import sriovfo
print(" ".join(libs()))
getattr(sriovfo, sys.argv[1])
print(" ".join(libs()))
"""
    proc = subprocess.run([*conftest.PYTHON_PREFIX, PYTHON, "-c", code, attribute], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    before, after = proc.stdout.splitlines()
    return before.split(), after.split()


@pytest.mark.parametrize("attribute,loads,not_loads", [
    ("Exec", ("libsriovfo-virt.so", "libvirt.so"), ("libsriovfo-store.so", "libpq.so")),
    ("ExecResult", ("libsriovfo-virt.so", "libvirt.so"), ("libsriovfo-store.so", "libpq.so")),
    ("Store", ("libsriovfo-store.so", "libpq.so"), ("libsriovfo-virt.so", "libvirt.so")),
])
def test_first_use_loads_the_library(attribute, loads, not_loads):
    before, after = maps_around(attribute)
    assert [lib for lib in before if lib.startswith("libsriovfo.so")], before
    assert not [lib for lib in before if lib.startswith(BANNED)], before
    for name in loads:
        assert [lib for lib in after if lib.startswith(name)], (name, after)
    assert not [lib for lib in after if lib.startswith(not_loads)], after


def test_lazy_names():
    import sriovfo
    import sriovfo.store
    import sriovfo.virt

    assert sriovfo.Exec is sriovfo.virt.Exec
    assert sriovfo.ExecResult is sriovfo.virt.ExecResult
    assert sriovfo.Store is sriovfo.store.Store
    assert {"Exec", "ExecResult", "Store"} <= set(dir(sriovfo))
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        sriovfo.Nothing  # noqa: B018
