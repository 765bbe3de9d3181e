"""test_sanity.py: every function the three libraries export has a Python counterpart.

After libvirt-python's sanitytest.py. The exported functions are read from the version
scripts core/libsriovfo.sym, core/libsriovfo-virt.sym and core/libsriovfo-store.sym (what
check-symfile.sh compares with the built libraries). Each one is either in COUNTERPARTS, with
the Python API that stands for it and a call that must reach it, or in HIDDEN with the reason
it needs none. A function added to a C API fails test_every_export_is_mapped until it gets a
line here (and usually a method in bindings/python/sriovfo/); the SWIG module of its library
(sriovfo._sriovfo, sriovfo._virt, sriovfo._store) wraps it by itself (each .i file includes
its whole header), which test_module_wraps_exports checks.
"""

import os
import re

import pytest

import conftest
import sriovfo
import sriovfo.store
import sriovfo.virt
from sriovfo import _sriovfo, _store, _virt

# library -> (its public header, its SWIG module, the package module that calls it as _c)
LIBRARIES = {
    "libsriovfo": ("sriovfo.h", _sriovfo, sriovfo),
    "libsriovfo-virt": ("sriovfo-virt.h", _virt, sriovfo.virt),
    "libsriovfo-store": ("sriovfo-store.h", _store, sriovfo.store),
}


def symfile(library):
    return os.path.join(conftest.TOP_SRCDIR, "core", library + ".sym")


def header(library):
    return os.path.join(conftest.TOP_SRCDIR, "core", "include", "sriovfo", LIBRARIES[library][0])


def exported_functions(library=None):
    """The global symbols of @library's version script, or of all three."""
    if library is None:
        return [f for lib in LIBRARIES for f in exported_functions(lib)]
    with open(symfile(library), encoding="utf-8") as f:
        text = re.sub(r"#[^\n]*", "", f.read())
    names = []
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, re.S):
        names += re.findall(r"(\w+)\s*;", block)
    return names


# the inventory the store's sample calls start from, and objects from tests/data/cli/validate
STORE_INVENTORY = os.path.join(conftest.TOP_SRCDIR, "examples", "inventory.json")
P_SRIOV_PLAIN = "66ae506a-0941-4e8a-9a68-3384d4976b07"  # in no use, no failover target
NIC_WEB1_VF = "90886d6b-ccd6-412b-8621-d7cf84b048d0"


def raises(exc_type, fn, *args):
    """Calls @fn(*args), which must raise @exc_type: the exception."""
    with pytest.raises(exc_type) as info:
        fn(*args)
    return info.value


def validate_data(name):
    return conftest.read_data("cli", "validate", name + ".json")


class Env:
    """What the sample calls need: an inventory with a VM, a host and violations; with @pg
    (the session's PostgreSQL cluster), a store holding examples/inventory.json, made before
    the test starts recording calls."""

    def __init__(self, pg=None):
        self.inventory_path = conftest.data_path("domxml", "pair-vlan-mtu.json")
        self.inventory_text = conftest.read_data("domxml", "pair-vlan-mtu.json")
        self.inv = sriovfo.Inventory.from_string(self.inventory_text)
        self.netinv = sriovfo.Inventory.load(conftest.data_path("netxml", "host-networks.json"))
        self.domxml = conftest.read_data("domxml-check", "persistent-shared.xml")
        self.violations = sriovfo.check_domxml(self.domxml)
        # a VM that runs on no host needs no libvirt step: an empty plan, which Exec runs
        # against libvirt's test driver without touching a domain
        self.plan = self.inv.plan("unplug", "nic1")
        self.exec_ = sriovfo.Exec("test:///default")
        self.result = self.exec_.run(self.plan)
        if pg:
            self.dsn = pg.new_dsn()
            with sriovfo.Store(self.dsn, connect_only=True) as store:
                store.upgrade()
            self.store = sriovfo.Store(self.dsn)
            self.store.import_inventory(sriovfo.Inventory.load(STORE_INVENTORY))

    def scratch_path(self, name):
        """A path @name in a new temporary directory, removed with the Env object."""
        import tempfile

        self._scratch_dir = tempfile.TemporaryDirectory(prefix="sfo-sanity-")
        return os.path.join(self._scratch_dir.name, name)

    def journal_path(self):
        return self.scratch_path("journal.jsonl")

    def export_to_scratch(self):
        with open(self.scratch_path("export.json"), "w", encoding="utf-8") as f:
            self.store.export_to(f)


# C function -> (Python counterpart, a call that must reach the C function)
COUNTERPARTS = {
    "sfo_action_from_string": ("action_from_string", lambda e: sriovfo.action_from_string("run-vm")),
    "sfo_action_to_string": ("action_to_string", lambda e: sriovfo.action_to_string(0)),
    "sfo_domxml_format_host_networks": ("Inventory.netxml", lambda e: e.netinv.netxml("h1")),
    "sfo_domxml_fix_and_check": (
        "fix_and_check_domxml",
        lambda e: sriovfo.fix_and_check_domxml(e.domxml),
    ),
    "sfo_domxml_format_vm": ("Inventory.domxml", lambda e: e.inv.domxml("vm1")),
    "sfo_domxml_patch_teaming_macs": (
        "patch_teaming_macs",
        lambda e: sriovfo.patch_teaming_macs(e.domxml),
    ),
    "sfo_inventory_format": ("Inventory.to_json", lambda e: e.inv.to_json()),
    "sfo_inventory_load_file": ("Inventory.load", lambda e: sriovfo.Inventory.load(e.inventory_path)),
    "sfo_inventory_load_string": (
        "Inventory.from_string",
        lambda e: sriovfo.Inventory.from_string(e.inventory_text),
    ),
    "sfo_rules_check": ("Inventory.check", lambda e: e.inv.check()),
    "sfo_rules_check_domxml": ("check_domxml", lambda e: sriovfo.check_domxml(e.domxml)),
    "sfo_rules_validate": (
        "Inventory.validate",
        lambda e: e.inv.validate("run-vm", {"id": "vm1"}),
    ),
    "sfo_plan_action_from_string": (
        "plan_action_from_string",
        lambda e: sriovfo.plan_action_from_string("migrate"),
    ),
    "sfo_plan_action_to_string": ("plan_action_to_string", lambda e: sriovfo.plan_action_to_string(0)),
    "sfo_plan_build": ("Inventory.plan", lambda e: e.inv.plan("unplug", "nic1")),
    "sfo_plan_format_json": ("Plan.to_json", lambda e: e.plan.to_json()),
    "sfo_plan_is_refused": ("Plan.refused", lambda e: e.plan.refused),
    "sfo_plan_step_count": ("Plan", lambda e: len(e.plan)),
    "sfo_plan_undo_count": ("Plan.undo_count", lambda e: e.plan.undo_count),
    "sfo_plan_violations": ("Plan.violations", lambda e: e.plan.violations),
    "sfo_exec_open": ("Exec", lambda e: sriovfo.Exec("test:///default")),
    "sfo_exec_set_unplug_timeout": (
        "Exec",
        lambda e: sriovfo.Exec("test:///default", unplug_timeout=2.5),
    ),
    "sfo_exec_set_migration_uri": (
        "Exec",
        lambda e: sriovfo.Exec("test:///default", migration_uri="tcp://127.0.0.1"),
    ),
    "sfo_exec_set_snapshot_memory_file": (
        "Exec",
        lambda e: sriovfo.Exec("test:///default", memory_file=e.journal_path() + ".mem"),
    ),
    "sfo_exec_set_journal": (
        "Exec",
        lambda e: sriovfo.Exec("test:///default", journal=e.journal_path()),
    ),
    "sfo_exec_run": ("Exec.run", lambda e: e.exec_.run(e.plan)),
    "sfo_exec_reconcile": (
        "Exec.reconcile",
        lambda e: sriovfo.Exec("test:///default", journal=e.journal_path()).reconcile(),
    ),
    "sfo_exec_result_status": ("ExecResult.status", lambda e: e.result.status),
    "sfo_exec_status_to_string": ("ExecResult.status", lambda e: e.result.status),
    "sfo_exec_result_error_key": ("ExecResult.error_key", lambda e: e.result.error_key),
    "sfo_exec_result_error_message": (
        "ExecResult.error_message",
        lambda e: e.result.error_message,
    ),
    "sfo_exec_result_format_json": ("ExecResult.to_json", lambda e: e.result.to_json()),
    "sfo_exec_result_format_text": ("ExecResult.to_text", lambda e: e.result.to_text()),
    "sfo_store_open": ("Store", lambda e: sriovfo.Store(e.dsn)),
    "sfo_store_version": ("Store.version", lambda e: e.store.version()),
    "sfo_store_upgrade": ("Store.upgrade", lambda e: e.store.upgrade()),
    "sfo_store_import": (
        "Store.import_inventory",
        lambda e: e.store.import_inventory(e.inv, replace=True),
    ),
    "sfo_store_export": ("Store.export", lambda e: e.store.export()),
    "sfo_store_export_fd": (
        "Store.export_to",
        lambda e: e.export_to_scratch(),
    ),
    "sfo_store_add_vnic_profile": (
        "Store.add_vnic_profile",
        lambda e: e.store.add_vnic_profile(validate_data("add-vnic-profile")),
    ),
    "sfo_store_update_vnic_profile": (
        "Store.update_vnic_profile",
        lambda e: e.store.update_vnic_profile(validate_data("update-vnic-profile")),
    ),
    "sfo_store_remove_vnic_profile": (
        "Store.remove_vnic_profile",
        lambda e: e.store.remove_vnic_profile(P_SRIOV_PLAIN),
    ),
    "sfo_store_list_vnic_profiles": (
        "Store.list_vnic_profiles",
        lambda e: e.store.list_vnic_profiles(),
    ),
    "sfo_store_get": ("Store.get", lambda e: e.store.get("vnic_profiles", P_SRIOV_PLAIN)),
    "sfo_store_list": ("Store.list", lambda e: e.store.list("nics", limit=1)),
    "sfo_store_vnic_profile_vm_counts": (
        "Store.vnic_profile_vm_counts",
        lambda e: e.store.vnic_profile_vm_counts(),
    ),
    "sfo_store_add_user": ("Store.add_user", lambda e: e.store.add_user("u1", "pw", "viewer")),
    "sfo_store_set_password": (
        "Store.set_password",
        lambda e: (e.store.add_user("u2", "pw", "viewer"), e.store.set_password("u2", "pw2")),
    ),
    "sfo_store_remove_user": (
        "Store.remove_user",
        lambda e: (e.store.add_user("u3", "pw", "viewer"), e.store.remove_user("u3")),
    ),
    "sfo_store_list_users": ("Store.list_users", lambda e: e.store.list_users()),
    "sfo_store_login": (
        "Store.login",
        lambda e: (e.store.add_user("u4", "pw", "viewer"), e.store.login("u4", "pw")),
    ),
    "sfo_store_verify_token": (
        "Store.verify_token",
        lambda e: (e.store.add_user("u5", "pw", "viewer"),
                   e.store.verify_token(e.store.login("u5", "pw")["token"])),
    ),
    "sfo_store_revoke_token": ("Store.revoke_token", lambda e: e.store.revoke_token("t")),
    "sfo_store_ensure_admin": ("Store.ensure_admin", lambda e: e.store.ensure_admin()),
    "sfo_store_failover_candidates": (
        "Store.failover_candidates",
        lambda e: e.store.failover_candidates(e.store.get("vnic_profiles", P_SRIOV_PLAIN)),
    ),
    "sfo_store_add_nic": ("Store.add_nic", lambda e: e.store.add_nic(validate_data("add-nic"))),
    "sfo_store_update_nic": (
        "Store.update_nic",
        lambda e: e.store.update_nic(validate_data("update-nic")),
    ),
    "sfo_store_remove_nic": ("Store.remove_nic", lambda e: e.store.remove_nic(NIC_WEB1_VF)),
    "sfo_store_plug_nic": ("Store.plug_nic", lambda e: e.store.plug_nic(NIC_WEB1_VF)),
    "sfo_store_unplug_nic": ("Store.unplug_nic", lambda e: e.store.unplug_nic(NIC_WEB1_VF)),
    "sfo_store_plan": ("Store.plan", lambda e: e.store.plan("unplug", NIC_WEB1_VF)),
    # the example's hosts have no libvirt URI: apply stops there (HOST_URI_MISSING)
    "sfo_store_plan_uris": (
        "Store.apply",
        lambda e: raises(sriovfo.InvalidInput, e.store.apply, "unplug", NIC_WEB1_VF),
    ),
    "sfo_store_open_journal": (
        "Store.reconcile",
        lambda e: e.store.reconcile(uri_override="test:///default"),
    ),
    "sfo_exec_use_journal": (
        "Store.reconcile",
        lambda e: e.store.reconcile(uri_override="test:///default"),
    ),
    "sfo_store_embedded_data_dir": (
        "Store.embedded_data_dir",
        lambda e: sriovfo.Store.embedded_data_dir(),
    ),
    # a data directory without a cluster: nothing to stop (returns False)
    "sfo_store_embedded_stop": (
        "Store.stop_embedded",
        lambda e: sriovfo.Store.stop_embedded(e.scratch_path("no-store")),
    ),
    "sfo_violations_count": ("Violations", lambda e: sriovfo.check_domxml(e.domxml)),
    "sfo_violations_error_count": ("Violations.error_count", lambda e: e.violations.error_count),
    "sfo_violations_format_json": ("Violations.to_json", lambda e: e.violations.to_json()),
    "sfo_violations_key": ("Violation.key", lambda e: sriovfo.check_domxml(e.domxml)),
    "sfo_violations_message": ("Violation.message", lambda e: sriovfo.check_domxml(e.domxml)),
    "sfo_violations_severity": ("Violation.severity", lambda e: sriovfo.check_domxml(e.domxml)),
    "sfo_violations_subject_id": ("Violation.subject_id", lambda e: sriovfo.check_domxml(e.domxml)),
    "sfo_violations_subject_type": (
        "Violation.subject_type",
        lambda e: sriovfo.check_domxml(e.domxml),
    ),
}

# C functions Python callers never need, and why
HIDDEN = {
    "sfo_store_close": "the destructor of the sfo_store type: Python frees it",
    "sfo_journal_free": "the destructor of the sfo_journal type: Python frees it",
    "sfo_error_clear": "each wrapper clears the last error before its call (sriovfo_errors.i)",
    "sfo_error_last": "a failed call raises it as a sriovfo.Error (sriovfo_python_common.i)",
    "sfo_free": "output strings are copied into str and freed by the wrappers",
    "sfo_inventory_free": "the destructor of the sfo_inventory type: Python frees it",
    "sfo_plan_free": "the destructor of the sfo_plan type: Python frees it",
    "sfo_exec_free": "the destructor of the sfo_exec type: Python frees it",
    "sfo_exec_result_free": "the destructor of the sfo_exec_result type: Python frees it",
    "sfo_violations_free": "the destructor of the sfo_violations type: Python frees it",
}

# public Python API that stands for no single C function
PYTHON_ONLY = {
    "ACTIONS",  # built with sfo_action_to_string()
    "ERROR",
    "WARNING",
    "DatabaseError",
    "Error",
    "IOFailure",
    "InvalidInput",
    "NotFound",
    "RuleViolation",
    "AuthFailed",
    "Inventory",
    "Violation",
    "Inventory.close",
    "Store.KINDS",  # the kinds sfo_store_get() and sfo_store_list() take
    "Store.get_json",  # sfo_store_get()'s text, which Store.get() parses
    "Store.list_json",  # sfo_store_list()'s text, which Store.list() parses
    "Inventory.closed",
    "PLAN_ACTIONS",  # built with sfo_plan_action_to_string()
    "ExecResult",  # what Exec.run() and Exec.reconcile() return
    "Exec.close",
    "Exec.closed",
    "Store.close",
    "Store.closed",
    "Violation.subject",
    "Violation.is_error",
    "Violations.errors",
    "Violations.warnings",
    "Violations.ok",
    "Violations.raise_for_errors",
}


def resolve(dotted):
    obj = sriovfo
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


# the modules of the package whose classes are its API (sriovfo.errors is generated)
API_MODULES = {"sriovfo", "sriovfo.virt", "sriovfo.store"}


def public_api():
    """Every public name of the package: module names in __all__, and the public attributes
    the classes among them define or inherit from the package's own classes."""
    names = set()
    for name in sriovfo.__all__:
        names.add(name)
        obj = getattr(sriovfo, name)
        if isinstance(obj, type) and obj.__module__ in API_MODULES:
            for klass in obj.__mro__:
                if klass.__module__ not in API_MODULES:
                    continue
                for attr in vars(klass):
                    if not attr.startswith("_"):
                        names.add("%s.%s" % (name, attr))
    return names


def test_every_export_is_mapped():
    for library in LIBRARIES:
        assert exported_functions(library), "no symbols read from %s" % symfile(library)
    exports = exported_functions()
    unmapped = [f for f in exports if f not in COUNTERPARTS and f not in HIDDEN]
    assert not unmapped, "exported C functions without a Python counterpart: %s" % unmapped
    both = set(COUNTERPARTS) & set(HIDDEN)
    assert not both, "both mapped and hidden: %s" % sorted(both)
    stale = (set(COUNTERPARTS) | set(HIDDEN)) - set(exports)
    assert not stale, "listed here but not exported (stale entries): %s" % sorted(stale)


@pytest.mark.parametrize("cname", sorted(COUNTERPARTS))
def test_counterpart_exists(cname):
    pyname = COUNTERPARTS[cname][0]
    try:
        resolve(pyname)
    except AttributeError:
        pytest.fail("%s: Python counterpart sriovfo.%s does not exist" % (cname, pyname))


class Recorder:
    """Stands in for a SWIG module and records which C functions are called in @calls."""

    def __init__(self, module, calls):
        self.module = module
        self.calls = calls

    def __getattr__(self, name):
        value = getattr(self.module, name)
        if name.startswith("sfo_") and callable(value) and not isinstance(value, type):
            def record(*args, **kwargs):
                self.calls.append(name)
                return value(*args, **kwargs)

            return record
        return value


@pytest.mark.parametrize("cname", sorted(COUNTERPARTS))
def test_counterpart_calls_the_c_function(cname, monkeypatch, request):
    # the store's calls need a real database: the session's cluster (conftest.py)
    needs_store = cname.startswith("sfo_store_") or cname == "sfo_exec_use_journal"
    env = Env(request.getfixturevalue("pg_cluster") if needs_store else None)
    calls = []
    for _, module, package_module in LIBRARIES.values():
        monkeypatch.setattr(package_module, "_c", Recorder(module, calls))
    COUNTERPARTS[cname][1](env)
    assert cname in calls, "sriovfo.%s does not call %s (called: %s)" % (
        COUNTERPARTS[cname][0], cname, calls)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_module_wraps_exports(library):
    """The SWIG module of @library has every function it exports but the hidden ones, and
    nothing else: none of another library's."""
    module = LIBRARIES[library][1]
    exports = set(exported_functions(library))
    wrapped = {n for n in dir(module) if n.startswith("sfo_") and callable(getattr(module, n))
               and not isinstance(getattr(module, n), type)}
    assert exports - set(HIDDEN) - wrapped == set()
    assert wrapped & set(HIDDEN) == set(), "hidden functions are exposed"
    assert wrapped - exports == set(), "wrapped but not exported by %s" % library


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_every_opaque_type_has_a_destructor(library):
    """Each opaque type of @library's header is a type of its SWIG module, and its free
    function is one of the HIDDEN destructors (SFO_OPAQUE in the library's .i file)."""
    with open(header(library), encoding="utf-8") as f:
        types = re.findall(r"^typedef struct (sfo_\w+) \1;", f.read(), re.M)
    assert types, "no opaque type in %s" % header(library)
    module = LIBRARIES[library][1]
    for t in types:
        assert isinstance(getattr(module, t, None), type), "%s is not wrapped as a type" % t
        destructor = "sfo_store_close" if t == "sfo_store" else t + "_free"
        assert HIDDEN.get(destructor, "").startswith("the destructor"), t


def test_objects_cross_modules(pg_cluster):
    """An object one module makes is the type of the module that defines it, with its
    destructor: sriovfo._virt runs a plan of sriovfo._sriovfo, and the inventory and
    violations sriovfo._store hands out are sriovfo._sriovfo's types, which its calls take."""
    env = Env(pg_cluster)
    assert type(env.plan._handle) is _sriovfo.sfo_plan
    assert type(env.exec_._handle) is _virt.sfo_exec
    assert type(env.result._handle) is _virt.sfo_exec_result
    assert type(env.store._handle) is _store.sfo_store
    exported = env.store.export()
    assert type(exported._handle) is _sriovfo.sfo_inventory
    assert exported.check().ok
    assert type(env.store.remove_nic(NIC_WEB1_VF)._handle) is _sriovfo.sfo_violations


def test_public_python_api_is_accounted_for():
    mapped = {v[0] for v in COUNTERPARTS.values()}
    unknown = public_api() - mapped - PYTHON_ONLY
    assert not unknown, "public Python API in neither COUNTERPARTS nor PYTHON_ONLY: %s" % unknown
    missing = PYTHON_ONLY - public_api()
    assert not missing, "PYTHON_ONLY names that do not exist: %s" % missing
