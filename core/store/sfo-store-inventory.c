/*
 * sfo-store-inventory.c: import and export of a whole inventory; listing profiles
 *
 * An import is checked with every state rule first, then written in one
 * transaction holding the inventory lock exclusively (no other write runs
 * meanwhile). Objects go in in the inventory's order, so an export gives it
 * back; the failover foreign keys are checked at commit for that (profiles
 * may name a failover further down), and the VFs in use go in after the
 * NICs they name.
 * An export reads every table in one REPEATABLE READ snapshot.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "sfo-store.h"
#include "rules/sfo-rules.h"

/* ------------------------------------------------------------------------ */
/* Import                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    const sfo_inventory *inv;
    unsigned int flags;
} sfo_store_import_op;

static int
sfo_store_insert_links(sfo_store *s, sfo_store_stmt_id stmt, const char *owner,
                       const GPtrArray *ids)
{
    guint i;

    for (i = 0; ids && i < ids->len; i++) {
        g_autofree char *pos = g_strdup_printf("%u", i);
        const char *params[] = { owner, pos, g_ptr_array_index(ids, i) };

        if (sfo_store_exec(s, stmt, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    return 0;
}

static int
sfo_store_insert_profiles(sfo_store *s, const sfo_inventory *inv)
{
    guint i;

    if (sfo_store_exec(s, SFO_STMT_DEFER_FAILOVER_CHECKS, NULL, NULL) < 0)
        return SFO_EDATABASE;

    for (i = 0; i < inv->vnic_profiles->len; i++) {
        const sfo_vnic_profile *p = g_ptr_array_index(inv->vnic_profiles, i);
        const char *params[SFO_STORE_PROFILE_NPARAMS];

        sfo_store_profile_params(p, params);
        if (sfo_store_exec(s, SFO_STMT_PROFILE_INSERT, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    return 0;
}

/* Hosts, their networks and PFs; the ids the PFs got are appended to @pf_ids in order */
static int
sfo_store_insert_hosts(sfo_store *s, const sfo_inventory *inv, GPtrArray *pf_ids)
{
    guint i;
    guint j;

    for (i = 0; i < inv->hosts->len; i++) {
        const sfo_host *h = g_ptr_array_index(inv->hosts, i);
        const char *params[] = { h->id, h->name, h->cluster_id };

        if (sfo_store_exec(s, SFO_STMT_INSERT_HOST, params, NULL) < 0 ||
            sfo_store_insert_links(s, SFO_STMT_INSERT_HOST_NETWORK, h->id, h->network_ids) < 0)
            return SFO_EDATABASE;
        for (j = 0; j < h->pfs->len; j++) {
            const sfo_pf *pf = g_ptr_array_index(h->pfs, j);
            g_autofree char *pos = g_strdup_printf("%u", j);
            const char *pf_params[] = { h->id, pos, pf->name, pf->address };
            g_autoptr(PGresult) res = NULL;
            char *pf_id;

            if (sfo_store_exec(s, SFO_STMT_INSERT_HOST_PF, pf_params, &res) < 0)
                return SFO_EDATABASE;
            pf_id = g_strdup(PQgetvalue(res, 0, 0));
            g_ptr_array_add(pf_ids, pf_id);
            if (sfo_store_insert_links(s, SFO_STMT_INSERT_HOST_PF_NETWORK, pf_id, pf->network_ids) <
                0)
                return SFO_EDATABASE;
        }
    }
    return 0;
}

/*
 * The VFs, free ones (@used FALSE) or those naming a NIC (which must be in
 * already), keeping their positions; @pf_ids from sfo_store_insert_hosts().
 */
static int
sfo_store_insert_vfs(sfo_store *s, const sfo_inventory *inv, const GPtrArray *pf_ids, gboolean used)
{
    guint n = 0;
    guint i;
    guint j;
    guint k;

    for (i = 0; i < inv->hosts->len; i++) {
        const sfo_host *h = g_ptr_array_index(inv->hosts, i);

        for (j = 0; j < h->pfs->len; j++) {
            const sfo_pf *pf = g_ptr_array_index(h->pfs, j);
            const char *pf_id = g_ptr_array_index(pf_ids, n++);

            for (k = 0; k < pf->vfs->len; k++) {
                const sfo_vf *vf = g_ptr_array_index(pf->vfs, k);
                g_autofree char *pos = g_strdup_printf("%u", k);
                const char *params[] = { pf_id, pos, vf->address, vf->nic_id };

                if ((vf->nic_id != NULL) != used)
                    continue;
                if (sfo_store_exec(s, SFO_STMT_INSERT_HOST_VF, params, NULL) < 0)
                    return SFO_EDATABASE;
            }
        }
    }
    return 0;
}

static int
sfo_store_import_txn(sfo_store *s, gpointer data)
{
    static const sfo_store_stmt_id deletes[] = {
        SFO_STMT_DELETE_HOST_VFS, SFO_STMT_DELETE_NICS,     SFO_STMT_DELETE_VMS,
        SFO_STMT_DELETE_HOSTS,    SFO_STMT_DELETE_PROFILES, SFO_STMT_DELETE_CLUSTER_NETWORKS,
        SFO_STMT_DELETE_NETWORKS, SFO_STMT_DELETE_CLUSTERS, SFO_STMT_DELETE_DATA_CENTERS,
    };
    sfo_store_import_op *op = data;
    const sfo_inventory *inv = op->inv;
    g_autoptr(PGresult) empty = NULL;
    g_autoptr(GPtrArray) pf_ids = g_ptr_array_new_with_free_func(g_free);
    guint i;

    if (!(op->flags & SFO_STORE_IMPORT_REPLACE)) {
        if (sfo_store_exec(s, SFO_STMT_STORE_IS_EMPTY, NULL, &empty) < 0)
            return SFO_EDATABASE;
        if (!sfo_store_col_bool(empty, 0, 0)) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_STORE_NOT_EMPTY,
                             "the store holds an inventory already; replace it explicitly "
                             "(sriovfo import --replace)");
            return SFO_EINVALID;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(deletes); i++) {
        if (sfo_store_exec(s, deletes[i], NULL, NULL) < 0)
            return SFO_EDATABASE;
    }

    for (i = 0; i < inv->data_centers->len; i++) {
        const sfo_data_center *dc = g_ptr_array_index(inv->data_centers, i);
        const char *params[] = { dc->id, dc->name };

        if (sfo_store_exec(s, SFO_STMT_INSERT_DATA_CENTER, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    for (i = 0; i < inv->clusters->len; i++) {
        const sfo_cluster *cl = g_ptr_array_index(inv->clusters, i);
        g_autofree char *major = g_strdup_printf("%d", cl->version_major);
        g_autofree char *minor = g_strdup_printf("%d", cl->version_minor);
        const char *params[] = {
            cl->id,
            cl->name,
            cl->data_center_id,
            major,
            minor,
            cl->bios_type == SFO_BIOS_TYPE_UNSET ? NULL : sfo_bios_type_to_string(cl->bios_type),
        };

        if (sfo_store_exec(s, SFO_STMT_INSERT_CLUSTER, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    for (i = 0; i < inv->networks->len; i++) {
        const sfo_network *n = g_ptr_array_index(inv->networks, i);
        g_autofree char *vlan = n->vlan_id >= 0 ? g_strdup_printf("%d", n->vlan_id) : NULL;
        g_autofree char *mtu = n->mtu > 0 ? g_strdup_printf("%d", n->mtu) : NULL;
        const char *params[] = {
            n->id,
            n->name,
            n->data_center_id,
            vlan,
            mtu,
            n->external_provider_id,
            n->bridge ? n->bridge : n->name,
            n->link == SFO_NETWORK_LINK_BRIDGE ? NULL : n->libvirt_network,
            n->link == SFO_NETWORK_LINK_BRIDGE ? NULL : sfo_network_link_to_string(n->link),
        };

        if (sfo_store_exec(s, SFO_STMT_INSERT_NETWORK, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    for (i = 0; i < inv->clusters->len; i++) {
        const sfo_cluster *cl = g_ptr_array_index(inv->clusters, i);

        if (sfo_store_insert_links(s, SFO_STMT_INSERT_CLUSTER_NETWORK, cl->id, cl->network_ids) < 0)
            return SFO_EDATABASE;
    }
    if (sfo_store_insert_profiles(s, inv) < 0 || sfo_store_insert_hosts(s, inv, pf_ids) < 0 ||
        sfo_store_insert_vfs(s, inv, pf_ids, FALSE) < 0)
        return SFO_EDATABASE;
    for (i = 0; i < inv->vms->len; i++) {
        const sfo_vm *vm = g_ptr_array_index(inv->vms, i);
        const char *params[] = {
            vm->id,
            vm->name,
            vm->cluster_id,
            vm->os_type ? vm->os_type : "other",
            vm->bios_type == SFO_BIOS_TYPE_UNSET ? NULL : sfo_bios_type_to_string(vm->bios_type),
            sfo_vm_status_to_string(vm->status),
            vm->host_id,
        };

        if (sfo_store_exec(s, SFO_STMT_INSERT_VM, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    for (i = 0; i < inv->nics->len; i++) {
        const sfo_nic *nic = g_ptr_array_index(inv->nics, i);
        const char *params[SFO_STORE_NIC_NPARAMS];

        sfo_store_nic_params(nic, params);
        if (sfo_store_exec(s, SFO_STMT_NIC_INSERT, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    return sfo_store_insert_vfs(s, inv, pf_ids, TRUE);
}

int
sfo_store_import(sfo_store *store, const sfo_inventory *inventory, unsigned int flags,
                 sfo_violations **ret_violations)
{
    g_autoptr(sfo_violations) violations = sfo_violations_new();
    sfo_store_import_op op = { inventory, flags };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_STORE_IMPORT_REPLACE);

    sfo_rules_check_inventory(inventory, violations);
    if ((r = sfo_store_check_violations(violations, "import")) == 0)
        r = sfo_store_transaction(store, SFO_STORE_TXN_EXCLUSIVE, sfo_store_import_txn, &op);
    if ((r == 0 || r == SFO_EVIOLATED) && ret_violations)
        *ret_violations = g_steal_pointer(&violations);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Export                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    sfo_inventory *inv; /* out */
} sfo_store_export_op;

static int
sfo_store_export_txn(sfo_store *s, gpointer data)
{
    sfo_store_export_op *op = data;
    g_auto(sfo_store_builder) b = { 0 };
    g_autoptr(GHashTable) pfs_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    PGresult *res = NULL;
    int i;
    int r = SFO_EDATABASE;

    g_clear_pointer(&op->inv, sfo_inventory_free);
    sfo_store_builder_init(&b);

#define SFO_EXPORT(stmt, body) \
    do { \
        if (sfo_store_exec(s, (stmt), NULL, &res) < 0) \
            goto cleanup; \
        for (i = 0; i < PQntuples(res); i++) { \
            body; \
        } \
        g_clear_pointer(&res, PQclear); \
    } while (0)

    SFO_EXPORT(SFO_STMT_EXPORT_DATA_CENTERS, {
        sfo_data_center *dc = g_new0(sfo_data_center, 1);

        dc->id = sfo_store_col_str(res, i, 0);
        dc->name = sfo_store_col_str(res, i, 1);
        g_ptr_array_add(b.inv->data_centers, dc);
    });
    SFO_EXPORT(SFO_STMT_EXPORT_CLUSTERS,
               sfo_store_builder_add_cluster(&b, sfo_store_row_cluster(res, i, 0)));
    SFO_EXPORT(SFO_STMT_EXPORT_NETWORKS,
               sfo_store_builder_add_network(&b, sfo_store_row_network(res, i, 0)));
    SFO_EXPORT(SFO_STMT_EXPORT_PROFILES,
               sfo_store_builder_add_profile(&b, sfo_store_row_profile(res, i, 0)));
    SFO_EXPORT(SFO_STMT_EXPORT_VMS, sfo_store_builder_add_vm(&b, sfo_store_row_vm(res, i, 0)));
    SFO_EXPORT(SFO_STMT_EXPORT_NICS, sfo_store_builder_add_nic(&b, sfo_store_row_nic(res, i, 0)));
    SFO_EXPORT(SFO_STMT_EXPORT_HOSTS,
               sfo_store_builder_add_host(&b, sfo_store_row_host(res, i, 0)));
    SFO_EXPORT(SFO_STMT_EXPORT_HOST_PFS, {
        sfo_host *host = g_hash_table_lookup(b.ids[SFO_STORE_COLL_HOSTS], PQgetvalue(res, i, 0));
        sfo_pf *pf = g_new0(sfo_pf, 1);

        pf->name = sfo_store_col_str(res, i, 2);
        pf->address = sfo_store_col_str(res, i, 3);
        pf->network_ids = sfo_store_col_id_list(res, i, 4);
        pf->vfs = sfo_vf_list_new();
        g_ptr_array_add(host->pfs, pf);
        g_hash_table_insert(pfs_by_id, sfo_store_col_str(res, i, 1), pf);
    });
    SFO_EXPORT(SFO_STMT_EXPORT_HOST_VFS, {
        sfo_pf *pf = g_hash_table_lookup(pfs_by_id, PQgetvalue(res, i, 0));
        sfo_vf *vf = g_new0(sfo_vf, 1);

        vf->address = sfo_store_col_str(res, i, 1);
        vf->nic_id = sfo_store_col_str(res, i, 2);
        g_ptr_array_add(pf->vfs, vf);
    });
#undef SFO_EXPORT

    r = sfo_store_builder_finish(&b, &op->inv);

cleanup:
    g_clear_pointer(&res, PQclear);
    return r;
}

int
sfo_store_export(sfo_store *store, unsigned int flags, sfo_inventory **ret_inventory)
{
    sfo_store_export_op op = { NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_inventory != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    r = sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_export_txn, &op);
    if (r < 0) {
        sfo_inventory_free(op.inv);
        return r;
    }
    *ret_inventory = op.inv;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Listing profiles                                                         */
/* ------------------------------------------------------------------------ */

static int
sfo_store_list_profiles_txn(sfo_store *s, gpointer data)
{
    json_object *arr = data;
    g_autoptr(PGresult) res = NULL;
    int i;

    if (sfo_store_exec(s, SFO_STMT_PROFILE_LIST, NULL, &res) < 0)
        return SFO_EDATABASE;
    /* a retried attempt starts the list afresh */
    json_object_array_del_idx(arr, 0, json_object_array_length(arr));
    for (i = 0; i < PQntuples(res); i++) {
        g_autoptr(sfo_vnic_profile) p = sfo_store_row_profile(res, i, 0);

        json_object_array_add(arr, sfo_vnic_profile_to_json(p));
    }
    return 0;
}

int
sfo_store_list_vnic_profiles(sfo_store *store, unsigned int flags, char **ret_json)
{
    g_autoptr(json_object) root = NULL;
    json_object *arr;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    root = json_object_new_object();
    arr = json_object_new_array();
    json_object_object_add(root, "vnic_profiles", arr);
    if (sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_list_profiles_txn, arr) < 0)
        return SFO_EDATABASE;
    *ret_json = g_strdup_printf(
        "%s\n",
        json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    return 0;
}
