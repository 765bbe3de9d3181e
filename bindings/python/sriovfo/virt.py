"""sriovfo.virt: running plans against libvirt (libsriovfo-virt, docs/sequencer.md).

    import sriovfo

    with sriovfo.Inventory.load("inventory.json") as inv:
        plan = inv.plan("unplug", nic_id)
    with sriovfo.Exec("qemu:///system", journal="/var/lib/sriov-failover/journal") as ex:
        result = ex.run(plan)

sriovfo.Exec and sriovfo.ExecResult are the classes of this module: the first use of either
imports it, and with it the SWIG module sriovfo._virt and libsriovfo-virt, which links
libvirt. `import sriovfo` alone loads neither (a VDSM hook never needs them).
"""

import os as _os

from . import _Owner, _text
from . import _virt as _c

__all__ = ["Exec", "ExecResult"]


class ExecResult:
    """How a plan ran (Exec.run(), Exec.reconcile()): .status ("completed", "refused",
    "undone", "incomplete", "undo_failed"), .error_key and .error_message when it did not
    complete, to_json() and to_text() as `sriovfo apply` prints them."""

    __slots__ = ("_handle",)

    def __init__(self, handle):
        self._handle = handle

    @property
    def status(self):
        return _c.sfo_exec_status_to_string(_c.sfo_exec_result_status(self._handle))

    @property
    def error_key(self):
        return _c.sfo_exec_result_error_key(self._handle)

    @property
    def error_message(self):
        return _c.sfo_exec_result_error_message(self._handle)

    def to_json(self):
        return _c.sfo_exec_result_format_json(self._handle, 0)

    def to_text(self):
        return _c.sfo_exec_result_format_text(self._handle, 0)

    def __repr__(self):
        return "<sriovfo.ExecResult %s>" % self.status


class Exec(_Owner):
    """Runs plans against libvirt (docs/sequencer.md): Exec(uri, destination_uri=None),
    with optional unplug_timeout (seconds), migration_uri, journal (a file path) and
    memory_file (where a snapshot writes the guest's memory). A context manager; close()
    disconnects."""

    __slots__ = ()
    _what = "Exec"

    def __init__(self, uri, destination_uri=None, unplug_timeout=None, migration_uri=None,
                 journal=None, memory_file=None):
        dest = None if destination_uri is None else _text(destination_uri, "destination_uri")
        self._h = _c.sfo_exec_open(None if uri is None else _text(uri, "uri"), dest, 0)
        if unplug_timeout is not None:
            _c.sfo_exec_set_unplug_timeout(self._h, int(unplug_timeout * 1000))
        if migration_uri is not None:
            _c.sfo_exec_set_migration_uri(self._h, _text(migration_uri, "migration_uri"))
        if journal is not None:
            _c.sfo_exec_set_journal(self._h, _text(_os.fsdecode(journal), "journal"))
        if memory_file is not None:
            _c.sfo_exec_set_snapshot_memory_file(
                self._h, _text(_os.fsdecode(memory_file), "memory_file"))

    def _use_journal(self, journal):
        """Records in @journal (a C journal of sriovfo._store: Store.apply(), Store.reconcile()),
        which this exec takes over."""
        _c.sfo_exec_use_journal(self._handle, journal)

    def run(self, plan):
        """Runs @plan step by step, undoing what was done when a step fails: ExecResult."""
        return ExecResult(_c.sfo_exec_run(self._handle, plan._handle, 0))

    def reconcile(self):
        """Finishes or undoes what the journal holds open: ExecResult."""
        return ExecResult(_c.sfo_exec_reconcile(self._handle, 0))
