"""test_sanitizer_env.py: the Python tests' environment in the ASan build holds at exit.

run-pytest.sh preloads the ASan runtime into the interpreter, which loads every module with
dlopen, so their thread-local storage is dynamic. GCC 12's runtime, when it intercepts
__tls_get_addr, takes a dynamic block whose address ends in 0x010 for a glibc 2.19 block with
a header, reads a start and a length from the 16 bytes before it (the allocator's own chunk
header), and LeakSanitizer's tracer later scans that range and dies at exit: "Tracer caught
signal 11", "LeakSanitizer has encountered a fatal error", exit 1, after every test passed
(how test_store_actions.py once failed in CI: libvirt's and GLib's threads hold such blocks).
make check's environment turns the interception off (intercept_tls_get_addr=0, Makefile.am).

The probe (dtls-probe.c, a module with one 8-byte thread-local variable) puts those blocks
exactly there, in threads that are still alive when the interpreter exits, so that the exit's
leak check meets them; with the interception on, that check dies every time.
"""

import os
import subprocess
import sys

import pytest

import conftest

PROBE = os.path.join(conftest.TOP_BUILDDIR, "tests", "python", ".libs", "dtls-probe.so")

# 32 threads touch the probe's variable and stay blocked; the leak check runs at exit
CHILD = r"""
import ctypes, sys, threading
probe = ctypes.CDLL(sys.argv[1])
probe.sfo_dtls_probe_touch.restype = ctypes.c_size_t
offsets, touched, stop = [], threading.Semaphore(0), threading.Event()

def hold():
    offsets.append(probe.sfo_dtls_probe_touch() % 4096)
    touched.release()
    stop.wait()

for _ in range(32):
    threading.Thread(target=hold, daemon=True).start()
for _ in range(32):
    touched.acquire()
print("blocks at page offset 0x10:", sum(1 for o in offsets if o == 0x10), flush=True)
"""


def test_leak_check_at_exit_survives_dynamic_tls_blocks():
    if not conftest.ASAN_PRELOAD:
        pytest.skip("not the AddressSanitizer build")
    assert "intercept_tls_get_addr=0" in os.environ.get("ASAN_OPTIONS", "").split(":")
    out = subprocess.run([*conftest.PYTHON_PREFIX, sys.executable, "-c", CHILD, PROBE],
                         capture_output=True, text=True, timeout=120)
    # the probe must have put blocks where the runtime misreads them, or this proves nothing
    counts = [int(line.rsplit(":", 1)[1]) for line in out.stdout.splitlines()
              if line.startswith("blocks at page offset 0x10:")]
    assert counts and counts[0] > 0, (out.stdout, out.stderr)
    assert "LeakSanitizer has encountered a fatal error" not in out.stderr, out.stderr
    assert out.returncode == 0, out.stderr
