/*
 * sriovfo.h: public API of libsriovfo, SR-IOV live migration with a virtio failover
 *
 * This is the only header applications include. Every type is opaque; every
 * function returns 0 (or a count) on success and a negative sfo_error_code on
 * failure, with the details in sfo_error_last(). Output parameters come last,
 * are named ret_*, belong to the caller and are written only on success.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SRIOVFO_SRIOVFO_H
#define SRIOVFO_SRIOVFO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * sfo_error_code:
 * Negative return values of every function. Since: 0.1.0
 */
typedef enum {
    SFO_OK = 0,
    SFO_ERROR = -1,     /* generic failure */
    SFO_EINVALID = -2,  /* bad input: JSON, XML, an argument out of range */
    SFO_ENOTFOUND = -3, /* a named object does not exist */
    SFO_EIO = -4,       /* a file could not be read */
    SFO_EVIOLATED = -5, /* store: a rule is violated, nothing was written (see ret_violations) */
    SFO_EDATABASE = -6, /* store: PostgreSQL failed, or its schema does not fit */
} sfo_error_code;

/**
 * sfo_error:
 * @code: the sfo_error_code that was returned
 * @key: stable, machine-matchable key, e.g. "INVENTORY_WRONG_TYPE"
 * @message: one-line English text naming what is wrong and where
 *
 * The last error of the calling thread. Since: 0.1.0
 */
typedef struct sfo_error {
    int code;
    const char *key;
    const char *message;
} sfo_error;

/**
 * sfo_error_last:
 * Returns: the last error reported in this thread, or NULL when none was.
 * Borrowed: valid until the next library call of this thread. Since: 0.1.0
 */
const sfo_error *sfo_error_last(void);

/** sfo_error_clear: forget the last error of this thread. Since: 0.1.0 */
void sfo_error_clear(void);

/**
 * sfo_free:
 * Frees a string or buffer the library handed to the caller (ret_xml,
 * ret_json, ...). Accepts NULL. Since: 0.1.0
 */
void sfo_free(void *ptr);

/* ------------------------------------------------------------------------ */
/* Inventory: data centers, clusters, networks, vNIC profiles, VMs, NICs,    */
/* hosts (docs/inventory-format.md)                                         */
/* ------------------------------------------------------------------------ */

typedef struct sfo_inventory sfo_inventory;

/**
 * sfo_inventory_load_file:
 * @path: inventory JSON file
 * @flags: must be 0
 * @ret_inventory: the loaded inventory; free with sfo_inventory_free()
 *
 * Parses and structurally checks an inventory (types, required fields, unique
 * ids, references between objects). Business rules are not run: see
 * sfo_rules_check(). Returns 0, SFO_EIO or SFO_EINVALID. Since: 0.1.0
 */
int sfo_inventory_load_file(const char *path, unsigned int flags, sfo_inventory **ret_inventory);

/**
 * sfo_inventory_load_string:
 * As sfo_inventory_load_file() on a NUL-terminated JSON text. Since: 0.1.0
 */
int sfo_inventory_load_string(const char *json, unsigned int flags, sfo_inventory **ret_inventory);

/**
 * sfo_inventory_format:
 * @ret_json: the inventory as JSON, in the format it was loaded from; free
 *            with sfo_free()
 * Since: 0.1.0
 */
int sfo_inventory_format(const sfo_inventory *inventory, unsigned int flags, char **ret_json);

/** sfo_inventory_free: accepts NULL. Since: 0.1.0 */
void sfo_inventory_free(sfo_inventory *inventory);

/* ------------------------------------------------------------------------ */
/* Violations: the result of running the rules                              */
/* ------------------------------------------------------------------------ */

typedef enum {
    SFO_SEVERITY_ERROR = 0,
    SFO_SEVERITY_WARNING = 1,
} sfo_severity;

typedef struct sfo_violations sfo_violations;

/** sfo_violations_count: number of violations in @violations. Since: 0.1.0 */
size_t sfo_violations_count(const sfo_violations *violations);

/** sfo_violations_error_count: how many of them have SFO_SEVERITY_ERROR. Since: 0.1.0 */
size_t sfo_violations_error_count(const sfo_violations *violations);

/**
 * sfo_violations_key / _severity / _message / _subject_type / _subject_id:
 * Fields of violation @index (0 <= @index < count). Strings are borrowed
 * from @violations; NULL (or -1 for the severity) when @index is out of
 * range. The subject is the object the violation is about, e.g.
 * "vnic_profile" and its id. Since: 0.1.0
 */
const char *sfo_violations_key(const sfo_violations *violations, size_t index);
int sfo_violations_severity(const sfo_violations *violations, size_t index);
const char *sfo_violations_message(const sfo_violations *violations, size_t index);
const char *sfo_violations_subject_type(const sfo_violations *violations, size_t index);
const char *sfo_violations_subject_id(const sfo_violations *violations, size_t index);

/**
 * sfo_violations_format_json:
 * @ret_json: {"violations":[{"key","severity","message","subject":{...},
 *            "args":{...}}]}; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_violations_format_json(const sfo_violations *violations, unsigned int flags,
                               char **ret_json);

/** sfo_violations_free: accepts NULL. Since: 0.1.0 */
void sfo_violations_free(sfo_violations *violations);

/* ------------------------------------------------------------------------ */
/* Rules                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * sfo_action:
 * A change whose consequences sfo_rules_validate() checks. Since: 0.1.0
 */
typedef enum {
    SFO_ACTION_ADD_VNIC_PROFILE = 0,
    SFO_ACTION_UPDATE_VNIC_PROFILE,
    SFO_ACTION_REMOVE_VNIC_PROFILE,
    SFO_ACTION_ADD_NIC,
    SFO_ACTION_UPDATE_NIC,
    SFO_ACTION_PLUG_NIC,
    SFO_ACTION_RUN_VM,
    SFO_ACTION_MIGRATE_VM,
#ifdef SFO_ENUM_SENTINELS
    SFO_ACTION_LAST
#endif
} sfo_action;

/**
 * sfo_action_from_string:
 * "add-vnic-profile", "update-vnic-profile", "remove-vnic-profile", "add-nic",
 * "update-nic", "plug-nic", "run-vm", "migrate-vm".
 * Returns: the action, or SFO_EINVALID for an unknown name. Since: 0.1.0
 */
int sfo_action_from_string(const char *name);

/** sfo_action_to_string: the name of @action, or NULL. Since: 0.1.0 */
const char *sfo_action_to_string(int action);

/**
 * sfo_rules_check:
 * Runs every state rule over the whole @inventory and collects all
 * violations, not only the first.
 * @ret_violations: free with sfo_violations_free(); may be empty
 * Returns: 0, or a negative code when the check itself could not run.
 * Since: 0.1.0
 */
int sfo_rules_check(const sfo_inventory *inventory, unsigned int flags,
                    sfo_violations **ret_violations);

/**
 * sfo_rules_validate:
 * Checks whether @action on the object @object_json may be applied to
 * @inventory. @object_json is the new or changed object in inventory
 * format; for remove-vnic-profile and run-vm it is {"id": ...}; for
 * migrate-vm {"vm":{"id":...},"host":{"id":...}}.
 * Returns: 0 with the violations (possibly none); SFO_EINVALID when
 * @object_json is malformed. Since: 0.1.0
 */
int sfo_rules_validate(const sfo_inventory *inventory, int action, const char *object_json,
                       unsigned int flags, sfo_violations **ret_violations);

/**
 * sfo_rules_check_domxml:
 * Checks the <teaming> pairs of a libvirt domain XML (or of a <devices> or
 * single <interface> snippet): aliases, MACs, the persistent reference,
 * interface types. Returns: 0 with the violations; SFO_EINVALID when @xml
 * is not well-formed. Since: 0.1.0
 */
int sfo_rules_check_domxml(const char *xml, unsigned int flags, sfo_violations **ret_violations);

/* ------------------------------------------------------------------------ */
/* libvirt XML                                                              */
/* ------------------------------------------------------------------------ */

/**
 * sfo_domxml_flags:
 * @SFO_DOMXML_DOMAIN: a complete minimal Q35 domain instead of a bare
 *                     <devices> element. Since: 0.1.0
 */
typedef enum {
    SFO_DOMXML_DOMAIN = 1 << 0,
} sfo_domxml_flags;

/**
 * sfo_domxml_format_vm:
 * The libvirt <interface> elements of the plugged NICs of VM @vm_id, each
 * VF followed by its virtio standby, in a <devices> element (or a complete
 * domain with SFO_DOMXML_DOMAIN).
 * @ret_xml: free with sfo_free()
 * Returns: 0, SFO_ENOTFOUND for an unknown VM, SFO_EINVALID for unknown flags.
 * Since: 0.1.0
 */
int sfo_domxml_format_vm(const sfo_inventory *inventory, const char *vm_id, unsigned int flags,
                         char **ret_xml);

/**
 * sfo_domxml_format_host_networks:
 * The libvirt <network> definitions host @host_id needs for the networks
 * realised as libvirt networks, wrapped in a <networks> element.
 * @ret_xml: free with sfo_free()
 * Since: 0.1.0
 */
int sfo_domxml_format_host_networks(const sfo_inventory *inventory, const char *host_id,
                                    unsigned int flags, char **ret_xml);

/* ------------------------------------------------------------------------ */
/* Fixing a domain XML in place (the VDSM hooks, docs/vdsm-hook.md)         */
/* ------------------------------------------------------------------------ */

/**
 * sfo_domxml_patch_teaming_macs:
 * @xml: a libvirt domain XML, <devices>, <hotplug> or single device, as for
 *       sfo_rules_check_domxml()
 * @flags: must be 0
 * @ret_xml: @xml with the MAC of each transient teaming <interface> set to
 *           the MAC of the persistent interface it names, where that one is
 *           in @xml with a valid MAC and the two differ: the value of the
 *           transient's <mac address=…> is replaced, or, when it has no <mac>,
 *           a <mac address=…/> is inserted as its first child. Every other
 *           byte is @xml's own (the XML is never re-serialised). Free with
 *           sfo_free().
 * @ret_fixes: one WARNING_TEAMING_MAC_COPIED entry per changed interface
 *             (subject: the interface), possibly none; free with
 *             sfo_violations_free()
 *
 * A plain <hostdev> has no MAC to set and is left alone, as is a transient
 * whose persistent interface is not in @xml (a snippet). Other problems of a
 * pair are not fixed: check the result with sfo_rules_check_domxml().
 * Returns: the number of interfaces changed, or SFO_EINVALID when @xml is not
 * well-formed. Since: 0.1.0
 */
int sfo_domxml_patch_teaming_macs(const char *xml, unsigned int flags, char **ret_xml,
                                  sfo_violations **ret_fixes);

/* ------------------------------------------------------------------------ */
/* Plan: the ordered steps of a hot plug, unplug or migration, each with    */
/* the steps that undo it (docs/sequencer.md)                               */
/* ------------------------------------------------------------------------ */

typedef struct sfo_plan sfo_plan;

/**
 * sfo_plan_action:
 * @SFO_PLAN_PLUG: hot plug a NIC: its virtio standby first, then the VF
 * @SFO_PLAN_UNPLUG: hot unplug a NIC: the VF first, wait until it is gone,
 *                   then the standby
 * @SFO_PLAN_MIGRATE: live migration: reserve VFs on the destination, unplug
 *                    only the VFs, migrate, plug the VFs on the destination
 * @SFO_PLAN_MIGRATE_OFFLINE: the same with the guest paused while it moves
 * @SFO_PLAN_SAVE: unplug the VFs, then save the memory and stop (suspend)
 * @SFO_PLAN_RESTORE: start from the saved memory, then plug the VFs back
 * @SFO_PLAN_SNAPSHOT: unplug the VFs, snapshot with memory, plug them back
 * @SFO_PLAN_RUN: start the VM with its interfaces (sfo_domxml_format_vm())
 * Since: 0.1.0
 */
typedef enum {
    SFO_PLAN_PLUG = 0,
    SFO_PLAN_UNPLUG,
    SFO_PLAN_MIGRATE,
    SFO_PLAN_MIGRATE_OFFLINE,
    SFO_PLAN_SAVE,
    SFO_PLAN_RESTORE,
    SFO_PLAN_SNAPSHOT,
    SFO_PLAN_RUN,
#ifdef SFO_ENUM_SENTINELS
    SFO_PLAN_ACTION_LAST
#endif
} sfo_plan_action;

/**
 * sfo_plan_action_from_string:
 * "plug", "unplug", "migrate", "migrate-offline", "save", "restore",
 * "snapshot", "run".
 * Returns: the action, or SFO_EINVALID for an unknown name. Since: 0.1.0
 */
int sfo_plan_action_from_string(const char *name);

/** sfo_plan_action_to_string: the name of @action, or NULL. Since: 0.1.0 */
const char *sfo_plan_action_to_string(int action);

/**
 * sfo_plan_flags:
 * @SFO_PLAN_EMULATED: for tests and demos on hosts without SR-IOV: every
 *   interface uses libvirt user-mode networking (no host bridge, tap or
 *   VF), and each VF is stood in for by an emulated e1000e with the VF's
 *   MAC and alias (without <teaming>). Since: 0.1.0
 */
typedef enum {
    SFO_PLAN_EMULATED = 1 << 0,
} sfo_plan_flags;

/**
 * sfo_plan_build:
 * @inventory: where the VM runs, its NICs, the hosts' free VFs
 * @action: an sfo_plan_action
 * @subject_id: the NIC (plug, unplug) or the VM (every other action)
 * @host_id: the destination (migrate, migrate-offline, required); the host
 *           to run on (run; NULL: the VM's); ignored otherwise
 * @flags: 0 or SFO_PLAN_EMULATED
 * @ret_plan: the plan; free with sfo_plan_free()
 *
 * Pure: reads the inventory only. Preconditions that fail (the rules of
 * the action, a free VF of the right network, a running VM, another host)
 * are violations of the plan, which then has no steps
 * (sfo_plan_is_refused()). A VM that runs on no host of the inventory needs
 * no libvirt step: plug and unplug plans are then empty.
 * Returns: 0; SFO_ENOTFOUND (NIC_NOT_FOUND, VM_NOT_FOUND, HOST_NOT_FOUND)
 * for an unknown id; SFO_EINVALID. Since: 0.1.0
 */
int sfo_plan_build(const sfo_inventory *inventory, int action, const char *subject_id,
                   const char *host_id, unsigned int flags, sfo_plan **ret_plan);

/** sfo_plan_step_count: the number of steps (0 when refused). Since: 0.1.0 */
size_t sfo_plan_step_count(const sfo_plan *plan);

/** sfo_plan_undo_count: the number of undo steps. Since: 0.1.0 */
size_t sfo_plan_undo_count(const sfo_plan *plan);

/**
 * sfo_plan_violations:
 * Returns: the violated preconditions, borrowed from @plan. Since: 0.1.0
 */
const sfo_violations *sfo_plan_violations(const sfo_plan *plan);

/** sfo_plan_is_refused: 1 when a violation is an error (no steps), else 0. Since: 0.1.0 */
int sfo_plan_is_refused(const sfo_plan *plan);

/**
 * sfo_plan_format_json:
 * @ret_json: {"action":…,"vm":…,"steps":[…],"undo":[…],"violations":[…]},
 *            indented; each step names its op, host, role, alias and XML;
 *            free with sfo_free()
 * Since: 0.1.0
 */
int sfo_plan_format_json(const sfo_plan *plan, unsigned int flags, char **ret_json);

/** sfo_plan_free: accepts NULL. Since: 0.1.0 */
void sfo_plan_free(sfo_plan *plan);

/* ------------------------------------------------------------------------ */
/* Exec: running a plan against libvirt, journaled (docs/sequencer.md)      */
/* ------------------------------------------------------------------------ */

typedef struct sfo_exec sfo_exec;
typedef struct sfo_exec_result sfo_exec_result;

/**
 * sfo_exec_status:
 * @SFO_EXEC_COMPLETED: every step ran (or found its state already so)
 * @SFO_EXEC_REFUSED: the plan was refused (violations); nothing ran
 * @SFO_EXEC_UNDONE: a step failed before the commit step; what was done is
 *                   undone and the domain is as before
 * @SFO_EXEC_INCOMPLETE: the commit step succeeded, a later step failed;
 *                       sfo_exec_reconcile() retries it
 * @SFO_EXEC_UNDO_FAILED: a step failed and so did an undo step;
 *                        sfo_exec_reconcile() retries the undo
 * Since: 0.1.0
 */
typedef enum {
    SFO_EXEC_COMPLETED = 0,
    SFO_EXEC_REFUSED,
    SFO_EXEC_UNDONE,
    SFO_EXEC_INCOMPLETE,
    SFO_EXEC_UNDO_FAILED,
} sfo_exec_status;

/**
 * sfo_exec_open:
 * @uri: libvirt URI of the host the VM runs on (the source), e.g.
 *       "qemu:///system"; NULL for sfo_exec_reconcile() alone (the URIs the
 *       journal recorded are used)
 * @destination_uri: libvirt URI of the migration destination, as the
 *       source's libvirt reaches it (peer-to-peer migration); NULL when the
 *       plans do not migrate
 * @flags: must be 0
 * @ret_exec: free with sfo_exec_free()
 *
 * Registers libvirt's default event loop implementation and runs it in a
 * thread of its own unless the application has registered one (which it
 * must then run), then connects to @uri. The destination is connected to
 * when a step needs it. The unplug timeout is 30 s; there is no journal.
 * Returns: 0; SFO_EIO (HOST_CONNECTION_FAILED). Since: 0.1.0
 */
int sfo_exec_open(const char *uri, const char *destination_uri, unsigned int flags,
                  sfo_exec **ret_exec);

/**
 * sfo_exec_set_unplug_timeout:
 * How long a wait-removed step waits for the guest to release an interface
 * before the sequence is undone (VM_INTERFACE_UNPLUG_TIMED_OUT). Since: 0.1.0
 */
int sfo_exec_set_unplug_timeout(sfo_exec *exec, unsigned int milliseconds);

/**
 * sfo_exec_set_migration_uri:
 * The URI the migration data goes to (VIR_MIGRATE_PARAM_URI, e.g.
 * "tcp://10.0.0.2"); NULL lets the destination choose. Since: 0.1.0
 */
int sfo_exec_set_migration_uri(sfo_exec *exec, const char *uri);

/**
 * sfo_exec_set_snapshot_memory_file:
 * The file a snapshot step writes the guest's memory to, on the host of the
 * source connection (an external snapshot, as oVirt takes them: a libvirt
 * save image; see docs/sequencer.md); it must not exist yet. NULL: none,
 * and sfo_exec_run() refuses a snapshot plan (SNAPSHOT_MEMORY_FILE_NOT_SET)
 * before any step runs. Since: 0.1.0
 */
int sfo_exec_set_snapshot_memory_file(sfo_exec *exec, const char *path);

/**
 * sfo_exec_set_journal:
 * Records every step, before and after it runs, in the JSON journal file
 * @path (created when absent, locked while @exec holds it); VF holds live
 * there too. Returns: 0; SFO_EIO (JOURNAL_LOCKED, JOURNAL_UNWRITABLE);
 * SFO_EINVALID (JOURNAL_CORRUPT). Since: 0.1.0
 */
int sfo_exec_set_journal(sfo_exec *exec, const char *path);

/**
 * sfo_exec_run_flags:
 * @SFO_EXEC_RUN_DOMAIN_XML: when the run ends, also read the live domain XML
 *     on each connection into the result ("domains" in
 *     sfo_exec_result_format_json()); one more libvirt read per connection
 * Since: 0.1.0
 */
typedef enum {
    SFO_EXEC_RUN_DOMAIN_XML = 1 << 0,
} sfo_exec_run_flags;

/**
 * sfo_exec_run:
 * Runs @plan: each step, in order; when one fails before the commit step,
 * the undo steps up to it in reverse. Interfaces are attached and detached
 * live and in the persistent definition, as far as the domain has them; a
 * step whose state already holds changes nothing (an attach that libvirt
 * refuses is checked against the domain and retried for the parts that
 * lack the interface; a detach checks the domain first).
 * @flags: 0 or SFO_EXEC_RUN_DOMAIN_XML
 * @ret_result: what ran and how it ended; free with sfo_exec_result_free()
 * Returns: 0 whenever the plan was run (whatever the outcome: see
 * sfo_exec_result_status()); a negative code when nothing could start (a
 * run plan, a snapshot plan without a memory file, a journal that cannot
 * be written). Since: 0.1.0
 */
int sfo_exec_run(sfo_exec *exec, const sfo_plan *plan, unsigned int flags,
                 sfo_exec_result **ret_result);

/**
 * sfo_exec_reconcile:
 * Finishes or undoes every sequence of the journal that never ended (a
 * crash, or an undo that failed): a sequence whose commit step succeeded is
 * finished, any other is undone. Needs a journal.
 * @flags: 0 or SFO_EXEC_RUN_DOMAIN_XML (the domain of the first sequence)
 * @ret_result: the steps it ran, over all sequences; the status is the
 *              worst; free with sfo_exec_result_free()
 * Returns: 0, or a negative code. Since: 0.1.0
 */
int sfo_exec_reconcile(sfo_exec *exec, unsigned int flags, sfo_exec_result **ret_result);

/** sfo_exec_free: disconnects; accepts NULL. Since: 0.1.0 */
void sfo_exec_free(sfo_exec *exec);

/** sfo_exec_result_status: an sfo_exec_status. Since: 0.1.0 */
int sfo_exec_result_status(const sfo_exec_result *result);

/** sfo_exec_status_to_string: "completed", "refused", "undone", ... Since: 0.1.0 */
const char *sfo_exec_status_to_string(int status);

/**
 * sfo_exec_result_error_key / _error_message:
 * Why the sequence did not complete (e.g. "VM_INTERFACE_UNPLUG_TIMED_OUT"
 * and a one-line text); NULL when it completed. Borrowed. Since: 0.1.0
 */
const char *sfo_exec_result_error_key(const sfo_exec_result *result);
const char *sfo_exec_result_error_message(const sfo_exec_result *result);

/**
 * sfo_exec_result_format_json:
 * @ret_json: {"sequence","status","error"?,"steps":[…],"undone":[…],
 *            "violations":[…],"domains":{"<uri>":"<final live domain XML>"}}
 *            ("domains" is empty unless the run had SFO_EXEC_RUN_DOMAIN_XML);
 *            each step with its outcome and duration; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_exec_result_format_json(const sfo_exec_result *result, unsigned int flags, char **ret_json);

/**
 * sfo_exec_result_format_text:
 * @ret_text: one line per step that ran ("step 1 attach vf ua-nic1 on h1:
 *            done in 12.5 ms"), then the outcome; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_exec_result_format_text(const sfo_exec_result *result, unsigned int flags, char **ret_text);

/** sfo_exec_result_free: accepts NULL. Since: 0.1.0 */
void sfo_exec_result_free(sfo_exec_result *result);

/* ------------------------------------------------------------------------ */
/* Store: the inventory in PostgreSQL (docs/store.md)                       */
/* ------------------------------------------------------------------------ */

/**
 * sfo_store:
 * A connection to the store: one PostgreSQL database holding one inventory.
 * Each call below is one transaction that loads what the rules need (with
 * row locks), runs the same rules as sfo_rules_validate(), writes and
 * commits, retrying a bounded number of times after a serialization failure,
 * a deadlock or a dropped connection. Use one sfo_store per thread.
 * Since: 0.1.0
 */
typedef struct sfo_store sfo_store;

/**
 * sfo_store_open_flags:
 * @SFO_STORE_OPEN_NO_UPGRADE: connect only: neither check the schema
 *     version nor upgrade the embedded store (for sfo_store_version() and
 *     sfo_store_upgrade()). Since: 0.1.0
 */
typedef enum {
    SFO_STORE_OPEN_NO_UPGRADE = 1 << 0,
} sfo_store_open_flags;

/**
 * sfo_store_open:
 * @dsn: a libpq connection string or URI; NULL for the embedded store, a
 *       private PostgreSQL cluster under $SRIOVFO_DATA_DIR, which is
 *       created, started and upgraded as needed
 * @flags: sfo_store_open_flags
 * @ret_store: free with sfo_store_close()
 *
 * Returns: 0; SFO_EDATABASE when PostgreSQL cannot be reached or started
 * (DB_CONNECTION_FAILED, DB_SERVER_NOT_FOUND, DB_CLUSTER_FAILED), when the
 * schema is newer than this library knows (DB_SCHEMA_TOO_NEW) or, with a
 * @dsn, older (DB_SCHEMA_TOO_OLD: run sfo_store_upgrade()). Since: 0.1.0
 */
int sfo_store_open(const char *dsn, unsigned int flags, sfo_store **ret_store);

/** sfo_store_close: disconnects; accepts NULL. Since: 0.1.0 */
void sfo_store_close(sfo_store *store);

/**
 * sfo_store_version:
 * @ret_applied: the schema version of the database (0: empty database)
 * @ret_latest: the newest version this library knows
 * Either output may be NULL. Since: 0.1.0
 */
int sfo_store_version(sfo_store *store, unsigned int flags, int *ret_applied, int *ret_latest);

/**
 * sfo_store_upgrade:
 * Applies the migrations the database lacks, each in its own transaction.
 * Returns: how many were applied (0: already current); SFO_EDATABASE with
 * DB_SCHEMA_TOO_NEW, DB_MIGRATIONS_NOT_FOUND or DB_MIGRATION_FAILED.
 * Since: 0.1.0
 */
int sfo_store_upgrade(sfo_store *store, unsigned int flags);

/**
 * sfo_store_import_flags:
 * @SFO_STORE_IMPORT_REPLACE: replace what the store holds; without it an
 *     import into a store that is not empty fails (STORE_NOT_EMPTY).
 * Since: 0.1.0
 */
typedef enum {
    SFO_STORE_IMPORT_REPLACE = 1 << 0,
} sfo_store_import_flags;

/*
 * The calls below that change the store hand back the violations the rules
 * found in @ret_violations (optional: NULL; free with sfo_violations_free()).
 * It is written on success (warnings only, possibly none) and when they
 * return SFO_EVIOLATED (at least one error; nothing was written).
 */

/**
 * sfo_store_import:
 * Checks @inventory with every state rule (sfo_rules_check()) and stores
 * it, in one transaction. Returns: 0, SFO_EVIOLATED, SFO_EINVALID
 * (STORE_NOT_EMPTY), SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_import(sfo_store *store, const sfo_inventory *inventory, unsigned int flags,
                     sfo_violations **ret_violations);

/**
 * sfo_store_export:
 * @ret_inventory: what the store holds, read in one snapshot, in the order
 *                 it was imported or added; free with sfo_inventory_free()
 * Since: 0.1.0
 */
int sfo_store_export(sfo_store *store, unsigned int flags, sfo_inventory **ret_inventory);

/**
 * sfo_store_add_vnic_profile:
 * @json: the profile in inventory format; without an "id", a random UUID
 *        is given to it
 * @ret_id: the profile's id (optional; free with sfo_free())
 * Runs the add-vnic-profile rules. Returns: 0, SFO_EVIOLATED, SFO_EINVALID
 * (malformed @json; INVENTORY_DUPLICATE_ID when the id is taken),
 * SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_add_vnic_profile(sfo_store *store, const char *json, unsigned int flags,
                               char **ret_id, sfo_violations **ret_violations);

/**
 * sfo_store_update_vnic_profile:
 * Replaces the profile with @json's id by @json (update-vnic-profile rules;
 * an unknown id is the violation ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS).
 * Since: 0.1.0
 */
int sfo_store_update_vnic_profile(sfo_store *store, const char *json, unsigned int flags,
                                  sfo_violations **ret_violations);

/**
 * sfo_store_remove_vnic_profile:
 * Removes profile @id (remove-vnic-profile rules: not in use, not another
 * profile's failover). Since: 0.1.0
 */
int sfo_store_remove_vnic_profile(sfo_store *store, const char *id, unsigned int flags,
                                  sfo_violations **ret_violations);

/**
 * sfo_store_list_vnic_profiles:
 * @ret_json: {"vnic_profiles":[...]} in inventory format; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_store_list_vnic_profiles(sfo_store *store, unsigned int flags, char **ret_json);

/**
 * sfo_store_add_nic:
 * As sfo_store_add_vnic_profile() for a VM NIC (add-nic rules).
 * Since: 0.1.0
 */
int sfo_store_add_nic(sfo_store *store, const char *json, unsigned int flags, char **ret_id,
                      sfo_violations **ret_violations);

/**
 * sfo_store_update_nic:
 * Replaces the NIC with @json's id (update-nic rules; an unknown id is the
 * violation VM_INTERFACE_NOT_EXIST). Since: 0.1.0
 */
int sfo_store_update_nic(sfo_store *store, const char *json, unsigned int flags,
                         sfo_violations **ret_violations);

/**
 * sfo_store_remove_nic / sfo_store_plug_nic / sfo_store_unplug_nic:
 * Remove NIC @id, or set its plugged flag (plugging runs the plug-nic
 * rules). Returns: 0, SFO_EVIOLATED, SFO_ENOTFOUND (NIC_NOT_FOUND),
 * SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_remove_nic(sfo_store *store, const char *id, unsigned int flags,
                         sfo_violations **ret_violations);
int sfo_store_plug_nic(sfo_store *store, const char *id, unsigned int flags,
                       sfo_violations **ret_violations);
int sfo_store_unplug_nic(sfo_store *store, const char *id, unsigned int flags,
                         sfo_violations **ret_violations);

/**
 * sfo_store_embedded_data_dir:
 * @ret_dir: the embedded store's data directory: $SRIOVFO_DATA_DIR, else
 *           /var/lib/sriov-failover for root, else
 *           $XDG_DATA_HOME/sriov-failover; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_store_embedded_data_dir(char **ret_dir);

/**
 * sfo_store_embedded_stop:
 * Stops the embedded store's PostgreSQL server (@data_dir, or NULL for
 * the default). Returns: 1 when it was running and has stopped, 0 when
 * it was not running, SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_embedded_stop(const char *data_dir, unsigned int flags);

/* ------------------------------------------------------------------------ */
/* Journals: where sfo_exec records each step (docs/sequencer.md)           */
/* ------------------------------------------------------------------------ */

/**
 * sfo_journal:
 * Where an sfo_exec records every step before and after it runs, and the
 * VF holds, so that sfo_exec_reconcile() can finish or undo what a crash
 * left half done. Two kinds: a JSON-lines file (sfo_exec_set_journal()) and
 * the store's database (sfo_store_open_journal()). Since: 0.1.0
 */
typedef struct sfo_journal sfo_journal;

/**
 * sfo_store_open_journal:
 * @store: the store whose database keeps the journal
 * @flags: must be 0
 * @ret_journal: hand it to sfo_exec_use_journal(), or free it with
 *               sfo_journal_free()
 *
 * A journal in @store's database, over a connection of its own: @store may
 * be closed before the journal. Each record is committed before the step it
 * records runs. Many processes may use one database at once: a VF is held
 * for one NIC at a time whichever process asks (a unique key), and
 * sfo_exec_reconcile() takes over only the sequences whose process is gone
 * (a PostgreSQL session lock per running sequence, dropped when its process
 * dies). Returns: 0; SFO_EDATABASE as sfo_store_open(). Since: 0.1.0
 */
int sfo_store_open_journal(sfo_store *store, unsigned int flags, sfo_journal **ret_journal);

/**
 * sfo_exec_use_journal:
 * @journal: taken over in every case: @exec frees it when it is freed or
 *           given another journal; on an error it is freed at once
 * Records every step in @journal (instead of the file of
 * sfo_exec_set_journal()); VF holds live there too. Returns: 0;
 * SFO_EINVALID. Since: 0.1.0
 */
int sfo_exec_use_journal(sfo_exec *exec, sfo_journal *journal);

/** sfo_journal_free: closes a journal no sfo_exec took over; accepts NULL. Since: 0.1.0 */
void sfo_journal_free(sfo_journal *journal);

#ifdef __cplusplus
}
#endif

#endif /* SRIOVFO_SRIOVFO_H */
