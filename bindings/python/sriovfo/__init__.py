"""sriovfo: SR-IOV live migration with a virtio failover (Python bindings of libsriovfo).

    import sriovfo

    with sriovfo.Inventory.load("inventory.json") as inv:
        for v in inv.check():
            print(v.severity, v.key, v.message)
        xml = inv.domxml(vm_id, domain=True)

    violations = sriovfo.check_domxml(domain_xml)
    violations.raise_for_errors()           # sriovfo.RuleViolation if a pair cannot work

    with sriovfo.Store() as store:          # the inventory in PostgreSQL (the embedded store)
        store.import_inventory(inv)
        profile_id, warnings = store.add_vnic_profile(profile)

Failures raise subclasses of sriovfo.Error (.key, .message, .violations): InvalidInput (also
a ValueError), NotFound (also a KeyError), IOFailure (also an OSError), DatabaseError, and
RuleViolation when the store refuses a change; see sriovfo.errors, which is generated from
the C library's error table, and docs/python.md. Otherwise rule violations are data: lists
of Violation objects, not exceptions.

Every object is freed when its last reference goes (CPython frees it at once); an Inventory
and a Store are also context managers that free their C object on exit.
"""

import os as _os

# The build tree keeps the generated files (errors.py, the extension module) apart from these
# hand-written ones: look for the rest of the package in every sriovfo/ on sys.path, as
# pkgutil.extend_path() does (without its import cost, which a VDSM hook pays on every run).
# An installed package has everything in one directory and skips this.
if not _os.path.exists(_os.path.join(_os.path.dirname(__file__), "errors.py")):
    import sys as _sys

    for _entry in _sys.path:
        _dir = _os.path.join(_entry or _os.curdir, __name__)
        if _os.path.isdir(_dir) and _dir not in __path__:
            __path__.append(_dir)

from . import _sriovfo as _c  # noqa: E402
from .errors import (  # noqa: E402
    DatabaseError,
    Error,
    InvalidInput,
    IOFailure,
    NotFound,
    RuleViolation,
)

__all__ = [
    "ACTIONS",
    "ERROR",
    "WARNING",
    "DatabaseError",
    "Error",
    "Exec",
    "ExecResult",
    "IOFailure",
    "InvalidInput",
    "Inventory",
    "PLAN_ACTIONS",
    "Plan",
    "NotFound",
    "RuleViolation",
    "Store",
    "Violation",
    "Violations",
    "action_from_string",
    "action_to_string",
    "check_domxml",
    "patch_teaming_macs",
    "plan_action_from_string",
    "plan_action_to_string",
]

ERROR = "error"
WARNING = "warning"
_SEVERITIES = {_c.SFO_SEVERITY_ERROR: ERROR, _c.SFO_SEVERITY_WARNING: WARNING}


def _text(value, what):
    """@value as a str for a C string argument: str, or bytes in UTF-8."""
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidInput("%s is not UTF-8: %s" % (what, e), "INVALID_ARGUMENT") from None
    elif not isinstance(value, str):
        raise TypeError("%s must be str or bytes, not %s" % (what, type(value).__name__))
    if "\0" in value:
        raise InvalidInput("%s contains a NUL character" % what, "INVALID_ARGUMENT")
    return value


class Violation:
    """One broken rule: .key (e.g. "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND"),
    .severity (sriovfo.ERROR or sriovfo.WARNING), .message (one line of English),
    .subject_type and .subject_id (the object it is about; .subject is the pair)."""

    __slots__ = ("key", "severity", "message", "subject_type", "subject_id")

    def __init__(self, key, severity, message, subject_type, subject_id):
        self.key = key
        self.severity = severity
        self.message = message
        self.subject_type = subject_type
        self.subject_id = subject_id

    @property
    def subject(self):
        return (self.subject_type, self.subject_id)

    @property
    def is_error(self):
        return self.severity == ERROR

    def __eq__(self, other):
        if not isinstance(other, Violation):
            return NotImplemented
        return all(getattr(self, a) == getattr(other, a) for a in self.__slots__)

    __hash__ = None

    def __repr__(self):
        return "Violation(%r, %r, subject=%r)" % (self.key, self.severity, self.subject)

    def __str__(self):
        return "%s %s: %s" % (self.severity, self.key, self.message)


class Violations(list):
    """The violations of one check, in the library's order: a list of Violation.

    .errors and .warnings split it by severity; .ok is True when there is no error;
    raise_for_errors() raises RuleViolation when there is one; to_json() is the library's
    JSON form (with each violation's message arguments)."""

    __slots__ = ("_handle",)

    def __init__(self, handle):
        c = _c
        n = c.sfo_violations_count(handle)
        super().__init__(
            Violation(
                c.sfo_violations_key(handle, i),
                _SEVERITIES.get(c.sfo_violations_severity(handle, i), ERROR),
                c.sfo_violations_message(handle, i),
                c.sfo_violations_subject_type(handle, i),
                c.sfo_violations_subject_id(handle, i),
            )
            for i in range(n)
        )
        self._handle = handle

    @property
    def error_count(self):
        return _c.sfo_violations_error_count(self._handle)

    @property
    def errors(self):
        return [v for v in self if v.severity == ERROR]

    @property
    def warnings(self):
        return [v for v in self if v.severity == WARNING]

    @property
    def ok(self):
        return self.error_count == 0

    def _first_error(self):
        """(message, key) of the first error, the message saying how many more there are;
        None when there is no error."""
        errors = self.errors
        if not errors:
            return None
        more = " (and %d more)" % (len(errors) - 1) if len(errors) > 1 else ""
        return errors[0].message + more, errors[0].key

    def raise_for_errors(self):
        """Raises RuleViolation (key and message of the first error, .violations all of
        them) when at least one violation is an error."""
        first = self._first_error()
        if first:
            raise RuleViolation(first[0], first[1], self)

    def to_json(self):
        return _c.sfo_violations_format_json(self._handle, 0)

    def __repr__(self):
        return "Violations(%s)" % list.__repr__(self)


def _object_json(obj, what="object"):
    """The JSON text of @obj: a dict (or list) is serialised, a str or bytes is taken as
    JSON text."""
    if isinstance(obj, (str, bytes, bytearray)):
        return _text(obj, what)
    import json

    return json.dumps(obj)


class _Owner:
    """Base of the classes that own one C object until close(), the end of their with block
    or their last reference: close() drops it (CPython frees it at once) and may be called
    again; any use after it raises InvalidInput. Subclasses set _what and self._h."""

    __slots__ = ("_h",)
    _what = "object"

    @property
    def _handle(self):
        if self._h is None:
            raise InvalidInput("the %s is closed" % self._what, "INVALID_ARGUMENT")
        return self._h

    @property
    def closed(self):
        return self._h is None

    def close(self):
        """Frees the C object; this one is unusable afterwards. Idempotent."""
        self._h = None

    def __enter__(self):
        self._handle
        return self

    def __exit__(self, *exc):
        self.close()


class Inventory(_Owner):
    """An inventory (docs/inventory-format.md): data centers, clusters, networks, vNIC
    profiles, VMs with their NICs, hosts with their VFs. Create one with Inventory.load(path)
    or Inventory.from_string(json_text); use it as a context manager, or close() it, to free
    it before its last reference goes."""

    __slots__ = ()
    _what = "inventory"

    def __init__(self, *args, **kwargs):
        raise TypeError("use Inventory.load(path) or Inventory.from_string(text)")

    @classmethod
    def _wrap(cls, handle):
        self = object.__new__(cls)
        self._h = handle
        return self

    @classmethod
    def load(cls, path):
        """Loads an inventory JSON file. Raises IOFailure (unreadable) or InvalidInput
        (not an inventory: syntax, types, missing fields, ids, references)."""
        return cls._wrap(_c.sfo_inventory_load_file(_text(_os.fsdecode(path), "path"), 0))

    @classmethod
    def from_string(cls, text):
        """Loads an inventory from its JSON text (str or UTF-8 bytes)."""
        return cls._wrap(_c.sfo_inventory_load_string(_text(text, "inventory JSON"), 0))

    def to_json(self):
        """The inventory as JSON text, in the format it was loaded from."""
        return _c.sfo_inventory_format(self._handle, 0)

    def check(self):
        """Every state rule over the whole inventory: Violations (possibly empty)."""
        return Violations(_c.sfo_rules_check(self._handle, 0))

    def validate(self, action, obj):
        """May @action (a name from ACTIONS, e.g. "add-vnic-profile", or its number) be
        applied to @obj (the new or changed object: a dict, or its JSON text)? Violations.
        Raises InvalidInput for an unknown action or a malformed object."""
        if isinstance(action, str):
            action = action_from_string(action)
        return Violations(_c.sfo_rules_validate(self._handle, action, _object_json(obj), 0))

    def domxml(self, vm_id, domain=False):
        """libvirt <interface> XML of the plugged NICs of VM @vm_id in a <devices> element, or
        a complete minimal domain with domain=True. Raises NotFound for an unknown VM."""
        flags = _c.SFO_DOMXML_DOMAIN if domain else 0
        return _c.sfo_domxml_format_vm(self._handle, _text(vm_id, "vm_id"), flags)

    def netxml(self, host_id):
        """The libvirt <network> definitions host @host_id needs, in a <networks> element.
        Raises NotFound for an unknown host."""
        return _c.sfo_domxml_format_host_networks(self._handle, _text(host_id, "host_id"), 0)

    def plan(self, action, subject_id, host_id=None, emulated=False):
        """The steps of @action ("plug", "unplug", "migrate", ... from PLAN_ACTIONS, or its
        number) on @subject_id (the NIC for plug and unplug, else the VM), each with the
        steps that undo it: a Plan. @host_id is the destination of a migration. Failed
        preconditions are the plan's violations (plan.refused). emulated=True stands an
        emulated e1000e in for each VF (hosts without SR-IOV, docs/sequencer.md). Raises
        NotFound for an unknown NIC, VM or host."""
        if isinstance(action, str):
            action = plan_action_from_string(action)
        flags = _c.SFO_PLAN_EMULATED if emulated else 0
        host = None if host_id is None else _text(host_id, "host_id")
        return Plan(_c.sfo_plan_build(self._handle, action, _text(subject_id, "subject_id"),
                                      host, flags))

    def __repr__(self):
        return "<sriovfo.Inventory%s>" % (" closed" if self._h is None else "")


def _attach_violations(exc, handle):
    """Called by the SWIG wrappers when a call failed after writing its violations (a store
    call the rules refused: SFO_EVIOLATED, nothing was written): @handle, the C list, becomes
    the .violations of @exc, the call's exception, as a Violations (which frees it); a
    RuleViolation takes the key and message of their first error, as from
    Violations.raise_for_errors()."""
    if not isinstance(exc, Error):
        return
    exc.violations = Violations(handle)
    first = exc.violations._first_error()
    if first and isinstance(exc, RuleViolation):
        exc.message, exc.key = first
        exc.args = (exc.message,)


class _BorrowedViolations(Violations):
    """Violations owned by another object (a Plan), which it keeps alive."""

    __slots__ = ("_owner",)

    def __init__(self, handle, owner):
        super().__init__(handle)
        self._owner = owner


class Plan:
    """The ordered steps of a hot plug, unplug or migration with the steps that undo them
    (Inventory.plan()). len(plan) is the number of steps; .undo_count, .refused,
    .violations; to_json() is the form `sriovfo plan` prints. Run it with Exec.run()."""

    __slots__ = ("_handle",)

    def __init__(self, handle):
        self._handle = handle

    def __len__(self):
        return _c.sfo_plan_step_count(self._handle)

    @property
    def undo_count(self):
        return _c.sfo_plan_undo_count(self._handle)

    @property
    def refused(self):
        """True when a precondition failed: the plan has no steps."""
        return bool(_c.sfo_plan_is_refused(self._handle))

    @property
    def violations(self):
        return _BorrowedViolations(_c.sfo_plan_violations(self._handle), self)

    def to_json(self):
        return _c.sfo_plan_format_json(self._handle, 0)

    def __repr__(self):
        return "<sriovfo.Plan steps=%d%s>" % (len(self), " refused" if self.refused else "")


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

    def run(self, plan):
        """Runs @plan step by step, undoing what was done when a step fails: ExecResult."""
        return ExecResult(_c.sfo_exec_run(self._handle, plan._handle, 0))

    def reconcile(self):
        """Finishes or undoes what the journal holds open: ExecResult."""
        return ExecResult(_c.sfo_exec_reconcile(self._handle, 0))


class Store(_Owner):
    """The inventory in PostgreSQL (docs/store.md), changed one object at a time under the
    same rules as Inventory.validate().

    Store() opens the embedded store as the sriovfo command does: a private PostgreSQL
    cluster under the data directory (Store.embedded_data_dir(): $SRIOVFO_DATA_DIR, ...),
    created, started and upgraded as needed. Store(dsn) opens the database a libpq connection
    string or URI names; its schema must be current (upgrade() it, after opening it with
    connect_only=True, which neither checks nor upgrades the schema).

    Each call is one transaction. A change the rules refuse raises RuleViolation (.violations
    the Violations, .key the first error's) and writes nothing; a change that goes through
    returns its Violations (warnings only, usually none). Database failures raise
    DatabaseError. A context manager; close() disconnects (idempotent), after which every
    call raises InvalidInput. Use one Store per thread."""

    __slots__ = ()
    _what = "store"

    def __init__(self, dsn=None, connect_only=False):
        flags = _c.SFO_STORE_OPEN_NO_UPGRADE if connect_only else 0
        self._h = _c.sfo_store_open(None if dsn is None else _text(dsn, "dsn"), flags)

    def version(self):
        """(applied, latest): the schema version of the database (0: an empty database) and
        the newest this library knows."""
        return _c.sfo_store_version(self._handle, 0)

    def upgrade(self):
        """Applies the migrations the database lacks, each in its own transaction; returns
        how many (0: already current)."""
        return _c.sfo_store_upgrade(self._handle, 0)

    def import_inventory(self, inventory, replace=False):
        """Checks @inventory (an Inventory, or its JSON text or dict) with every state rule
        and stores it: Violations. Into a store that is not empty only with replace=True,
        which replaces what it holds (else InvalidInput, STORE_NOT_EMPTY)."""
        if not isinstance(inventory, Inventory):
            inventory = Inventory.from_string(_object_json(inventory, "inventory JSON"))
        flags = _c.SFO_STORE_IMPORT_REPLACE if replace else 0
        return Violations(_c.sfo_store_import(self._handle, inventory._handle, flags))

    def export(self):
        """What the store holds, read in one snapshot, as an Inventory (objects in the order
        they were imported or added)."""
        return Inventory._wrap(_c.sfo_store_export(self._handle, 0))

    def add_vnic_profile(self, profile):
        """Adds vNIC profile @profile (a dict in inventory format, or its JSON text; without
        an "id" it gets a random UUID) under the add-vnic-profile rules: (id, Violations).
        InvalidInput when it is malformed or its id is taken (INVENTORY_DUPLICATE_ID)."""
        profile_id, violations = _c.sfo_store_add_vnic_profile(
            self._handle, _object_json(profile, "vNIC profile JSON"), 0)
        return profile_id, Violations(violations)

    def update_vnic_profile(self, profile):
        """Replaces the profile with @profile's id by @profile (update-vnic-profile rules; an
        unknown id is the violation ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS): Violations."""
        return Violations(_c.sfo_store_update_vnic_profile(
            self._handle, _object_json(profile, "vNIC profile JSON"), 0))

    def remove_vnic_profile(self, profile_id):
        """Removes profile @profile_id (remove-vnic-profile rules: not in use, no other
        profile's failover): Violations."""
        return Violations(_c.sfo_store_remove_vnic_profile(
            self._handle, _text(profile_id, "profile_id"), 0))

    def list_vnic_profiles(self):
        """Every vNIC profile, as dicts in inventory format, in the order they were imported
        or added."""
        import json

        return json.loads(_c.sfo_store_list_vnic_profiles(self._handle, 0))["vnic_profiles"]

    def add_nic(self, nic):
        """Adds VM NIC @nic (a dict in inventory format, or its JSON text; without an "id" it
        gets a random UUID) under the add-nic rules: (id, Violations). InvalidInput when it
        is malformed or its id is taken (INVENTORY_DUPLICATE_ID)."""
        nic_id, violations = _c.sfo_store_add_nic(self._handle, _object_json(nic, "NIC JSON"),
                                                   0)
        return nic_id, Violations(violations)

    def update_nic(self, nic):
        """Replaces the NIC with @nic's id by @nic (update-nic rules; an unknown id is the
        violation VM_INTERFACE_NOT_EXIST): Violations."""
        return Violations(_c.sfo_store_update_nic(self._handle, _object_json(nic, "NIC JSON"),
                                                  0))

    def remove_nic(self, nic_id):
        """Removes NIC @nic_id: Violations. NotFound (NIC_NOT_FOUND) for an unknown NIC."""
        return Violations(_c.sfo_store_remove_nic(self._handle, _text(nic_id, "nic_id"), 0))

    def plug_nic(self, nic_id):
        """Marks NIC @nic_id plugged (plug-nic rules): Violations. NotFound (NIC_NOT_FOUND)
        for an unknown NIC."""
        return Violations(_c.sfo_store_plug_nic(self._handle, _text(nic_id, "nic_id"), 0))

    def unplug_nic(self, nic_id):
        """Marks NIC @nic_id unplugged: Violations. NotFound (NIC_NOT_FOUND) for an unknown
        NIC."""
        return Violations(_c.sfo_store_unplug_nic(self._handle, _text(nic_id, "nic_id"), 0))

    @staticmethod
    def embedded_data_dir():
        """The embedded store's data directory: $SRIOVFO_DATA_DIR, else
        /var/lib/sriov-failover for root, else $XDG_DATA_HOME/sriov-failover."""
        return _c.sfo_store_embedded_data_dir()

    @staticmethod
    def stop_embedded(data_dir=None):
        """Stops the embedded store's PostgreSQL server in @data_dir (default:
        Store.embedded_data_dir()), as `sriovfo db stop` does; the next Store() starts it
        again. True when it was running, False when it was not."""
        if data_dir is not None:
            data_dir = _text(_os.fsdecode(data_dir), "data_dir")
        return _c.sfo_store_embedded_stop(data_dir, 0) == 1

    def __repr__(self):
        return "<sriovfo.Store%s>" % (" closed" if self._h is None else "")


def check_domxml(xml):
    """Checks the <teaming> pairs of a libvirt domain XML, a <devices> or <hotplug> element,
    or one <interface>/<hostdev>: Violations. Raises InvalidInput when @xml is not
    well-formed."""
    return Violations(_c.sfo_rules_check_domxml(_text(xml, "domain XML"), 0))


def patch_teaming_macs(xml):
    """Sets the MAC of each transient teaming <interface> of @xml to the MAC of the persistent
    interface it names, where the two differ (the guest pairs them by MAC), changing no other
    byte. Returns (the new XML, Violations with one WARNING_TEAMING_MAC_COPIED per change).
    Raises InvalidInput when @xml is not well-formed."""
    text, fixes = _c.sfo_domxml_patch_teaming_macs(_text(xml, "domain XML"), 0)
    return text, Violations(fixes)


def action_from_string(name):
    """The number of action @name ("add-vnic-profile", ...); InvalidInput if unknown."""
    return _c.sfo_action_from_string(_text(name, "action"))


def action_to_string(action):
    """The name of action number @action, or None."""
    return _c.sfo_action_to_string(action)


def plan_action_from_string(name):
    """The number of plan action @name ("plug", "unplug", "migrate", ...); InvalidInput if
    unknown."""
    return _c.sfo_plan_action_from_string(_text(name, "plan action"))


def plan_action_to_string(action):
    """The name of plan action number @action, or None."""
    return _c.sfo_plan_action_to_string(action)


def _names(to_string):
    names = []
    while True:
        name = to_string(len(names))
        if name is None:
            return tuple(names)
        names.append(name)


ACTIONS = _names(_c.sfo_action_to_string)
PLAN_ACTIONS = _names(_c.sfo_plan_action_to_string)
"""Every action name sfo_action_from_string() knows, in the library's order."""
