"""test_vdsm_hook.py: the VDSM hook 50_sriovfo, run exactly as VDSM runs it.

Each case installs the built hook (vdsm-hook/50_sriovfo, $SFO_HOOK) into a hook directory
laid out like /usr/libexec/vdsm/hooks, and runs a hook point through vdsm.py (VDSM's own
procedure: temporary file, environment with vmId and custom properties, exit codes, the
file read back). Inputs and golden outputs are tests/data/hooks/:

- domain-64.xml: a 64-interface domain as the engine writes it (32 VF/virtio pairs, namespaced
  metadata, double quotes); the MAC of every fourth VF has drifted from its standby's;
  domain-64.out.xml is the fixed file (SFO_TEST_REGENERATE=1 rewrites it);
- no-teaming-64.xml: the same domain without <teaming>;
- one file per pair that cannot work (refused), malformed XML, device snippets of the
  hot-plug and device points, and the source side of a migration (VF already unplugged).

$SFO_HOOK_RUNNER (e.g. valgrind) prefixes every hook run, after conftest.PYTHON_PREFIX (the
ASan runtime in the sanitizer build).
"""

import os
import re
import resource
import shlex
import shutil
import stat
import subprocess
import time

import pytest

import conftest
import vdsm

HOOK = os.environ.get("SFO_HOOK", os.path.join(conftest.TOP_BUILDDIR, "vdsm-hook", "50_sriovfo"))
HOOK_RUNNER = shlex.split(os.environ.get("SFO_HOOK_RUNNER", ""))
RUNNER = conftest.PYTHON_PREFIX + HOOK_RUNNER
POINTS = ["before_vm_start", "before_device_create", "before_nic_hotplug",
          "before_vm_migrate_source", "before_device_migrate_destination"]
DOMAIN_POINTS = ["before_vm_start", "before_vm_migrate_source"]
DEVICE_POINTS = ["before_device_create", "before_nic_hotplug", "before_device_migrate_destination"]
VM_ID = "95edeee5-777a-4224-b25c-eebddcdf333f"
# custom properties of the VM and of the vNIC profile, as the engine configures them
VM_CUSTOM = {"sap_agent": "true", "viodiskcache": "writeback"}
PARAMS = {"vnic_id": "2b8a1e4c-0d6f-4e39-9d5c-1f3f0f0a7b21", "queues": "4"}


def data(name):
    with open(conftest.data_path("hooks", name), "rb") as f:
        return f.read()


def golden(name, actual):
    path = conftest.data_path("hooks", name)
    if os.environ.get("SFO_TEST_REGENERATE") == "1":
        with open(path, "wb") as f:
            f.write(actual)
    return data(name)


def install(hooks_dir, points, extra=()):
    """hooks_dir/<point>/50_sriovfo for each point, plus the (name, shell body) scripts of
    @extra, executable, as make install and VDSM's packaging lay them out."""
    for point in points:
        os.makedirs(os.path.join(hooks_dir, point), exist_ok=True)
        shutil.copy(HOOK, os.path.join(hooks_dir, point, "50_sriovfo"))
        os.chmod(os.path.join(hooks_dir, point, "50_sriovfo"), 0o755)
        for name, body in extra:
            path = os.path.join(hooks_dir, point, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" + body + "\n")
            os.chmod(path, 0o755)
    return str(hooks_dir)


def run_point(tmp_path, point, xml_bytes, extra=(), env=None):
    hooks = install(tmp_path / "hooks", [point], extra)
    return vdsm.run(hooks, point, None, vm_id=VM_ID, vm_custom=VM_CUSTOM, params=PARAMS,
                    data_bytes=xml_bytes, env=env, runner=RUNNER)


def one_line(text):
    assert text.endswith("\n") and text.count("\n") == 1, "not one line: %r" % text
    return text


def refused(result, point, key_or_text):
    """The hook refused: exit 2, one line naming the VM and why, the file untouched by it,
    and VDSM fails the operation."""
    assert result.rcs[-1] == 2
    line = one_line(result.scripts[-1][2])
    assert line.startswith("sriovfo: %s: VM %s: refused: " % (point, VM_ID)), line
    assert key_or_text in line
    assert result.error == result.scripts[-1][2]
    return line


# ---------------------------------------------------------------------------------------------
# the 64-interface domain


@pytest.mark.parametrize("point", DOMAIN_POINTS)
def test_domain_64_macs_fixed_and_nothing_else(tmp_path, point):
    original = data("domain-64.xml")
    result = run_point(tmp_path, point, original)
    assert result.rcs == [0] and result.error is None
    out = result.file_after
    assert out == golden("domain-64.out.xml", out)
    assert result.xml.encode("utf-8") == out

    # independently of the golden file: the same lines, and only the <mac> lines of the
    # drifted VFs differ, each by the MAC of its persistent interface
    before, after = original.decode().splitlines(True), out.decode().splitlines(True)
    assert len(before) == len(after)
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    assert len(changed) == 8
    for i in changed:
        old = re.search(r'<mac address="([^"]+)" />', before[i]).group(1)
        new = re.search(r'<mac address="([^"]+)" />', after[i]).group(1)
        assert old.startswith("56:6f:1a:2b:ff:") and new != old
        assert before[i].replace(old, new) == after[i]
        # the standby of this VF (the next interface) has that MAC
        assert '<mac address="%s" />' % new in "".join(before[i:i + 20])

    lines = result.stderr.splitlines()
    assert len(lines) == 8
    for line in lines:
        assert line.startswith("sriovfo: %s: VM %s: fixed: Transient teaming interface ua-"
                               % (point, VM_ID)), line


@pytest.mark.parametrize("point", POINTS)
def test_fixed_domain_passes_unchanged(tmp_path, point):
    fixed = data("domain-64.out.xml")
    result = run_point(tmp_path, point, fixed)
    assert result.rcs == [0] and result.stderr == ""
    assert result.file_after == fixed and result.xml.encode() == fixed


@pytest.mark.parametrize("point", POINTS)
def test_domain_without_teaming_passes_untouched(tmp_path, point):
    plain = data("no-teaming-64.xml")
    result = run_point(tmp_path, point, plain)
    assert result.rcs == [0] and result.stderr == ""
    assert result.file_after == plain


def test_domain_without_teaming_does_not_load_the_library(tmp_path):
    """The fast path: XML without <teaming> is let through before sriovfo is imported."""
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    result = run_point(tmp_path, "before_vm_start", data("no-teaming-64.xml"), env=env)
    assert result.rcs == [0]
    assert "sriovfo" not in result.stderr and "import time:" in result.stderr
    result = run_point(tmp_path, "before_vm_start", data("domain-64.out.xml"), env=env)
    assert result.rcs == [0]
    assert re.search(r"\| +sriovfo\._sriovfo$", result.stderr, re.M)


# ---------------------------------------------------------------------------------------------
# pairs that cannot work: refused, the file untouched


@pytest.mark.parametrize("name,key", [
    ("persistent-not-found.xml", "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND"),
    ("persistent-shared.xml", "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_SHARED"),
    ("transient-not-hostdev.xml", "ACTION_TYPE_FAILED_TEAMING_TRANSIENT_NOT_HOSTDEV"),
])
@pytest.mark.parametrize("point", DOMAIN_POINTS)
def test_pair_that_cannot_work_is_refused(tmp_path, point, name, key):
    original = data(name)
    result = run_point(tmp_path, point, original)
    refused(result, point, key)
    assert result.file_after == original
    if point == "before_vm_start":
        # VDSM reads the file back, then fails the start with the hook's error
        assert result.xml.encode() == original
    else:
        assert result.xml is None


def test_refusal_names_the_others(tmp_path):
    """Several errors: the first one's key and message, then how many more, on one line."""
    xml = data("persistent-shared.xml").replace(b'persistent="ua-fo" type="transient" />\n'
                                                b'            <alias name="ua-vf-2"',
                                                b'persistent="ua-nope" type="transient" />\n'
                                                b'            <alias name="ua-vf-2"')
    xml = xml.replace(b'<interface type="hostdev" managed="no">', b'<interface type="user">', 1)
    result = run_point(tmp_path, "before_vm_start", xml)
    line = refused(result, "before_vm_start", "ACTION_TYPE_FAILED_TEAMING_TRANSIENT_NOT_HOSTDEV")
    assert "(and 1 more: ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND)" in line
    assert result.file_after == xml


@pytest.mark.parametrize("point", POINTS)
def test_malformed_xml_is_refused_untouched(tmp_path, point):
    original = data("malformed.xml")
    result = run_point(tmp_path, point, original)
    line = refused(result, point, "DOMXML_SYNTAX_ERROR: domain XML is not well-formed at line ")
    assert re.search(r"at line \d+, column \d+: ", line)
    assert result.file_after == original


def test_not_utf8_is_refused_untouched(tmp_path):
    original = data("not-utf8.xml")
    result = run_point(tmp_path, "before_device_create", original)
    refused(result, "before_device_create", "not UTF-8 (byte ")
    assert result.file_after == original


# ---------------------------------------------------------------------------------------------
# device snippets and migration


@pytest.mark.parametrize("point", DEVICE_POINTS)
def test_vf_snippet_passes(tmp_path, point):
    """A hot-plugged VF names a standby that is already in the running domain: nothing here
    to compare it with, so it passes unchanged."""
    vf = data("hotplug-vf.xml")
    result = run_point(tmp_path, point, vf)
    assert result.rcs == [0] and result.stderr == "" and result.file_after == vf
    assert result.xml.encode() == vf


def test_snippet_that_is_no_vf_is_refused(tmp_path):
    original = data("hotplug-not-hostdev.xml")
    result = run_point(tmp_path, "before_nic_hotplug", original)
    refused(result, "before_nic_hotplug", "ACTION_TYPE_FAILED_TEAMING_TRANSIENT_NOT_HOSTDEV")
    assert result.file_after == original and result.xml is None


def test_migration_source_with_standby_only(tmp_path):
    live = data("migrate-source.xml")
    result = run_point(tmp_path, "before_vm_migrate_source", live)
    assert result.rcs == [0] and result.stderr == "" and result.file_after == live


# ---------------------------------------------------------------------------------------------
# among other hooks, and the environment


TRACE_HOOKS = (
    ("10_first", 'echo 10_first >> "$SFO_TEST_TRACE"'),
    ("90_last", 'echo 90_last >> "$SFO_TEST_TRACE"; cp "$_hook_domxml" "$SFO_TEST_SEEN"'),
)


def test_later_hooks_see_the_fix(tmp_path):
    env = dict(os.environ, SFO_TEST_TRACE=str(tmp_path / "trace"),
               SFO_TEST_SEEN=str(tmp_path / "seen"))
    result = run_point(tmp_path, "before_vm_start", data("domain-64.xml"), TRACE_HOOKS, env)
    assert [s[0] for s in result.scripts] == ["10_first", "50_sriovfo", "90_last"]
    assert result.rcs == [0, 0, 0]
    assert (tmp_path / "trace").read_text() == "10_first\n90_last\n"
    assert (tmp_path / "seen").read_bytes() == data("domain-64.out.xml")


def test_refusal_stops_the_later_hooks(tmp_path):
    env = dict(os.environ, SFO_TEST_TRACE=str(tmp_path / "trace"),
               SFO_TEST_SEEN=str(tmp_path / "seen"))
    result = run_point(tmp_path, "before_nic_hotplug", data("hotplug-not-hostdev.xml"),
                       TRACE_HOOKS, env)
    assert result.rcs == [0, 2]
    assert (tmp_path / "trace").read_text() == "10_first\n"
    assert result.error is not None and result.xml is None


def test_without_vm_id_the_message_names_no_vm(tmp_path):
    hooks = install(tmp_path / "hooks", ["before_device_create"])
    result = vdsm.run(hooks, "before_device_create", None, data_bytes=data("malformed.xml"),
                      runner=RUNNER)
    assert result.rcs == [2]
    assert one_line(result.stderr).startswith("sriovfo: before_device_create: refused: ")


def run_hook_directly(tmp_path, env):
    hook = install(tmp_path / "hooks", ["before_vm_start"])
    script = os.path.join(hook, "before_vm_start", "50_sriovfo")
    return subprocess.run(RUNNER + [script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, check=False, text=True)


def test_without_hook_domxml(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "_hook_domxml"}
    proc = run_hook_directly(tmp_path, env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line(proc.stderr) == \
        "sriovfo: before_vm_start: no domain XML: $_hook_domxml is not set\n"


def test_unreadable_domxml_file(tmp_path):
    proc = run_hook_directly(tmp_path, dict(os.environ, _hook_domxml=str(tmp_path / "gone")))
    assert proc.returncode == 2
    assert one_line(proc.stderr).startswith("sriovfo: before_vm_start: cannot read the domain XML")


def test_fix_is_written_in_place(tmp_path):
    """The file VDSM created keeps its inode and mode: the hook rewrites its content only."""
    path = tmp_path / "domxml"
    path.write_bytes(data("domain-64.xml"))
    os.chmod(path, 0o600)
    before = os.stat(path)
    proc = run_hook_directly(tmp_path, dict(os.environ, _hook_domxml=str(path)))
    assert proc.returncode == 0 and proc.stdout == ""
    after = os.stat(path)
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, 0o600)
    assert path.read_bytes() == data("domain-64.out.xml")


def limit_file_size(limit):
    """preexec_fn: files the hook writes may not grow past @limit bytes (RLIMIT_FSIZE, as
    `ulimit -f`): a write or a reservation beyond it fails with EFBIG (Python ignores
    SIGXFSZ), as one on a full disk fails with ENOSPC, at the same place."""
    def limit_it():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_it


def test_full_disk_leaves_the_file_whole(tmp_path):
    """The fix makes the file longer (a <mac> inserted) and there is no room for it: the
    hook refuses, and the file is still what VDSM wrote, same inode, byte for byte. Before,
    the file was truncated first and left half-written."""
    path = tmp_path / "domxml"
    original = conftest.read_data("domxml-patch", "missing-mac.xml").encode()
    path.write_bytes(original)
    before = os.stat(path)
    hook = install(tmp_path / "hooks", ["before_vm_start"])
    script = os.path.join(hook, "before_vm_start", "50_sriovfo")
    proc = subprocess.run(RUNNER + [script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, _hook_domxml=str(path), vmId=VM_ID),
                          preexec_fn=limit_file_size(len(original) + 8), check=False, text=True)
    assert proc.returncode == 2, proc.stderr
    assert one_line(proc.stderr).startswith(
        "sriovfo: before_vm_start: VM %s: refused: cannot write the fixed domain XML: " % VM_ID)
    assert os.stat(path).st_ino == before.st_ino
    assert path.read_bytes() == original



def test_element_with_100k_attributes_is_refused_at_once(tmp_path):
    """One element with 100k attributes (1 MB) kept the hook busy for 25 s in libxml2; it is
    refused before libxml2 reads it, with a key, the file untouched."""
    attrs = b"".join(b" a%d=''" % i for i in range(100000))
    original = (b"<domain type='kvm'><devices>\n<interface type='hostdev'" + attrs +
                b"><teaming type='transient' persistent='ua-fo'/></interface>\n"
                b"</devices></domain>\n")
    start = time.monotonic()
    result = run_point(tmp_path, "before_vm_start", original)
    seconds = time.monotonic() - start
    refused(result, "before_vm_start", "DOMXML_TOO_MANY_ATTRIBUTES: ")
    assert "at line 2" in result.scripts[-1][2]
    assert result.file_after == original
    if not HOOK_RUNNER:
        assert seconds < 5


FULL_TMPFS = r'''
set -e
mount -t tmpfs -o size=8k sriovfo-test "$SFO_DIR"
cp "$SFO_SRC" "$SFO_DIR/domxml"
head -c 4096 /dev/zero > "$SFO_DIR/filler" 2>/dev/null || true
stat -c %i "$SFO_DIR/domxml" > "$SFO_OUT/inode-before"
set +e
_hook_domxml="$SFO_DIR/domxml" "$@" 2> "$SFO_OUT/stderr"
echo $? > "$SFO_OUT/rc"
stat -c %i "$SFO_DIR/domxml" > "$SFO_OUT/inode-after"
cp "$SFO_DIR/domxml" "$SFO_OUT/after"
'''


def test_full_tmpfs_leaves_the_file_whole(tmp_path):
    """A real full disk: a tmpfs of two pages, mounted in a mount namespace of the test's own
    (root only; skipped elsewhere), holding the domain (one page, the fix needs a second) and a
    file filling the other page. The hook gets ENOSPC and refuses; the file is as it was."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare(1) to mount a tmpfs")
    probe = subprocess.run(["unshare", "-m", "true"], stderr=subprocess.DEVNULL, check=False)
    if probe.returncode != 0:
        pytest.skip("no mount namespace here")
    text = conftest.read_data("domxml-patch", "missing-mac.xml").encode()
    # just under a page: the inserted <mac> needs a second one
    original = text.replace(b"<devices>", b"<!--" + b"x" * (4096 - 16 - len(text)) +
                            b"-->\n  <devices>", 1)
    assert 4096 - 16 < len(original) < 4096
    src, mnt, out = tmp_path / "src.xml", tmp_path / "mnt", tmp_path / "out"
    src.write_bytes(original)
    mnt.mkdir()
    out.mkdir()
    hook = os.path.join(install(tmp_path / "hooks", ["before_vm_start"]), "before_vm_start",
                        "50_sriovfo")
    env = dict(os.environ, SFO_SRC=str(src), SFO_DIR=str(mnt), SFO_OUT=str(out), vmId=VM_ID)
    subprocess.run(["unshare", "-m", "sh", "-c", FULL_TMPFS, "sh"] + RUNNER + [hook], env=env,
                   check=True)
    assert (out / "rc").read_text().strip() == "2"
    line = one_line((out / "stderr").read_text())
    assert "refused: cannot write the fixed domain XML: " in line
    assert "No space left on device" in line
    assert (out / "inode-after").read_text() == (out / "inode-before").read_text()
    assert (out / "after").read_bytes() == original
