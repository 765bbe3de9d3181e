"""vdsm.py: runs VDSM hooks the way VDSM runs them, for the hook tests.

VDSM itself is not packaged for Debian, so this module reproduces what VDSM's
lib/vdsm/common/hooks.py (_runHooksDir() and the per-point wrappers) does, as described in
shared/research/ovirt.md section 6.4 and checked against that file:

- the hooks of a point are the executable regular files in HOOKS/<point>/, run one after
  the other in sorted name order, each with stdout and stderr captured;
- the XML is written UTF-8 to a temporary file (mkstemp) whose path is in $_hook_domxml;
  the environment is VDSM's own plus the device's custom properties (params), the VM's
  custom properties and vmId, with PYTHONPATH extended by VDSM's hook package directory;
- exit status 0 goes on; any other status is an error; 2 also stops the remaining hooks;
- for most before_* points an error fails the operation before the file is read back
  (HookError); before_vm_start reads the file back first and then fails with the last
  error; the file is read back as UTF-8 text and then deleted.

run() returns everything a test looks at, including the file's bytes after the hooks ran,
which VDSM itself would not read when a hook failed (so a test can tell that a refusing
hook left the file alone).
"""

import os
import subprocess
import tempfile

# hook point -> VDSM fails the operation before reading the file back (raiseError=True)
RAISE_BEFORE_READ_BACK = {
    "before_vm_start": False,  # reads it back, then raises the last error
    "before_device_create": True,
    "before_nic_hotplug": True,
    "before_vm_migrate_source": True,
    "before_device_migrate_destination": True,
}

# what $PYTHONPATH gets appended: VDSM's vdsm/hook package directory (absent here)
VDSM_HOOK_PACKAGE_DIR = "/usr/lib/python3/dist-packages/vdsm/hook"


class HookRun:
    """The outcome of one hook point: .scripts [(name, rc, stderr text)], .errors (stderr of
    each failed hook), .error (the HookError text VDSM raises, or None), .xml (the XML VDSM
    continues with, None when it raised before reading it back), .file_after (the file's
    bytes after the last hook ran)."""

    def __init__(self):
        self.scripts = []
        self.errors = []
        self.error = None
        self.xml = None
        self.file_after = None

    @property
    def rcs(self):
        return [rc for _, rc, _ in self.scripts]

    @property
    def stderr(self):
        return "".join(err for _, _, err in self.scripts)


def hook_scripts(hooks_dir, point):
    path = os.path.join(hooks_dir, point)
    names = sorted(os.listdir(path)) if os.path.isdir(path) else []
    return [os.path.join(path, n) for n in names
            if os.path.isfile(os.path.join(path, n)) and os.access(os.path.join(path, n), os.X_OK)]


def run(hooks_dir, point, xml, vm_id=None, vm_custom=None, params=None, env=None,
        data_bytes=None, runner=None):
    """Runs the hooks of @point in @hooks_dir on @xml (str; or @data_bytes written as they
    are, to test input VDSM itself would not produce). @runner is a command prefix for each
    hook (valgrind). Returns a HookRun."""
    result = HookRun()
    scripts = hook_scripts(hooks_dir, point)
    if not scripts:
        result.xml = xml
        return result
    fd, path = tempfile.mkstemp()
    try:
        os.write(fd, data_bytes if data_bytes is not None else (xml or "").encode("utf-8"))
        os.close(fd)
        scriptenv = dict(os.environ if env is None else env)
        for source in (params or {}, vm_custom or {}):
            scriptenv.update(source)
        if vm_id:
            scriptenv["vmId"] = vm_id
        scriptenv["PYTHONPATH"] = ":".join(
            scriptenv.get("PYTHONPATH", "").split(":") + [VDSM_HOOK_PACKAGE_DIR])
        scriptenv["_hook_domxml"] = path
        err = b""
        for script in scripts:
            proc = subprocess.run((runner or []) + [script], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=scriptenv, check=False)
            err = proc.stderr
            rc = proc.returncode
            result.scripts.append((os.path.basename(script), rc, err.decode("utf-8", "replace")))
            if rc != 0:
                result.errors.append(err.decode("utf-8", "replace"))
            if rc == 2:
                break
        with open(path, "rb") as f:
            result.file_after = f.read()
        if result.errors and RAISE_BEFORE_READ_BACK.get(point, True):
            result.error = err.decode("utf-8", "replace")
            return result
        with open(path, encoding="utf-8") as f:
            result.xml = f.read()
        if result.errors:
            result.error = result.errors[-1]
    finally:
        os.unlink(path)
    return result
