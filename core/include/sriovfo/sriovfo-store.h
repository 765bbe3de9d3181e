/*
 * sriovfo-store.h: public API of libsriovfo-store, the inventory in PostgreSQL
 *
 * libsriovfo-store (pkg-config sriovfo-store) keeps the inventory of
 * libsriovfo (<sriovfo/sriovfo.h>, which this header includes) in PostgreSQL
 * and changes it one object at a time under the same rules, and keeps the
 * journal of sfo_exec runs for many processes. It links libsriovfo and libpq.
 * Conventions and errors are those of sriovfo.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SRIOVFO_SRIOVFO_STORE_H
#define SRIOVFO_SRIOVFO_STORE_H

#include <sriovfo/sriovfo.h>

#ifdef __cplusplus
extern "C" {
#endif

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
 * sfo_store_export_fd:
 * @fd: where the export goes (not closed)
 * Writes what the store holds to @fd: the text sfo_inventory_format() gives
 * for what sfo_store_export() returns, read in one snapshot through
 * server-side cursors, 1000 rows at a time, and written as it is read, so
 * that memory does not grow with the store. The snapshot is retried as
 * sfo_store_export() is until its first bytes are written; after that a
 * failure is final and leaves an incomplete document on @fd. Returns: 0,
 * SFO_EDATABASE, SFO_EIO (FILE_UNWRITABLE). Since: 0.1.0
 */
int sfo_store_export_fd(sfo_store *store, int fd, unsigned int flags);

/**
 * sfo_store_add_vnic_profile:
 * @json: the profile in inventory format; without an "id", a random UUID
 *        is given to it
 * @ret_id: the profile's id (optional; free with sfo_free())
 * Runs the add-vnic-profile rules (a name is unique per network:
 * ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE). Returns: 0, SFO_EVIOLATED, SFO_EINVALID
 * (malformed @json; INVENTORY_DUPLICATE_ID when the id is taken),
 * SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_add_vnic_profile(sfo_store *store, const char *json, unsigned int flags,
                               char **ret_id, sfo_violations **ret_violations);

/**
 * sfo_store_update_flags:
 * @SFO_STORE_UPDATE_MERGE: the JSON holds "id" and only the fields to
 *     change (what a REST PUT carries): the others keep their stored
 *     values, a field set to null is cleared ("failover": null removes the
 *     failover). The merge is done in the transaction, on the locked row,
 *     before the rules run; an unknown id is SFO_ENOTFOUND
 *     (VNIC_PROFILE_NOT_FOUND, NIC_NOT_FOUND). Since: 0.1.0
 */
typedef enum {
    SFO_STORE_UPDATE_MERGE = 1 << 0,
} sfo_store_update_flags;

/**
 * sfo_store_update_vnic_profile:
 * @flags: sfo_store_update_flags
 * Replaces the profile with @json's id by @json (update-vnic-profile rules;
 * an unknown id is the violation ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS),
 * or merges @json into it (SFO_STORE_UPDATE_MERGE). Since: 0.1.0
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
 * sfo_store_get:
 * @kind: a collection of the inventory: "data_centers", "clusters",
 *        "networks", "vnic_profiles", "vms", "nics" or "hosts"
 * @id: the object's id
 * @flags: must be 0
 * @ret_json: the object in inventory format (one JSON object); free with
 *            sfo_free()
 * Returns: 0; SFO_EINVALID for an unknown @kind (INVALID_ARGUMENT) or an
 * @id that is not an id (INVENTORY_INVALID_VALUE); SFO_ENOTFOUND when the
 * store has no such object (DATA_CENTER_NOT_FOUND, CLUSTER_NOT_FOUND,
 * NETWORK_NOT_FOUND, VNIC_PROFILE_NOT_FOUND, VM_NOT_FOUND, NIC_NOT_FOUND,
 * HOST_NOT_FOUND); SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_get(sfo_store *store, const char *kind, const char *id, unsigned int flags,
                  char **ret_json);

/**
 * sfo_store_list:
 * @kind: as for sfo_store_get()
 * @name: only the objects with this exact name; NULL: any
 * @parent: only the objects of this parent (an id): the network of
 *          "vnic_profiles", the VM of "nics", the data center of "networks"
 *          and "clusters", the cluster of "vms" and "hosts"; NULL: any.
 *          "data_centers" have none (INVALID_ARGUMENT)
 * @limit: the most objects to return; -1: all
 * @flags: must be 0
 * @ret_json: a JSON array of the objects in inventory format, in the order
 *            they were imported or added; free with sfo_free()
 * One snapshot. Returns: 0, SFO_EINVALID, SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_list(sfo_store *store, const char *kind, const char *name, const char *parent,
                   int limit, unsigned int flags, char **ret_json);

/**
 * sfo_store_vnic_profile_vm_counts:
 * @flags: must be 0
 * @ret_json: a JSON object: profile id -> how many distinct VMs have a NIC
 *            on that profile; profiles no NIC uses are absent. Free with
 *            sfo_free()
 * Since: 0.1.0
 */
int sfo_store_vnic_profile_vm_counts(sfo_store *store, unsigned int flags, char **ret_json);

/**
 * sfo_store_failover_candidates:
 * @json: a vNIC profile in inventory format: a stored one (possibly
 *        edited) or a new one without "id"; its "network" is required
 * @flags: must be 0
 * @ret_json: a JSON array of the ids of the stored profiles the rules
 *            allow as its failover, in the order they were added; free with
 *            sfo_free()
 * What a front end offers in its failover list: not the profile itself,
 * not passthrough, not on an external network, in the same data center,
 * with a network attached to every cluster that has the profile's network
 * (sfo_rules_failover_candidates(), the predicates the rules use). The
 * profile's own pass_through and migratable do not matter here (rule 4 is
 * checked when it is written). Returns: 0; SFO_EINVALID for a malformed
 * profile; SFO_ENOTFOUND (NETWORK_NOT_FOUND) for a network the store lacks;
 * SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_failover_candidates(sfo_store *store, const char *json, unsigned int flags,
                                  char **ret_json);

/**
 * sfo_store_add_nic:
 * As sfo_store_add_vnic_profile() for a VM NIC (add-nic rules). A NIC
 * without a "mac" gets the lowest free MAC after the highest in use of the
 * pool 56:6f:00:00:00:00 - 56:6f:ff:ff:ff:ff (oVirt's default), else the
 * first free one (SFO_EINVALID, MAC_POOL_EXHAUSTED, when none is), in the
 * same transaction. Since: 0.1.0
 */
int sfo_store_add_nic(sfo_store *store, const char *json, unsigned int flags, char **ret_id,
                      sfo_violations **ret_violations);

/**
 * sfo_store_update_nic:
 * @flags: sfo_store_update_flags
 * Replaces the NIC with @json's id (update-nic rules; an unknown id is the
 * violation VM_INTERFACE_NOT_EXIST), or merges @json into it
 * (SFO_STORE_UPDATE_MERGE). Since: 0.1.0
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

/* ------------------------------------------------------------------------ */
/* Users and tokens of the REST engine (docs/store.md)                      */
/* ------------------------------------------------------------------------ */

/**
 * sfo_store_add_user:
 * @name: 1 to 256 characters, no space or control character
 * @password: 1 to 4096 bytes; stored only as its yescrypt hash (libcrypt)
 * @role: "admin" (read and write) or "viewer" (read only)
 * @flags: must be 0
 * Returns: 0; SFO_EINVALID for a bad argument (INVALID_ARGUMENT) or a name
 * in use (USER_EXISTS); SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_add_user(sfo_store *store, const char *name, const char *password, const char *role,
                       unsigned int flags);

/**
 * sfo_store_set_password:
 * Sets the password of user @name and revokes its tokens. Returns: 0,
 * SFO_EINVALID, SFO_ENOTFOUND (USER_NOT_FOUND), SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_set_password(sfo_store *store, const char *name, const char *password,
                           unsigned int flags);

/**
 * sfo_store_remove_user:
 * Removes user @name and its tokens. Returns: 0, SFO_ENOTFOUND
 * (USER_NOT_FOUND), SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_remove_user(sfo_store *store, const char *name, unsigned int flags);

/**
 * sfo_store_list_users:
 * @ret_json: a JSON array of {"name", "role"} in the order the users were
 *            added; free with sfo_free()
 * Since: 0.1.0
 */
int sfo_store_list_users(sfo_store *store, unsigned int flags, char **ret_json);

/**
 * sfo_store_login:
 * @ttl: the token's lifetime in seconds, 1 to 30 days
 * @ret_json: {"token", "expires_at" (seconds since the epoch), "user",
 *            "role"}; free with sfo_free()
 * Checks @password and gives out a new bearer token: 32 random bytes
 * (getrandom(2)) in base64url, stored only as its SHA-256, with its expiry.
 * Returns: 0; SFO_EAUTH with AUTH_FAILED for an unknown name or a wrong
 * password (the same answer, and the same cost), AUTH_RATE_LIMITED once
 * the name has 5 failed logins in the last 60 s (the password is not
 * checked); SFO_EINVALID for a bad @ttl; SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_login(sfo_store *store, const char *name, const char *password, int ttl,
                    unsigned int flags, char **ret_json);

/**
 * sfo_store_verify_token:
 * @ret_json: {"user", "role", "expires_at"}; free with sfo_free()
 * Returns: 0; SFO_EAUTH with AUTH_TOKEN_INVALID (unknown or revoked) or
 * AUTH_TOKEN_EXPIRED; SFO_EDATABASE. Since: 0.1.0
 */
int sfo_store_verify_token(sfo_store *store, const char *token, unsigned int flags,
                           char **ret_json);

/**
 * sfo_store_revoke_token:
 * Ends @token's session; an unknown token is no error. Since: 0.1.0
 */
int sfo_store_revoke_token(sfo_store *store, const char *token, unsigned int flags);

/**
 * sfo_store_ensure_admin:
 * @password: the password of the first user; NULL: a random one
 * @ret_password: the random password when the user was created with one
 *                (show it once; free with sfo_free()), else NULL
 * Creates the user "admin@internal" (role admin) when the store has no
 * user at all, as oVirt's engine-setup does; else changes nothing. Safe
 * when several processes start at once. Since: 0.1.0
 */
int sfo_store_ensure_admin(sfo_store *store, const char *password, unsigned int flags,
                           char **ret_password);

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

/**
 * sfo_store_open_journal:
 * @store: the store whose database keeps the journal
 * @flags: must be 0
 * @ret_journal: hand it to sfo_exec_use_journal(), or free it with
 *               sfo_journal_free()
 *
 * A journal in @store's database, over a connection of its own: @store may
 * be closed before the journal. Freed while @store is open, it leaves that
 * connection (without its locks) to @store's next journal. Each record is
 * committed before the step it records runs. Many processes may use one
 * database at once: a VF is held for one NIC at a time whichever process
 * asks (a unique key), and sfo_exec_reconcile() takes over only the
 * sequences whose process is gone (a PostgreSQL session lock per running
 * sequence, dropped when its process dies). Returns: 0; SFO_EDATABASE as
 * sfo_store_open(). Since: 0.1.0
 */
int sfo_store_open_journal(sfo_store *store, unsigned int flags, sfo_journal **ret_journal);

/**
 * sfo_store_plan:
 * @action: an sfo_plan_action
 * @subject_id: the NIC (plug, unplug) or the VM (every other action)
 * @host_id: the destination of a migration, the host of a run; else NULL
 * @flags: as sfo_plan_build()'s (SFO_PLAN_EMULATED, ...)
 * @ret_plan: free with sfo_plan_free()
 *
 * sfo_plan_build() over what the store holds, read in one snapshot, where a
 * VF is free only when no NIC of the inventory uses it and no sequence of the
 * store's journal holds it (docs/store.md, "Actions"). A refused plan is
 * returned as sfo_plan_build() returns it. Returns: 0; SFO_ENOTFOUND
 * (NIC_NOT_FOUND, VM_NOT_FOUND, HOST_NOT_FOUND); SFO_EINVALID; SFO_EDATABASE.
 * Since: 0.1.0
 */
int sfo_store_plan(sfo_store *store, int action, const char *subject_id, const char *host_id,
                   unsigned int flags, sfo_plan **ret_plan);

/**
 * sfo_store_plan_uris:
 * @plan: a plan of sfo_store_plan()
 * @flags: must be 0
 * @ret_source_uri: the libvirt URI (hosts[].libvirt_uri) of the host the
 *                  plan's source steps run on; NULL when no step runs there.
 *                  Free with sfo_free()
 * @ret_destination_uri: the same for its destination steps (a migration)
 *
 * Where sfo_exec_open() connects to run @plan. Returns: 0; SFO_ENOTFOUND
 * (HOST_NOT_FOUND) for a host the store lacks; SFO_EINVALID
 * (HOST_URI_MISSING) for a host without a libvirt URI; SFO_EDATABASE.
 * Since: 0.1.0
 */
int sfo_store_plan_uris(sfo_store *store, const sfo_plan *plan, unsigned int flags,
                        char **ret_source_uri, char **ret_destination_uri);

#ifdef __cplusplus
}
#endif

#endif /* SRIOVFO_SRIOVFO_STORE_H */
