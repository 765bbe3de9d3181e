/*
 * sfo-store-repo.c: vNIC profiles and NICs: add, update, remove, plug, unplug
 *
 * Each call is one transaction (sfo_store_transaction()): lock and load the
 * rows the rules read, assemble them into a small inventory, run the rule
 * driver of the action (core/rules/sfo-rules.h), write only when no error
 * was found. The lock order is always: the subject (FOR UPDATE), then the
 * profiles it points to (FOR SHARE), then the sets the rules search (NICs
 * of the VM, NICs with the MAC, profiles naming it as failover), which read
 * committed data after the locks were granted. docs/store.md gives the
 * reasoning per rule.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-store.h"
#include "rules/sfo-rules.h"

int
sfo_store_check_violations(const sfo_violations *violations, const char *action)
{
    size_t errors = sfo_violations_error_count(violations);

    if (errors == 0)
        return 0;
    sfo_error_report(SFO_EVIOLATED, SFO_KEY_RULE_VIOLATED,
                     "%s refused: %zu rule violation(s), the first %s", action, errors,
                     sfo_violations_key(violations, 0));
    return SFO_EVIOLATED;
}

/* Hands the violations out on success and on SFO_EVIOLATED (sriovfo.h) */
static int
sfo_store_finish(int r, sfo_violations **violations, sfo_violations **ret_violations)
{
    if ((r == 0 || r == SFO_EVIOLATED) && ret_violations)
        *ret_violations = g_steal_pointer(violations);
    return r;
}

static void
sfo_store_reset_violations(sfo_violations **violations)
{
    g_clear_pointer(violations, sfo_violations_free);
    *violations = sfo_violations_new();
}

/*
 * Parses @json as one object; for an add without an "id", gives it a random
 * UUID (as oVirt does for every new object).
 */
static int
sfo_store_parse_object(const char *json, const char *what, gboolean add, json_object **ret_obj)
{
    g_autoptr(json_object) obj = NULL;
    json_object *id = NULL;

    if (sfo_json_parse(json, what, &obj) < 0)
        return SFO_EINVALID;
    if (!json_object_is_type(obj, json_type_object)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s: expected an object, found %s", what,
                         json_type_to_name(json_object_get_type(obj)));
        return SFO_EINVALID;
    }
    if (add &&
        (!json_object_object_get_ex(obj, "id", &id) || json_object_is_type(id, json_type_null))) {
        g_autofree char *uuid = g_uuid_string_random();

        json_object_object_add(obj, "id", json_object_new_string(uuid));
    }
    *ret_obj = g_steal_pointer(&obj);
    return 0;
}

static int
sfo_store_duplicate_id(const char *what, const char *id)
{
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_DUPLICATE_ID,
                     "%s: id '%s' is used by another object in the store", what, id);
    return SFO_EINVALID;
}

/*
 * A merge update (SFO_STORE_UPDATE_MERGE): @patch's fields over @stored (the
 * stored object's JSON, consumed); a field set to null is removed, so the
 * object's reader sees it absent (a link cleared, a default restored).
 */
static json_object *
sfo_store_merge(json_object *stored, json_object *patch)
{
    json_object_object_foreach(patch, key, val)
    {
        if (json_object_is_type(val, json_type_null))
            json_object_object_del(stored, key);
        else
            json_object_object_add(stored, key, json_object_get(val));
    }
    return stored;
}

/* The "id" a merge update names: a string, else INVENTORY_MISSING_FIELD / _WRONG_TYPE */
static int
sfo_store_patch_id(json_object *patch, const char *what, const char **ret_id)
{
    json_object *id = NULL;

    if (!json_object_object_get_ex(patch, "id", &id) || json_object_is_type(id, json_type_null)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD,
                         "%s.id: a merge update needs the id of the object to change", what);
        return SFO_EINVALID;
    }
    if (!json_object_is_type(id, json_type_string)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s.id: expected a string, found %s", what,
                         json_type_to_name(json_object_get_type(id)));
        return SFO_EINVALID;
    }
    *ret_id = json_object_get_string(id);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* vNIC profiles                                                            */
/* ------------------------------------------------------------------------ */

typedef struct {
    int action;                      /* SFO_ACTION_ADD_VNIC_PROFILE or _UPDATE_ */
    const sfo_vnic_profile *profile; /* the new state; NULL for a merge */
    json_object *patch;              /* a merge update: the fields to change */
    sfo_vnic_profile *merged;        /* a merge update: the new state, made in the transaction */
    sfo_violations *violations;
} sfo_store_profile_op;

/* The stored profile (locked) with the patch of @op over it, in op->merged */
static int
sfo_store_profile_merge(sfo_store *s, sfo_store_profile_op *op)
{
    const char *id = NULL;
    g_autoptr(PGresult) res = NULL;
    g_autoptr(sfo_vnic_profile) stored = NULL;
    g_autoptr(json_object) obj = NULL;

    g_clear_pointer(&op->merged, sfo_vnic_profile_free);
    if (sfo_store_patch_id(op->patch, "vnic_profile", &id) < 0)
        return SFO_EINVALID;
    if (sfo_store_exec(s, SFO_STMT_PROFILE_GET_FOR_UPDATE, (const char *[]){ id }, &res) < 0)
        return SFO_EDATABASE;
    if (PQntuples(res) == 0) {
        sfo_error_report(SFO_ENOTFOUND, SFO_KEY_VNIC_PROFILE_NOT_FOUND,
                         "%s: no vNIC profile with id '%s' in the store",
                         sfo_action_to_string(op->action), id);
        return SFO_ENOTFOUND;
    }
    stored = sfo_store_row_profile(res, 0, 0);
    obj = sfo_store_merge(sfo_vnic_profile_to_json(stored), op->patch);
    return sfo_vnic_profile_from_json(obj, "vnic_profile", &op->merged);
}

/* The profile's row, written with the COMMIT (the rules found its network under the lock) */
static int
sfo_store_write_profile(sfo_store *s, int action, const sfo_vnic_profile *p)
{
    const char *params[SFO_STORE_PROFILE_NPARAMS];

    sfo_store_profile_params(p, params);

    sfo_store_exec_at_commit(s,
                             action == SFO_ACTION_ADD_VNIC_PROFILE ? SFO_STMT_PROFILE_INSERT
                                                                   : SFO_STMT_PROFILE_UPDATE,
                             params);
    return 0;
}

static int
sfo_store_profile_txn(sfo_store *s, gpointer data)
{
    sfo_store_profile_op *op = data;
    const sfo_vnic_profile *p = op->profile;
    const char *action = sfo_action_to_string(op->action);
    gboolean update = op->action == SFO_ACTION_UPDATE_VNIC_PROFILE;
    gboolean has_failover;
    g_auto(sfo_store_builder) b = { 0 };
    g_autoptr(sfo_inventory) inv = NULL;
    sfo_store_query q[6];
    size_t n = 0;
    size_t i;
    int r;

    sfo_store_reset_violations(&op->violations);
    if (op->patch) {
        if ((r = sfo_store_profile_merge(s, op)) < 0)
            return r;
        p = op->merged;
    }
    has_failover = p->failover_id && !g_str_equal(p->failover_id, p->id);
    /* one round trip, run in this order: the profile (locked for an update), its network,
     * the failover target (it must not change or go until we commit), the profiles of the
     * network with its name, then what names the profile (rule 5) and, if the update changes
     * what rule 6 guards, what uses it */
    q[n++] = (sfo_store_query){ update ? SFO_STMT_PROFILE_GET_FOR_UPDATE : SFO_STMT_PROFILE_GET,
                                { p->id } };
    q[n++] = (sfo_store_query){ SFO_STMT_NETWORK_GET, { p->network_id } };
    if (has_failover)
        q[n++] = (sfo_store_query){ SFO_STMT_PROFILE_GET_FOR_SHARE, { p->failover_id } };
    q[n++] = (sfo_store_query){ SFO_STMT_PROFILES_WITH_NAME, { p->network_id, p->name } };
    if (update) {
        q[n++] = (sfo_store_query){ SFO_STMT_PROFILE_REFERRERS, { p->id } };
        q[n++] = (sfo_store_query){ SFO_STMT_PROFILE_USERS_IF_GUARDED_CHANGE,
                                    { p->id, p->failover_id, sfo_store_bool_param(p->pass_through),
                                      sfo_store_bool_param(p->port_mirroring) } };
    }
    if (sfo_store_exec_pipeline(s, q, n) < 0)
        return SFO_EDATABASE;

    sfo_store_builder_init(&b);
    if (!update && PQntuples(q[0].res) > 0) {
        sfo_store_pipeline_clear(q, n);
        return sfo_store_duplicate_id(action, p->id);
    }
    i = 0;
    if (update)
        sfo_store_read_profile(&b, q[i].res);
    i++;
    sfo_store_read_network(&b, q[i++].res);
    if (has_failover)
        sfo_store_read_profile(&b, q[i++].res);
    sfo_store_read_profiles(&b, q[i++].res);
    if (update) {
        sfo_store_read_profiles(&b, q[i++].res);
        sfo_store_read_nics_with_vms(&b, q[i++].res);
    }
    sfo_store_pipeline_clear(q, n);
    if ((r = sfo_store_builder_finish(&b, &inv)) < 0)
        return r;

    sfo_rules_validate_profile(inv, op->action, p, op->violations);
    if ((r = sfo_store_check_violations(op->violations, action)) < 0)
        return r;
    return sfo_store_write_profile(s, op->action, p);
}

static int
sfo_store_profile_change(sfo_store *store, int action, const char *json, gboolean merge,
                         char **ret_id, sfo_violations **ret_violations)
{
    g_autoptr(json_object) obj = NULL;
    g_autoptr(sfo_vnic_profile) profile = NULL;
    g_autoptr(sfo_violations) violations = NULL;
    sfo_store_profile_op op = { .action = action };
    int r;

    if (sfo_store_parse_object(json, "vnic_profile", action == SFO_ACTION_ADD_VNIC_PROFILE, &obj) <
        0)
        return SFO_EINVALID;
    if (merge)
        op.patch = obj;
    else if (sfo_vnic_profile_from_json(obj, "vnic_profile", &profile) < 0)
        return SFO_EINVALID;
    op.profile = profile;
    r = sfo_store_transaction(store, SFO_STORE_TXN_WRITE, sfo_store_profile_txn, &op);
    sfo_vnic_profile_free(op.merged);
    violations = op.violations;
    if (r == 0 && ret_id)
        *ret_id = g_strdup(profile->id);
    return sfo_store_finish(r, &violations, ret_violations);
}

int
sfo_store_add_vnic_profile(sfo_store *store, const char *json, unsigned int flags, char **ret_id,
                           sfo_violations **ret_violations)
{
    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_store_profile_change(store, SFO_ACTION_ADD_VNIC_PROFILE, json, FALSE, ret_id,
                                    ret_violations);
}

int
sfo_store_update_vnic_profile(sfo_store *store, const char *json, unsigned int flags,
                              sfo_violations **ret_violations)
{
    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_STORE_UPDATE_MERGE);

    return sfo_store_profile_change(store, SFO_ACTION_UPDATE_VNIC_PROFILE, json,
                                    (flags & SFO_STORE_UPDATE_MERGE) != 0, NULL, ret_violations);
}

typedef struct {
    const char *id;
    sfo_violations *violations;
} sfo_store_id_op;

static int
sfo_store_profile_remove_txn(sfo_store *s, gpointer data)
{
    sfo_store_id_op *op = data;
    const char *action = sfo_action_to_string(SFO_ACTION_REMOVE_VNIC_PROFILE);
    const char *params[] = { op->id };
    g_auto(sfo_store_builder) b = { 0 };
    g_autoptr(sfo_inventory) inv = NULL;
    /* the profile, locked, then the profiles naming it (rule 9) and its users */
    sfo_store_query q[] = {
        { SFO_STMT_PROFILE_GET_FOR_UPDATE, { op->id } },
        { SFO_STMT_PROFILE_REFERRERS, { op->id } },
        { SFO_STMT_PROFILE_USERS, { op->id } },
    };
    int r;

    sfo_store_reset_violations(&op->violations);
    if (sfo_store_exec_pipeline(s, q, G_N_ELEMENTS(q)) < 0)
        return SFO_EDATABASE;
    sfo_store_builder_init(&b);
    sfo_store_read_profile(&b, q[0].res);
    sfo_store_read_profiles(&b, q[1].res);
    sfo_store_read_nics_with_vms(&b, q[2].res);
    sfo_store_pipeline_clear(q, G_N_ELEMENTS(q));
    if ((r = sfo_store_builder_finish(&b, &inv)) < 0)
        return r;

    sfo_rules_validate_profile_removal(inv, op->id, op->violations);
    if ((r = sfo_store_check_violations(op->violations, action)) < 0)
        return r;
    sfo_store_exec_at_commit(s, SFO_STMT_PROFILE_DELETE, params);
    return 0;
}

int
sfo_store_remove_vnic_profile(sfo_store *store, const char *id, unsigned int flags,
                              sfo_violations **ret_violations)
{
    g_autoptr(sfo_violations) violations = NULL;
    sfo_store_id_op op = { id, NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(id != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    r = sfo_store_transaction(store, SFO_STORE_TXN_WRITE, sfo_store_profile_remove_txn, &op);
    violations = op.violations;
    return sfo_store_finish(r, &violations, ret_violations);
}

/* ------------------------------------------------------------------------ */
/* NICs                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct {
    int action;          /* SFO_ACTION_ADD_NIC, _UPDATE_NIC or _PLUG_NIC */
    const char *id;      /* the NIC's id */
    sfo_nic *nic;        /* add, update: the new state (NULL for a merge) */
    gboolean assign_mac; /* add: the store gives the NIC a MAC */
    json_object *patch;  /* a merge update: the fields to change */
    sfo_nic *merged;     /* a merge update: the new state, made in the transaction */
    sfo_violations *violations;
} sfo_store_nic_op;

static int sfo_store_nic_not_found(const char *action, const char *id);

/* The stored NIC (locked) with the patch of @op over it, in op->merged */
static int
sfo_store_nic_merge(sfo_store *s, sfo_store_nic_op *op)
{
    const char *id = NULL;
    g_autoptr(PGresult) res = NULL;
    g_autoptr(sfo_nic) stored = NULL;
    g_autoptr(json_object) obj = NULL;

    g_clear_pointer(&op->merged, sfo_nic_free);
    if (sfo_store_patch_id(op->patch, "nic", &id) < 0)
        return SFO_EINVALID;
    if (sfo_store_exec(s, SFO_STMT_NIC_GET_FOR_UPDATE, (const char *[]){ id }, &res) < 0)
        return SFO_EDATABASE;
    if (PQntuples(res) == 0)
        return sfo_store_nic_not_found(sfo_action_to_string(op->action), id);
    stored = sfo_store_row_nic(res, 0, 0);
    obj = sfo_store_merge(sfo_nic_to_json(stored), op->patch);
    return sfo_nic_from_json(obj, "nic", &op->merged);
}

/* The pool a NIC added without a MAC gets one from: oVirt's default, 56:6f:00:00:00:00 and up */
#define SFO_STORE_MAC_POOL_FIRST G_GUINT64_CONSTANT(0x566f00000000)
#define SFO_STORE_MAC_POOL_LAST G_GUINT64_CONSTANT(0x566fffffffff)

/* "56:6f:1a:2b:00:01" (as PostgreSQL prints a macaddr) as a number */
static guint64
sfo_store_mac_to_int(const char *mac)
{
    guint64 v = 0;
    const char *c;

    for (c = mac; *c; c++) {
        if (g_ascii_isxdigit(*c))
            v = (v << 4) | (guint64)g_ascii_xdigit_value(*c);
    }
    return v;
}

/*
 * A free MAC of the pool for @nic: the one after the highest in use, else the
 * first gap. Allocations are serialised by a transaction lock taken first, so
 * the statement after it sees every MAC an allocation before it committed.
 */
static int
sfo_store_assign_mac(sfo_store *s, sfo_nic *nic)
{
    sfo_store_query q[] = {
        { SFO_STMT_MAC_LOCK, { NULL } },
        { SFO_STMT_MAC_LAST, { NULL } },
    };
    g_autoptr(PGresult) gap = NULL;
    guint64 next = SFO_STORE_MAC_POOL_FIRST;
    gboolean found = TRUE;

    if (sfo_store_exec_pipeline(s, q, G_N_ELEMENTS(q)) < 0)
        return SFO_EDATABASE;
    if (PQntuples(q[1].res) > 0)
        next = sfo_store_mac_to_int(PQgetvalue(q[1].res, 0, 0)) + 1;
    sfo_store_pipeline_clear(q, G_N_ELEMENTS(q));
    if (next > SFO_STORE_MAC_POOL_LAST) {
        if (sfo_store_exec(s, SFO_STMT_MAC_FIRST_GAP, NULL, &gap) < 0)
            return SFO_EDATABASE;
        found = PQntuples(gap) > 0;
        if (found)
            next = sfo_store_mac_to_int(PQgetvalue(gap, 0, 0));
    }
    if (!found) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_MAC_POOL_EXHAUSTED,
                         "add-nic: every MAC address of the pool 56:6f:00:00:00:00 - "
                         "56:6f:ff:ff:ff:ff is in use; give the NIC a MAC");
        return SFO_EINVALID;
    }
    g_free(nic->mac);
    nic->mac =
        g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", (guint)(next >> 40) & 0xff,
                        (guint)(next >> 32) & 0xff, (guint)(next >> 24) & 0xff,
                        (guint)(next >> 16) & 0xff, (guint)(next >> 8) & 0xff, (guint)next & 0xff);
    return 0;
}

static int
sfo_store_nic_not_found(const char *action, const char *id)
{
    sfo_error_report(SFO_ENOTFOUND, SFO_KEY_NIC_NOT_FOUND, "%s: no NIC with id '%s' in the store",
                     action, id);
    return SFO_ENOTFOUND;
}

static int
sfo_store_write_nic(sfo_store *s, int action, const sfo_nic *nic)
{
    const char *params[SFO_STORE_NIC_NPARAMS];

    sfo_store_nic_params(nic, params);

    /* written with the COMMIT */
    switch (action) {
    case SFO_ACTION_ADD_NIC:
        sfo_store_exec_at_commit(s, SFO_STMT_NIC_INSERT, params);
        break;
    case SFO_ACTION_UPDATE_NIC:
        sfo_store_exec_at_commit(s, SFO_STMT_NIC_UPDATE, params);
        break;
    default:
        params[1] = sfo_store_bool_param(TRUE);
        sfo_store_exec_at_commit(s, SFO_STMT_NIC_SET_PLUGGED, params);
        break;
    }
    return 0;
}

static int
sfo_store_nic_txn(sfo_store *s, gpointer data)
{
    sfo_store_nic_op *op = data;
    const char *action = sfo_action_to_string(op->action);
    const char *params[] = { op->id };
    g_auto(sfo_store_builder) b = { 0 };
    g_autoptr(sfo_inventory) inv = NULL;
    g_autoptr(PGresult) res = NULL;
    g_autoptr(sfo_nic) plugged = NULL;
    const sfo_nic *nic = op->nic;
    sfo_store_query q[5];
    sfo_vm *vm = NULL;
    size_t n = 0;
    size_t i = 0;
    int r;

    sfo_store_reset_violations(&op->violations);
    sfo_store_builder_init(&b);
    if (op->patch) {
        if ((r = sfo_store_nic_merge(s, op)) < 0)
            return r;
        nic = op->merged;
    } else if (op->assign_mac && (r = sfo_store_assign_mac(s, op->nic)) < 0) {
        return r;
    }
    /* a plug knows the NIC only from its row: lock and read it first */
    if (op->action == SFO_ACTION_PLUG_NIC) {
        if (sfo_store_exec(s, SFO_STMT_NIC_GET_FOR_UPDATE, params, &res) < 0)
            return SFO_EDATABASE;
        if (PQntuples(res) == 0)
            return sfo_store_nic_not_found(action, op->id);
        sfo_store_builder_add_nic(&b, sfo_store_row_nic(res, 0, 0));
        plugged = sfo_store_row_nic(res, 0, 0);
        plugged->plugged = TRUE;
        nic = plugged;
    } else {
        q[n++] = (sfo_store_query){ op->action == SFO_ACTION_ADD_NIC ? SFO_STMT_NIC_EXISTS
                                                                     : SFO_STMT_NIC_GET_FOR_UPDATE,
                                    { op->id } };
    }
    /* one round trip, run in this order: the NIC (locked for an update), its VM and cluster,
     * its profile (locked: its failover and pass_through stay until we commit) with the
     * failover profile, then the NICs of the VM (rule 8) and those with the MAC */
    q[n++] = (sfo_store_query){ SFO_STMT_VM_GET, { nic->vm_id } };
    if (nic->vnic_profile_id)
        q[n++] =
            (sfo_store_query){ SFO_STMT_PROFILE_WITH_FAILOVER_FOR_SHARE, { nic->vnic_profile_id } };
    q[n++] = (sfo_store_query){ SFO_STMT_NICS_OF_VM, { nic->vm_id } };
    q[n++] = (sfo_store_query){ SFO_STMT_NICS_WITH_MAC, { nic->mac } };
    if (sfo_store_exec_pipeline(s, q, n) < 0)
        return SFO_EDATABASE;

    if (op->action == SFO_ACTION_ADD_NIC && PQntuples(q[i].res) > 0) {
        sfo_store_pipeline_clear(q, n);
        return sfo_store_duplicate_id(action, op->id);
    }
    if (op->action == SFO_ACTION_UPDATE_NIC && PQntuples(q[i].res) > 0)
        sfo_store_builder_add_nic(&b, sfo_store_row_nic(q[i].res, 0, 0));
    if (op->action != SFO_ACTION_PLUG_NIC)
        i++;
    vm = sfo_store_read_vm(&b, q[i++].res);
    if (nic->vnic_profile_id)
        sfo_store_read_profile(&b, q[i++].res);
    sfo_store_read_nics_with_profiles(&b, q[i++].res);
    sfo_store_read_nics_with_vms(&b, q[i++].res);
    sfo_store_pipeline_clear(q, n);
    /* hot plug: the networks of the host the VM runs on */
    if (op->action == SFO_ACTION_PLUG_NIC && vm && vm->host_id &&
        sfo_store_load_host(s, &b, vm->host_id) < 0)
        return SFO_EDATABASE;
    if ((r = sfo_store_builder_finish(&b, &inv)) < 0)
        return r;

    sfo_rules_validate_nic(inv, op->action, nic, op->violations);
    if ((r = sfo_store_check_violations(op->violations, action)) < 0)
        return r;
    return sfo_store_write_nic(s, op->action, nic);
}

static int
sfo_store_nic_change(sfo_store *store, int action, const char *json, gboolean merge, char **ret_id,
                     sfo_violations **ret_violations)
{
    g_autoptr(json_object) obj = NULL;
    g_autoptr(sfo_nic) nic = NULL;
    g_autoptr(sfo_violations) violations = NULL;
    sfo_store_nic_op op = { .action = action };
    json_object *mac = NULL;
    int r;

    if (sfo_store_parse_object(json, "nic", action == SFO_ACTION_ADD_NIC, &obj) < 0)
        return SFO_EINVALID;
    if (merge) {
        op.patch = obj;
        if (sfo_store_patch_id(obj, "nic", &op.id) < 0)
            return SFO_EINVALID;
    } else {
        /* an added NIC without a MAC gets one in the transaction (sfo_store_assign_mac()) */
        if (action == SFO_ACTION_ADD_NIC && (!json_object_object_get_ex(obj, "mac", &mac) ||
                                             json_object_is_type(mac, json_type_null))) {
            json_object *placeholder = json_object_new_object();

            json_object_object_add(placeholder, "address",
                                   json_object_new_string("00:00:00:00:00:00"));
            json_object_object_add(obj, "mac", placeholder);
            op.assign_mac = TRUE;
        }
        if (sfo_nic_from_json(obj, "nic", &nic) < 0)
            return SFO_EINVALID;
        op.id = nic->id;
        op.nic = nic;
    }
    r = sfo_store_transaction(store, SFO_STORE_TXN_WRITE, sfo_store_nic_txn, &op);
    sfo_nic_free(op.merged);
    violations = op.violations;
    if (r == 0 && ret_id)
        *ret_id = g_strdup(nic->id);
    return sfo_store_finish(r, &violations, ret_violations);
}

int
sfo_store_add_nic(sfo_store *store, const char *json, unsigned int flags, char **ret_id,
                  sfo_violations **ret_violations)
{
    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_store_nic_change(store, SFO_ACTION_ADD_NIC, json, FALSE, ret_id, ret_violations);
}

int
sfo_store_update_nic(sfo_store *store, const char *json, unsigned int flags,
                     sfo_violations **ret_violations)
{
    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_STORE_UPDATE_MERGE);

    return sfo_store_nic_change(store, SFO_ACTION_UPDATE_NIC, json,
                                (flags & SFO_STORE_UPDATE_MERGE) != 0, NULL, ret_violations);
}

int
sfo_store_plug_nic(sfo_store *store, const char *id, unsigned int flags,
                   sfo_violations **ret_violations)
{
    g_autoptr(sfo_violations) violations = NULL;
    sfo_store_nic_op op = { .action = SFO_ACTION_PLUG_NIC, .id = id };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(id != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    r = sfo_store_transaction(store, SFO_STORE_TXN_WRITE, sfo_store_nic_txn, &op);
    violations = op.violations;
    return sfo_store_finish(r, &violations, ret_violations);
}

/* Unplug and remove: no rule applies, only the NIC must exist */
typedef struct {
    sfo_store_stmt_id stmt;
    const char *action;
    const char *id;
} sfo_store_nic_simple_op;

static int
sfo_store_nic_simple_txn(sfo_store *s, gpointer data)
{
    sfo_store_nic_simple_op *op = data;
    const char *params[] = { op->id, sfo_store_bool_param(FALSE) };
    g_autoptr(PGresult) res = NULL;

    if (sfo_store_exec(s, op->stmt, params, &res) < 0)
        return SFO_EDATABASE;
    if (sfo_store_changed_rows(res) == 0)
        return sfo_store_nic_not_found(op->action, op->id);
    return 0;
}

static int
sfo_store_nic_simple(sfo_store *store, sfo_store_stmt_id stmt, const char *action, const char *id,
                     sfo_violations **ret_violations)
{
    sfo_store_nic_simple_op op = { stmt, action, id };
    int r;

    r = sfo_store_transaction(store, SFO_STORE_TXN_WRITE, sfo_store_nic_simple_txn, &op);
    if (r == 0 && ret_violations)
        *ret_violations = sfo_violations_new();
    return r;
}

int
sfo_store_remove_nic(sfo_store *store, const char *id, unsigned int flags,
                     sfo_violations **ret_violations)
{
    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(id != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_store_nic_simple(store, SFO_STMT_NIC_DELETE, "remove-nic", id, ret_violations);
}

int
sfo_store_unplug_nic(sfo_store *store, const char *id, unsigned int flags,
                     sfo_violations **ret_violations)
{
    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(id != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_store_nic_simple(store, SFO_STMT_NIC_SET_PLUGGED, "unplug-nic", id, ret_violations);
}
