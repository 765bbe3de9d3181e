"""The VDSM hook 50_sriovfo (vdsm-hook/50_sriovfo.in, docs/vdsm-hook.md).

VDSM hands a hook the domain XML (before_vm_start, before_vm_migrate_source) or one device
(before_device_create, before_nic_hotplug, before_device_migrate_destination) in a file, and
reads the file back after every hook ran. For each <teaming> pair in it, this hook

- copies the persistent (virtio) interface's MAC onto its transient VF when they differ, as
  the guest pairs them by MAC, and says so on stderr; nothing else in the file changes, byte
  for byte (sriovfo.patch_teaming_macs());
- then checks every pair (sriovfo.check_domxml(); both steps in one call,
  sriovfo.fix_and_check_domxml(), which parses the XML once) and refuses, exit status 2 and
  one line on stderr, when one cannot work: a transient naming a persistent interface that is not there,
  two transients on one persistent interface, a transient that is not a VF, and every other
  error of docs/error-keys.md ("Teaming in a libvirt domain XML"). The file is then left as
  it was. Warnings are printed and do not stop anything.

Exit status as VDSM reads it: 0 go on, 2 stop (the operation fails); this hook never exits 1.
"""

import os
import sys

import sriovfo


def _say(point, environ, text):
    """One line on stderr, which VDSM logs with the hook's exit status."""
    vm = environ.get("vmId")
    text = " ".join(text.split())
    sys.stderr.write("sriovfo: %s: %s%s\n" % (point, "VM %s: " % vm if vm else "", text))


def _rewrite(path, old, new):
    """Replaces the content of file @path, @old, by @new in place: the same inode (VDSM
    created the file and reads it back by that path; a rename would give it a new inode, mode
    and owner, and needs a writable directory). The room for @new is reserved first
    (posix_fallocate), so a full disk or a file size limit fails before a byte is changed;
    a write that fails later all the same (EIO, a copy-on-write file system) puts @old back.
    Raises OSError, the file then holding @old."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        if len(new) > len(old):
            os.posix_fallocate(fd, 0, len(new))
        try:
            _write_all(fd, new)
            os.ftruncate(fd, len(new))
        except OSError:
            _write_all(fd, old)
            os.ftruncate(fd, len(old))
            raise
    finally:
        os.close(fd)


def _write_all(fd, data):
    """Writes @data at offset 0 of @fd, however many calls it takes."""
    view = memoryview(data)
    done = 0
    while done < len(view):
        done += os.pwrite(fd, view[done:], done)


def run(path, data, environ, point):
    """Checks and fixes the XML @data read from @path (written back there when fixed). Returns
    the exit status."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        _say(point, environ, "refused: the domain XML is not UTF-8 (byte %d)" % e.start)
        return 2
    try:
        patched, fixes, violations = sriovfo.fix_and_check_domxml(text)
    except sriovfo.Error as e:
        _say(point, environ, "refused: %s" % e)
        return 2

    errors = violations.errors
    if errors:
        others = ""
        if len(errors) > 1:
            others = " (and %d more: %s)" % (
                len(errors) - 1, ", ".join(v.key for v in errors[1:]))
        _say(point, environ, "refused: %s: %s%s" % (errors[0].key, errors[0].message, others))
        return 2
    for v in violations.warnings:
        _say(point, environ, "warning: %s: %s" % (v.key, v.message))
    if fixes:
        try:
            _rewrite(path, data, patched.encode("utf-8"))
        except OSError as e:
            # exit 2: VDSM then fails the operation without reading the file back
            _say(point, environ, "refused: cannot write the fixed domain XML: %s" % e)
            return 2
        for v in fixes:
            _say(point, environ, "fixed: %s" % v.message)
    return 0
