/*
 * sfo-store-inventory.c: import and export of a whole inventory
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

#include <errno.h>
#include <unistd.h>

#include "sfo-store.h"
#include "plan/sfo-plan.h"
#include "rules/sfo-rules.h"
#include "util/sfo-messages.h"

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
        const char *params[] = { h->id, h->name, h->cluster_id, h->libvirt_uri };

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

    SFO_EXPORT(SFO_STMT_EXPORT_DATA_CENTERS,
               g_ptr_array_add(b.inv->data_centers, sfo_store_row_data_center(res, i, 0)));
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
        sfo_pf *pf = sfo_store_row_pf(res, i, 2);

        g_ptr_array_add(host->pfs, pf);
        g_hash_table_insert(pfs_by_id, sfo_store_col_str(res, i, 1), pf);
    });
    SFO_EXPORT(SFO_STMT_EXPORT_HOST_VFS, {
        sfo_pf *pf = g_hash_table_lookup(pfs_by_id, PQgetvalue(res, i, 0));

        g_ptr_array_add(pf->vfs, sfo_store_row_vf(res, i, 1));
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
/* Plans from the store                                                     */
/* ------------------------------------------------------------------------ */

/* VF @address of host @host_id in @inv, or NULL */
static sfo_vf *
sfo_store_find_vf(sfo_inventory *inv, const char *host_id, const char *address)
{
    const sfo_host *host = sfo_inventory_find_host(inv, host_id);
    guint p;
    guint v;

    for (p = 0; host && p < host->pfs->len; p++) {
        const sfo_pf *pf = host->pfs->pdata[p];

        for (v = 0; v < pf->vfs->len; v++) {
            sfo_vf *vf = pf->vfs->pdata[v];

            if (g_str_equal(vf->address, address))
                return vf;
        }
    }
    return NULL;
}

/* The export and the journal's VF holds in one snapshot: a held VF counts as its holder's */
static int
sfo_store_plan_txn(sfo_store *s, gpointer data)
{
    sfo_store_export_op *op = data;
    g_autoptr(PGresult) res = NULL;
    int r;
    int i;

    if ((r = sfo_store_export_txn(s, op)) < 0)
        return r;
    if (sfo_store_exec(s, SFO_STMT_JOURNAL_HOLDS, NULL, &res) < 0)
        return SFO_EDATABASE;
    for (i = 0; i < PQntuples(res); i++) {
        sfo_vf *vf = sfo_store_find_vf(op->inv, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));

        if (vf && !vf->nic_id)
            vf->nic_id = sfo_store_col_str(res, i, 2);
    }
    return 0;
}

int
sfo_store_plan(sfo_store *store, int action, const char *subject_id, const char *host_id,
               unsigned int flags, sfo_plan **ret_plan)
{
    sfo_store_export_op op = { NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(subject_id != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_plan != NULL, SFO_EINVALID);

    r = sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_plan_txn, &op);
    if (r == 0)
        r = sfo_plan_build(op.inv, action, subject_id, host_id, flags, ret_plan);
    sfo_inventory_free(op.inv);
    return r;
}

typedef struct {
    const char *host_id[2]; /* the source's, the destination's; NULL: none */
    char *uri[2];           /* out */
} sfo_store_uris_op;

static int
sfo_store_plan_uris_txn(sfo_store *s, gpointer data)
{
    sfo_store_uris_op *op = data;
    int role;

    for (role = 0; role < 2; role++) {
        const char *params[] = { op->host_id[role] };
        g_autoptr(PGresult) res = NULL;

        g_clear_pointer(&op->uri[role], g_free);
        if (!op->host_id[role])
            continue;
        if (sfo_store_exec(s, SFO_STMT_HOST_GET, params, &res) < 0)
            return SFO_EDATABASE;
        if (PQntuples(res) == 0) {
            sfo_error_report(SFO_ENOTFOUND, SFO_KEY_HOST_NOT_FOUND, "no host with id %s",
                             op->host_id[role]);
            return SFO_ENOTFOUND;
        }
        if (PQgetisnull(res, 0, 4)) {
            g_autofree char *message = NULL;
            const char *args[] = { "HostName", PQgetvalue(res, 0, 1), NULL };

            message = sfo_messages_render(SFO_KEY_HOST_URI_MISSING, args);
            sfo_error_report(SFO_EINVALID, SFO_KEY_HOST_URI_MISSING, "%s", message);
            return SFO_EINVALID;
        }
        op->uri[role] = sfo_store_col_str(res, 0, 4);
    }
    return 0;
}

int
sfo_store_plan_uris(sfo_store *store, const sfo_plan *plan, unsigned int flags,
                    char **ret_source_uri, char **ret_destination_uri)
{
    sfo_store_uris_op op = { { NULL, NULL }, { NULL, NULL } };
    guint i;
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(plan != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_source_uri != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_destination_uri != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];
        int role = step->role == SFO_PLAN_ROLE_DESTINATION ? 1 : 0;

        if (!op.host_id[role])
            op.host_id[role] = step->host_id;
        /* a migration's destination, also when no step runs there (no VF to plug) */
        if (step->op == SFO_PLAN_OP_MIGRATE && step->destination_host_id && !op.host_id[1])
            op.host_id[1] = step->destination_host_id;
    }
    r = sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_plan_uris_txn, &op);
    if (r < 0) {
        g_free(op.uri[0]);
        g_free(op.uri[1]);
        return r;
    }
    *ret_source_uri = op.uri[0];
    *ret_destination_uri = op.uri[1];
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Streamed export                                                          */
/* ------------------------------------------------------------------------ */

typedef struct {
    sfo_store *store;
    int fd;
} sfo_store_stream_op;

/* The writer's sink: once anything is out, the attempt cannot be repeated. */
static int
sfo_store_stream_write(const char *data, size_t len, gpointer opaque)
{
    sfo_store_stream_op *op = opaque;

    sfo_store_no_retry(op->store);
    while (len > 0) {
        ssize_t n = write(op->fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;

            sfo_error_report(SFO_EIO, SFO_KEY_FILE_UNWRITABLE, "cannot write the export: %s",
                             g_strerror(saved));
            return SFO_EIO;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

typedef int (*sfo_store_stream_row_fn)(const PGresult *res, int row, gpointer data);

/* Runs the cursor @declare to its end, SFO_STORE_STREAM_BATCH rows at a time. */
static int
sfo_store_stream_rows(sfo_store *s, sfo_store_stmt_id declare, sfo_store_stream_row_fn fn,
                      gpointer data)
{
    int n;

    if (sfo_store_exec(s, declare, NULL, NULL) < 0)
        return SFO_EDATABASE;
    do {
        g_autoptr(PGresult) res = NULL;
        int i;
        int r;

        if (sfo_store_exec(s, SFO_STMT_STREAM_FETCH, NULL, &res) < 0)
            return SFO_EDATABASE;
        n = PQntuples(res);
        for (i = 0; i < n; i++) {
            if ((r = fn(res, i, data)) < 0)
                return r;
        }
    } while (n == SFO_STORE_STREAM_BATCH);
    return sfo_store_exec(s, SFO_STMT_STREAM_CLOSE, NULL, NULL);
}

typedef gpointer (*sfo_store_row_reader)(const PGresult *res, int row, int col);

/* The collections read row by row into one object at a time */
static const struct {
    sfo_store_stmt_id stmt;
    sfo_store_row_reader read;
    GDestroyNotify free;
} sfo_store_streams[] = {
    [SFO_INVENTORY_COLL_DATA_CENTERS] = { SFO_STMT_STREAM_DATA_CENTERS,
                                          (sfo_store_row_reader)sfo_store_row_data_center,
                                          (GDestroyNotify)sfo_data_center_free },
    [SFO_INVENTORY_COLL_CLUSTERS] = { SFO_STMT_STREAM_CLUSTERS,
                                      (sfo_store_row_reader)sfo_store_row_cluster,
                                      (GDestroyNotify)sfo_cluster_free },
    [SFO_INVENTORY_COLL_NETWORKS] = { SFO_STMT_STREAM_NETWORKS,
                                      (sfo_store_row_reader)sfo_store_row_network,
                                      (GDestroyNotify)sfo_network_free },
    [SFO_INVENTORY_COLL_VNIC_PROFILES] = { SFO_STMT_STREAM_PROFILES,
                                           (sfo_store_row_reader)sfo_store_row_profile,
                                           (GDestroyNotify)sfo_vnic_profile_free },
    [SFO_INVENTORY_COLL_VMS] = { SFO_STMT_STREAM_VMS, (sfo_store_row_reader)sfo_store_row_vm,
                                 (GDestroyNotify)sfo_vm_free },
    [SFO_INVENTORY_COLL_NICS] = { SFO_STMT_STREAM_NICS, (sfo_store_row_reader)sfo_store_row_nic,
                                  (GDestroyNotify)sfo_nic_free },
};

typedef struct {
    sfo_inventory_writer *w;
    sfo_inventory_coll coll;
} sfo_store_stream_coll;

static int
sfo_store_stream_object(const PGresult *res, int row, gpointer data)
{
    sfo_store_stream_coll *c = data;
    gpointer obj = sfo_store_streams[c->coll].read(res, row, 0);
    int r = sfo_inventory_writer_add(c->w, obj);

    sfo_store_streams[c->coll].free(obj);
    return r;
}

/*
 * Hosts and their PFs are few and read whole; their VFs (one per VF NIC)
 * come through a cursor in the order the hosts are written, and each host is
 * written and freed as soon as the VFs reach the next one.
 */
typedef struct {
    sfo_inventory_writer *w;
    GPtrArray *hosts;    /* sfo_host *, in order; NULL once written */
    GHashTable *pfs;     /* pf id -> sfo_pf * (borrowed) */
    GHashTable *pf_host; /* pf id -> index of its host in @hosts, plus 1 */
    guint next;          /* the first host not written yet */
} sfo_store_stream_hosts;

static int
sfo_store_stream_hosts_before(sfo_store_stream_hosts *h, guint end)
{
    int r = 0;

    for (; r == 0 && h->next < end; h->next++) {
        r = sfo_inventory_writer_add(h->w, g_ptr_array_index(h->hosts, h->next));
        g_clear_pointer(&h->hosts->pdata[h->next], sfo_host_free);
    }
    return r;
}

static int
sfo_store_stream_vf(const PGresult *res, int row, gpointer data)
{
    sfo_store_stream_hosts *h = data;
    const char *pf_id = PQgetvalue(res, row, 0);
    sfo_pf *pf = g_hash_table_lookup(h->pfs, pf_id);
    guint host = GPOINTER_TO_UINT(g_hash_table_lookup(h->pf_host, pf_id));
    int r;

    /* the schema's foreign keys and the cursor's order guarantee both */
    g_assert(pf && host > h->next);
    if ((r = sfo_store_stream_hosts_before(h, host - 1)) < 0)
        return r;
    g_ptr_array_add(pf->vfs, sfo_store_row_vf(res, row, 1));
    return 0;
}

static int
sfo_store_stream_all_hosts(sfo_store *s, sfo_inventory_writer *w)
{
    g_autoptr(GHashTable) by_id = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) pfs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) pf_host = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_host_free);
    sfo_store_stream_hosts h = { w, hosts, pfs, pf_host, 0 };
    g_autoptr(PGresult) res = NULL;
    g_autoptr(PGresult) pfres = NULL;
    int i;
    int r;

    if (sfo_store_exec(s, SFO_STMT_EXPORT_HOSTS, NULL, &res) < 0 ||
        sfo_store_exec(s, SFO_STMT_EXPORT_HOST_PFS, NULL, &pfres) < 0)
        return SFO_EDATABASE;
    for (i = 0; i < PQntuples(res); i++) {
        sfo_host *host = sfo_store_row_host(res, i, 0);

        g_ptr_array_add(hosts, host);
        g_hash_table_insert(by_id, host->id, GUINT_TO_POINTER(hosts->len));
    }
    for (i = 0; i < PQntuples(pfres); i++) {
        guint k = GPOINTER_TO_UINT(g_hash_table_lookup(by_id, PQgetvalue(pfres, i, 0)));
        sfo_pf *pf = sfo_store_row_pf(pfres, i, 2);

        g_ptr_array_add(((sfo_host *)g_ptr_array_index(hosts, k - 1))->pfs, pf);
        g_hash_table_insert(pfs, sfo_store_col_str(pfres, i, 1), pf);
        g_hash_table_insert(pf_host, sfo_store_col_str(pfres, i, 1), GUINT_TO_POINTER(k));
    }
    g_clear_pointer(&pfres, PQclear);
    if ((r = sfo_store_stream_rows(s, SFO_STMT_STREAM_HOST_VFS, sfo_store_stream_vf, &h)) < 0)
        return r;
    return sfo_store_stream_hosts_before(&h, hosts->len);
}

static int
sfo_store_export_fd_txn(sfo_store *s, gpointer data)
{
    g_autoptr(sfo_inventory_writer) w = sfo_inventory_writer_new(sfo_store_stream_write, data);
    sfo_store_stream_coll c = { w, 0 };
    int r;

    G_STATIC_ASSERT(G_N_ELEMENTS(sfo_store_streams) == SFO_INVENTORY_COLL_HOSTS);
    for (c.coll = 0; c.coll < SFO_INVENTORY_COLL_HOSTS; c.coll++) {
        if ((r = sfo_inventory_writer_begin(w, c.coll)) < 0 ||
            (r = sfo_store_stream_rows(s, sfo_store_streams[c.coll].stmt, sfo_store_stream_object,
                                       &c)) < 0)
            return r;
    }
    if ((r = sfo_inventory_writer_begin(w, SFO_INVENTORY_COLL_HOSTS)) < 0 ||
        (r = sfo_store_stream_all_hosts(s, w)) < 0)
        return r;
    return sfo_inventory_writer_finish(w);
}

int
sfo_store_export_fd(sfo_store *store, int fd, unsigned int flags)
{
    sfo_store_stream_op op = { store, fd };

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(fd >= 0, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_export_fd_txn, &op);
}
