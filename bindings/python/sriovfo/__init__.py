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
a ValueError), NotFound (also a KeyError), IOFailure (also an OSError), DatabaseError,
RuleViolation when the store refuses a change, and AuthFailed for a refused login or token;
see sriovfo.errors, which is generated from the C library's error table, and docs/python.md. Otherwise rule violations are data: lists
of Violation objects, not exceptions.

Every object is freed when its last reference goes (CPython frees it at once); an Inventory
and a Store are also context managers that free their C object on exit.

`import sriovfo` loads libsriovfo alone (the SWIG module sriovfo._sriovfo), which links GLib,
libxml2 and json-c: all a VDSM hook needs. sriovfo.Exec and sriovfo.ExecResult live in
sriovfo.virt (libsriovfo-virt, libvirt) and sriovfo.Store in sriovfo.store (libsriovfo-store,
libpq); each is imported on first use of its names, or by importing it.
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
    AuthFailed,
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
    "AuthFailed",
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
    "fix_and_check_domxml",
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
        return Plan(_c.sfo_plan_build(self._handle,
                                      *_plan_args(action, subject_id, host_id, emulated)))

    def __repr__(self):
        return "<sriovfo.Inventory%s>" % (" closed" if self._h is None else "")


def _plan_args(action, subject_id, host_id, emulated):
    """(action, subject, host, flags) as sfo_plan_build() and sfo_store_plan() take them."""
    if isinstance(action, str):
        action = plan_action_from_string(action)
    flags = _c.SFO_PLAN_EMULATED if emulated else 0
    host = None if host_id is None else _text(host_id, "host_id")
    return action, _text(subject_id, "subject_id"), host, flags


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


def fix_and_check_domxml(xml):
    """patch_teaming_macs() and then check_domxml() of its result, from one parse of @xml (and
    one of the result, when it changed): what the VDSM hook does. Returns (the new XML,
    Violations with one WARNING_TEAMING_MAC_COPIED per change, the Violations of the new XML).
    Raises InvalidInput when @xml is not well-formed or over the bounds of
    docs/error-keys.md."""
    text, fixes, violations = _c.sfo_domxml_fix_and_check(_text(xml, "domain XML"), 0)
    return text, Violations(fixes), Violations(violations)


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


# The classes of the libraries above libsriovfo, imported on first use (PEP 562), so that
# `import sriovfo` loads neither libvirt nor libpq.
_LAZY = {"Exec": "virt", "ExecResult": "virt", "Store": "store"}


def __getattr__(name):
    submodule = _LAZY.get(name)
    if submodule is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import importlib

    value = getattr(importlib.import_module("." + submodule, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


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
