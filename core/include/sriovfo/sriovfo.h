/*
 * sriovfo.h: public API of libsriovfo, SR-IOV live migration with a virtio failover
 *
 * libsriovfo (pkg-config sriovfo) is the pure core: inventory, rules, libvirt
 * XML, plans and the journal interface; it links GLib, libxml2 and json-c
 * only. Running plans against libvirt is libsriovfo-virt
 * (<sriovfo/sriovfo-virt.h>, pkg-config sriovfo-virt), the store in
 * PostgreSQL is libsriovfo-store (<sriovfo/sriovfo-store.h>, pkg-config
 * sriovfo-store); each includes this header and links this library.
 *
 * Every type is opaque; every function returns 0 (or a count) on success and
 * a negative sfo_error_code on failure, with the details in sfo_error_last()
 * (one last error per thread for the three libraries). Output parameters come
 * last, are named ret_*, belong to the caller and are written only on success.
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
    SFO_EAUTH = -7,     /* store: a login or token was refused (wrong password, expired, ...) */
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
 * @xml may declare any encoding iconv knows; the result is in the same
 * encoding. Before it is returned, the result is parsed again and must
 * differ from @xml only in the MACs fixed.
 * Returns: the number of interfaces changed; SFO_EINVALID when @xml is not
 * well-formed, is over the bounds of docs/error-keys.md (DOMXML_TOO_LARGE,
 * DOMXML_TOO_MANY_ATTRIBUTES, DOMXML_TOO_DEEP), or is in an encoding that
 * cannot be read or patched byte for byte (DOMXML_ENCODING_UNSUPPORTED);
 * SFO_ERROR (DOMXML_PATCH_UNVERIFIED) when the result fails that check.
 * Since: 0.1.0
 */
int sfo_domxml_patch_teaming_macs(const char *xml, unsigned int flags, char **ret_xml,
                                  sfo_violations **ret_fixes);

/**
 * sfo_domxml_fix_and_check:
 * sfo_domxml_patch_teaming_macs() and then sfo_rules_check_domxml() of its
 * result, from one parse of @xml (and one of the result when it changed, which
 * both verifies the result and is what the rules are checked on): what a VDSM
 * hook does.
 * @ret_xml, @ret_fixes: as for sfo_domxml_patch_teaming_macs()
 * @ret_violations: the violations of the result; free with sfo_violations_free()
 * Returns: the number of interfaces changed, or a negative code as
 * sfo_domxml_patch_teaming_macs() does. Since: 0.1.0
 */
int sfo_domxml_fix_and_check(const char *xml, unsigned int flags, char **ret_xml,
                             sfo_violations **ret_fixes, sfo_violations **ret_violations);

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
 * @SFO_PLAN_EMULATED_BRIDGE: with SFO_PLAN_EMULATED, the stand-ins are
 *   plugged into the bridge of their network (<interface type='bridge'>,
 *   the bridge the inventory names) instead of user-mode networking: a lab
 *   that made those bridges, where a peer on the bridge reaches the guest
 *   (bench/downtime). Since: 0.1.0
 */
typedef enum {
    SFO_PLAN_EMULATED = 1 << 0,
    SFO_PLAN_EMULATED_BRIDGE = 1 << 1,
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
/* Journals: where an sfo_exec records each step (docs/sequencer.md)        */
/* ------------------------------------------------------------------------ */

/**
 * sfo_journal:
 * Where an sfo_exec records every step before and after it runs, and the
 * VF holds, so that sfo_exec_reconcile() can finish or undo what a crash
 * left half done. Two kinds: a JSON-lines file (sfo_exec_set_journal() in
 * <sriovfo/sriovfo-virt.h>) and the store's database (sfo_store_open_journal()
 * in <sriovfo/sriovfo-store.h>); the application hands the one it opened to
 * sfo_exec_use_journal(). The type and its free function live here, below
 * both libraries, so that neither depends on the other. Since: 0.1.0
 */
typedef struct sfo_journal sfo_journal;

/** sfo_journal_free: closes a journal no sfo_exec took over; accepts NULL. Since: 0.1.0 */
void sfo_journal_free(sfo_journal *journal);

#ifdef __cplusplus
}
#endif

#endif /* SRIOVFO_SRIOVFO_H */
