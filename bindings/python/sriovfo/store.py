"""sriovfo.store: the inventory in PostgreSQL (libsriovfo-store, docs/store.md).

    import sriovfo

    with sriovfo.Store() as store:          # the embedded store
        store.import_inventory(sriovfo.Inventory.load("inventory.json"))
        profile_id, warnings = store.add_vnic_profile(profile)
        result = store.apply("plug", nic_id)    # on the host's libvirt, journaled here

sriovfo.Store is the class of this module: its first use imports it, and with it the SWIG
module sriovfo._store and libsriovfo-store, which links libpq. `import sriovfo` alone loads
neither (a VDSM hook never needs them); Store.apply() and Store.reconcile() import
sriovfo.virt (libvirt) on their first call.
"""

import json as _json
import os as _os

from . import InvalidInput, Inventory, Plan, Violations, _object_json, _Owner, _plan_args, _text
from . import _store as _c

__all__ = ["Store"]


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

    def export_to(self, file):
        """Writes what the store holds to @file (a file object with a fileno(), or a file
        descriptor), the text export().to_json() returns, streamed: read in one snapshot
        through server-side cursors and written as it is read, so memory does not grow with
        the store. A failure after the first bytes leaves them written (IOFailure with
        FILE_UNWRITABLE when @file cannot be written)."""
        if not isinstance(file, int):
            file.flush()
            file = file.fileno()
        _c.sfo_store_export_fd(self._handle, file, 0)

    def add_vnic_profile(self, profile):
        """Adds vNIC profile @profile (a dict in inventory format, or its JSON text; without
        an "id" it gets a random UUID) under the add-vnic-profile rules: (id, Violations).
        InvalidInput when it is malformed or its id is taken (INVENTORY_DUPLICATE_ID)."""
        profile_id, violations = _c.sfo_store_add_vnic_profile(
            self._handle, _object_json(profile, "vNIC profile JSON"), 0)
        return profile_id, Violations(violations)

    def update_vnic_profile(self, profile, merge=False):
        """Replaces the profile with @profile's id by @profile (update-vnic-profile rules; an
        unknown id is the violation ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS): Violations.
        With merge=True @profile holds "id" and only the fields to change: the others keep
        their stored values, a field set to None is cleared ("failover": None); an unknown id
        raises NotFound (VNIC_PROFILE_NOT_FOUND)."""
        flags = _c.SFO_STORE_UPDATE_MERGE if merge else 0
        return Violations(_c.sfo_store_update_vnic_profile(
            self._handle, _object_json(profile, "vNIC profile JSON"), flags))

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

    # the collections get() and list() read: the inventory's top-level keys
    KINDS = ("data_centers", "clusters", "networks", "vnic_profiles", "vms", "nics", "hosts")

    def get(self, kind, object_id):
        """Object @object_id of collection @kind (one of Store.KINDS) as a dict in inventory
        format. NotFound with the kind's key (VNIC_PROFILE_NOT_FOUND, NIC_NOT_FOUND, ...) when
        the store has no such object; InvalidInput for an unknown kind or a malformed id."""
        return _json.loads(self.get_json(kind, object_id))

    def get_json(self, kind, object_id):
        """get() as the library writes it: the object's JSON text (a str), which a front end
        may hand on or memoise its rendering by (the REST engine does)."""
        return _c.sfo_store_get(self._handle, _text(kind, "kind"), _text(object_id, "id"), 0)

    def list(self, kind, name=None, parent=None, limit=None):
        """The objects of collection @kind (one of Store.KINDS) as dicts in inventory format,
        in the order they were imported or added, read in one snapshot. @name keeps those with
        that exact name; @parent (an id) those of that parent: the network of vnic_profiles,
        the VM of nics, the data center of networks and clusters, the cluster of vms and
        hosts; @limit caps how many (oVirt's max)."""
        return _json.loads(self.list_json(kind, name=name, parent=parent, limit=limit))

    def list_json(self, kind, name=None, parent=None, limit=None):
        """list() as the library writes it: the JSON text (a str) of the array of objects."""
        if limit is None:
            limit = -1
        elif isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise InvalidInput("limit must be an integer >= 0, not %r" % (limit,),
                               "INVALID_ARGUMENT")
        return _c.sfo_store_list(
            self._handle, _text(kind, "kind"), None if name is None else _text(name, "name"),
            None if parent is None else _text(parent, "parent"), min(limit, 2**31 - 1), 0)

    def failover_candidates(self, profile):
        """The ids of the stored profiles the rules allow as the failover of @profile (a dict:
        a stored profile, possibly edited, or a new one without "id"; "network" is required),
        in the order they were added. Computed in C by the rules' own predicates. NotFound
        (NETWORK_NOT_FOUND) for a network the store lacks."""
        return _json.loads(_c.sfo_store_failover_candidates(
            self._handle, _object_json(profile, "vNIC profile JSON"), 0))

    def vnic_profile_vm_counts(self):
        """{profile id: how many distinct VMs have a NIC on it}; profiles in no use are
        absent."""
        return _json.loads(_c.sfo_store_vnic_profile_vm_counts(self._handle, 0))

    def add_nic(self, nic):
        """Adds VM NIC @nic (a dict in inventory format, or its JSON text; without an "id" it
        gets a random UUID, without a "mac" the next free one of the pool 56:6f:xx:xx:xx:xx)
        under the add-nic rules: (id, Violations). InvalidInput when it is malformed or its id
        is taken (INVENTORY_DUPLICATE_ID)."""
        nic_id, violations = _c.sfo_store_add_nic(
            self._handle, _object_json(nic, "NIC JSON"), 0)
        return nic_id, Violations(violations)

    def update_nic(self, nic, merge=False):
        """Replaces the NIC with @nic's id by @nic (update-nic rules; an unknown id is the
        violation VM_INTERFACE_NOT_EXIST): Violations. With merge=True, as for
        update_vnic_profile(); an unknown id raises NotFound (NIC_NOT_FOUND)."""
        flags = _c.SFO_STORE_UPDATE_MERGE if merge else 0
        return Violations(_c.sfo_store_update_nic(self._handle, _object_json(nic, "NIC JSON"),
                                                  flags))

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

    # ---- actions: plans run against the hosts' libvirt, journaled here (docs/store.md) ----

    def plan(self, action, subject_id, host_id=None, emulated=False):
        """As Inventory.plan(), over what the store holds read in one snapshot: a VF is free
        only when no NIC uses it and no sequence of the store's journal holds it. A refused
        plan has .refused and .violations. NotFound for an unknown NIC, VM or host."""
        return Plan(_c.sfo_store_plan(self._handle,
                                      *_plan_args(action, subject_id, host_id, emulated)))

    def apply(self, action, subject_id, host_id=None, *, emulated=False, unplug_timeout=None,
              migration_uri=None):
        """Runs @action on @subject_id (@host_id: a migration's destination) against the
        libvirt of the hosts involved (hosts[].libvirt_uri), journaled in this store: an
        ExecResult, as Exec.run() returns it. The plan is Store.plan()'s. When the sequence
        completes, the inventory takes its effect in the transaction that ends it (a plug's
        VF and plugged, an unplug's, a migration's host and VFs); undone, nothing changes.

        Raises, before anything runs: NotFound for an unknown NIC, VM or host;
        RuleViolation for a refused plan (.violations), for a VF another sequence took
        meanwhile (CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF) and for a VM that already
        has an open sequence (ACTION_TYPE_FAILED_OBJECT_LOCKED); InvalidInput
        (HOST_URI_MISSING) for a host without a libvirt URI."""
        from .virt import Exec

        plan = self.plan(action, subject_id, host_id, emulated=emulated)
        plan.violations.raise_for_errors()
        source, destination = _c.sfo_store_plan_uris(self._handle, plan._handle, 0)
        with Exec(source, destination, unplug_timeout=unplug_timeout,
                  migration_uri=migration_uri) as ex:
            ex._use_journal(_c.sfo_store_open_journal(self._handle, 0))
            return ex.run(plan)

    def reconcile(self, *, uri_override=None):
        """Finishes or undoes every sequence of this store's journal that never ended and
        whose process is gone (a live process's are left alone), each on the libvirt URIs
        it recorded (or @uri_override for all); those that complete write their effect to
        the inventory as Store.apply() does. An ExecResult: "completed" when nothing is left
        open."""
        from .virt import Exec

        uri = None if uri_override is None else _text(uri_override, "uri_override")
        with Exec(uri) as ex:
            ex._use_journal(_c.sfo_store_open_journal(self._handle, 0))
            return ex.reconcile()

    # ---- users and tokens of the REST engine (docs/store.md) ----

    def add_user(self, name, password, role):
        """Adds user @name with @password (stored as its yescrypt hash only) and @role,
        "admin" or "viewer". InvalidInput: USER_EXISTS for a name in use, INVALID_ARGUMENT
        for a bad name, password or role."""
        _c.sfo_store_add_user(self._handle, _text(name, "name"), _text(password, "password"),
                              _text(role, "role"), 0)

    def set_password(self, name, password):
        """Sets the password of user @name and ends its sessions (its tokens). NotFound
        (USER_NOT_FOUND) for an unknown user."""
        _c.sfo_store_set_password(self._handle, _text(name, "name"),
                                  _text(password, "password"), 0)

    def remove_user(self, name):
        """Removes user @name and its tokens. NotFound (USER_NOT_FOUND) for an unknown user."""
        _c.sfo_store_remove_user(self._handle, _text(name, "name"), 0)

    def list_users(self):
        """[{"name", "role"}] in the order the users were added."""
        return _json.loads(_c.sfo_store_list_users(self._handle, 0))

    def login(self, name, password, ttl=3600):
        """A new bearer token for user @name: {"token", "expires_at" (seconds since the
        epoch), "user", "role"}, valid @ttl seconds. AuthFailed: AUTH_FAILED for an unknown
        name or a wrong password (the same), AUTH_RATE_LIMITED after 5 failures of the name
        in 60 s."""
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 < ttl <= 30 * 24 * 3600:
            raise InvalidInput("ttl must be 1 to 2592000 seconds, not %r" % (ttl,),
                               "INVALID_ARGUMENT")
        return _json.loads(_c.sfo_store_login(self._handle, _text(name, "name"),
                                              _text(password, "password"), ttl, 0))

    def verify_token(self, token):
        """{"user", "role", "expires_at"} of a token login() gave out, by any process on this
        database. AuthFailed: AUTH_TOKEN_INVALID (unknown or revoked), AUTH_TOKEN_EXPIRED."""
        return _json.loads(_c.sfo_store_verify_token(self._handle, _text(token, "token"), 0))

    def revoke_token(self, token):
        """Ends the session of @token; an unknown token is no error."""
        _c.sfo_store_revoke_token(self._handle, _text(token, "token"), 0)

    def ensure_admin(self, password=None):
        """Creates admin@internal (role admin) when the store has no user at all. With
        password=None its password is random and returned (show it once); else, or when
        there was a user already, returns None."""
        return _c.sfo_store_ensure_admin(
            self._handle, None if password is None else _text(password, "password"), 0)

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
