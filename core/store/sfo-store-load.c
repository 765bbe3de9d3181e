/*
 * sfo-store-load.c: model objects from rows, and the loaders of the rules' inputs
 *
 * A store call assembles a small inventory from the rows its rules look at
 * (the subject's neighbours), then runs the same rule drivers as
 * sfo_rules_validate() over it. The column lists are SFO_SQL_*_COLS in
 * sfo-store-sql.c; the readers below take them in the same order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-store.h"

/* ------------------------------------------------------------------------ */
/* Columns                                                                  */
/* ------------------------------------------------------------------------ */

char *
sfo_store_col_str(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : g_strdup(PQgetvalue(res, row, col));
}

gboolean
sfo_store_col_bool(const PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

int
sfo_store_col_int(const PGresult *res, int row, int col, int if_null)
{
    if (PQgetisnull(res, row, col))
        return if_null;
    return (int)g_ascii_strtoll(PQgetvalue(res, row, col), NULL, 10);
}

GPtrArray *
sfo_store_col_id_list(const PGresult *res, int row, int col)
{
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) parts = NULL;
    size_t i;

    if (PQgetisnull(res, row, col))
        return ids;
    parts = g_strsplit(PQgetvalue(res, row, col), ",", -1);
    for (i = 0; parts[i]; i++)
        g_ptr_array_add(ids, g_strdup(parts[i]));
    return ids;
}

static int
sfo_store_col_enum(const PGresult *res, int row, int col, int (*from_string)(const char *),
                   int if_null)
{
    int v;

    if (PQgetisnull(res, row, col))
        return if_null;
    v = from_string(PQgetvalue(res, row, col));
    /* the columns' CHECK constraints hold the same values as the enum tables */
    return v < 0 ? if_null : v;
}

/* ------------------------------------------------------------------------ */
/* Rows                                                                     */
/* ------------------------------------------------------------------------ */

/* Column @col of row @row as text that stays @res's own; NULL for SQL NULL */
static char *
sfo_store_col_view(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* The profile in the columns from @col of row @row: its strings @col_str()'s */
static void
sfo_store_fill_profile(const PGresult *res, int row, int col,
                       char *(*col_str)(const PGresult *, int, int), sfo_vnic_profile *p)
{
    p->id = col_str(res, row, col);
    p->name = col_str(res, row, col + 1);
    p->network_id = col_str(res, row, col + 2);
    p->pass_through = sfo_store_col_bool(res, row, col + 3);
    p->migratable = sfo_store_col_bool(res, row, col + 4);
    p->failover_id = col_str(res, row, col + 5);
    p->port_mirroring = sfo_store_col_bool(res, row, col + 6);
    p->qos_id = col_str(res, row, col + 7);
    p->network_filter_id = col_str(res, row, col + 8);
}

sfo_vnic_profile *
sfo_store_row_profile(const PGresult *res, int row, int col)
{
    sfo_vnic_profile *p;

    if (PQgetisnull(res, row, col))
        return NULL;
    p = g_new0(sfo_vnic_profile, 1);
    sfo_store_fill_profile(res, row, col, sfo_store_col_str, p);
    return p;
}

void
sfo_store_row_profile_view(const PGresult *res, int row, int col, sfo_vnic_profile *p)
{
    sfo_store_fill_profile(res, row, col, sfo_store_col_view, p);
}

sfo_network *
sfo_store_row_network(const PGresult *res, int row, int col)
{
    sfo_network *net;

    if (PQgetisnull(res, row, col))
        return NULL;
    net = g_new0(sfo_network, 1);
    net->id = sfo_store_col_str(res, row, col);
    net->name = sfo_store_col_str(res, row, col + 1);
    net->data_center_id = sfo_store_col_str(res, row, col + 2);
    net->vlan_id = sfo_store_col_int(res, row, col + 3, -1);
    net->mtu = sfo_store_col_int(res, row, col + 4, 0);
    net->external_provider_id = sfo_store_col_str(res, row, col + 5);
    net->bridge = sfo_store_col_str(res, row, col + 6);
    net->libvirt_network = sfo_store_col_str(res, row, col + 7);
    net->link = sfo_store_col_enum(res, row, col + 8, sfo_network_link_from_string,
                                   SFO_NETWORK_LINK_BRIDGE);
    return net;
}

sfo_cluster *
sfo_store_row_cluster(const PGresult *res, int row, int col)
{
    sfo_cluster *cl;

    if (PQgetisnull(res, row, col))
        return NULL;
    cl = g_new0(sfo_cluster, 1);
    cl->id = sfo_store_col_str(res, row, col);
    cl->name = sfo_store_col_str(res, row, col + 1);
    cl->data_center_id = sfo_store_col_str(res, row, col + 2);
    cl->version_major = sfo_store_col_int(res, row, col + 3, 0);
    cl->version_minor = sfo_store_col_int(res, row, col + 4, 0);
    cl->bios_type =
        sfo_store_col_enum(res, row, col + 5, sfo_bios_type_from_string, SFO_BIOS_TYPE_UNSET);
    cl->network_ids = sfo_store_col_id_list(res, row, col + 6);
    return cl;
}

sfo_vm *
sfo_store_row_vm(const PGresult *res, int row, int col)
{
    sfo_vm *vm;

    if (PQgetisnull(res, row, col))
        return NULL;
    vm = g_new0(sfo_vm, 1);
    vm->id = sfo_store_col_str(res, row, col);
    vm->name = sfo_store_col_str(res, row, col + 1);
    vm->cluster_id = sfo_store_col_str(res, row, col + 2);
    vm->os_type = sfo_store_col_str(res, row, col + 3);
    vm->bios_type =
        sfo_store_col_enum(res, row, col + 4, sfo_bios_type_from_string, SFO_BIOS_TYPE_UNSET);
    vm->status =
        sfo_store_col_enum(res, row, col + 5, sfo_vm_status_from_string, SFO_VM_STATUS_DOWN);
    vm->host_id = sfo_store_col_str(res, row, col + 6);
    return vm;
}

sfo_nic *
sfo_store_row_nic(const PGresult *res, int row, int col)
{
    sfo_nic *nic;

    if (PQgetisnull(res, row, col))
        return NULL;
    nic = g_new0(sfo_nic, 1);
    nic->id = sfo_store_col_str(res, row, col);
    nic->name = sfo_store_col_str(res, row, col + 1);
    nic->vm_id = sfo_store_col_str(res, row, col + 2);
    nic->vnic_profile_id = sfo_store_col_str(res, row, col + 3);
    nic->interface = sfo_store_col_enum(res, row, col + 4, sfo_nic_interface_from_string,
                                        SFO_NIC_INTERFACE_VIRTIO);
    nic->mac = sfo_store_col_str(res, row, col + 5);
    nic->plugged = sfo_store_col_bool(res, row, col + 6);
    nic->vf_address = sfo_store_col_str(res, row, col + 7);
    return nic;
}

sfo_host *
sfo_store_row_host(const PGresult *res, int row, int col)
{
    sfo_host *host;

    if (PQgetisnull(res, row, col))
        return NULL;
    host = g_new0(sfo_host, 1);
    host->id = sfo_store_col_str(res, row, col);
    host->name = sfo_store_col_str(res, row, col + 1);
    host->cluster_id = sfo_store_col_str(res, row, col + 2);
    host->network_ids = sfo_store_col_id_list(res, row, col + 3);
    host->libvirt_uri = sfo_store_col_str(res, row, col + 4);
    host->pfs = sfo_pf_list_new();
    return host;
}

sfo_data_center *
sfo_store_row_data_center(const PGresult *res, int row, int col)
{
    sfo_data_center *dc = g_new0(sfo_data_center, 1);

    dc->id = sfo_store_col_str(res, row, col);
    dc->name = sfo_store_col_str(res, row, col + 1);
    return dc;
}

sfo_pf *
sfo_store_row_pf(const PGresult *res, int row, int col)
{
    sfo_pf *pf = g_new0(sfo_pf, 1);

    pf->name = sfo_store_col_str(res, row, col);
    pf->address = sfo_store_col_str(res, row, col + 1);
    pf->network_ids = sfo_store_col_id_list(res, row, col + 2);
    pf->vfs = sfo_vf_list_new();
    return pf;
}

sfo_vf *
sfo_store_row_vf(const PGresult *res, int row, int col)
{
    sfo_vf *vf = g_new0(sfo_vf, 1);

    vf->address = sfo_store_col_str(res, row, col);
    vf->nic_id = sfo_store_col_str(res, row, col + 1);
    return vf;
}

/* ------------------------------------------------------------------------ */
/* Builder                                                                  */
/* ------------------------------------------------------------------------ */

void
sfo_store_builder_init(sfo_store_builder *b)
{
    guint i;

    b->inv = sfo_inventory_new();
    for (i = 0; i < G_N_ELEMENTS(b->ids); i++)
        b->ids[i] = g_hash_table_new(g_str_hash, g_str_equal);
}

void
sfo_store_builder_clear(sfo_store_builder *b)
{
    guint i;

    g_clear_pointer(&b->inv, sfo_inventory_free);
    for (i = 0; i < G_N_ELEMENTS(b->ids); i++)
        g_clear_pointer(&b->ids[i], g_hash_table_unref);
}

int
sfo_store_builder_finish(sfo_store_builder *b, sfo_inventory **ret_inventory)
{
    int r = sfo_inventory_index(b->inv);

    if (r < 0)
        return r;
    *ret_inventory = g_steal_pointer(&b->inv);
    return 0;
}

/*
 * Adds @obj (whose struct starts with its id) to @coll unless an object with
 * that id is there; returns the one kept.
 */
static gpointer
sfo_store_builder_add(sfo_store_builder *b, int coll, GPtrArray *objs, gpointer obj,
                      GDestroyNotify free_func)
{
    char *id = *(char **)obj;
    gpointer old = g_hash_table_lookup(b->ids[coll], id);

    if (old) {
        free_func(obj);
        return old;
    }
    g_ptr_array_add(objs, obj);
    g_hash_table_insert(b->ids[coll], id, obj);
    return obj;
}

sfo_vnic_profile *
sfo_store_builder_add_profile(sfo_store_builder *b, sfo_vnic_profile *p)
{
    return sfo_store_builder_add(b, SFO_STORE_COLL_PROFILES, b->inv->vnic_profiles, p,
                                 (GDestroyNotify)sfo_vnic_profile_free);
}

sfo_network *
sfo_store_builder_add_network(sfo_store_builder *b, sfo_network *net)
{
    return sfo_store_builder_add(b, SFO_STORE_COLL_NETWORKS, b->inv->networks, net,
                                 (GDestroyNotify)sfo_network_free);
}

sfo_cluster *
sfo_store_builder_add_cluster(sfo_store_builder *b, sfo_cluster *cl)
{
    return sfo_store_builder_add(b, SFO_STORE_COLL_CLUSTERS, b->inv->clusters, cl,
                                 (GDestroyNotify)sfo_cluster_free);
}

sfo_vm *
sfo_store_builder_add_vm(sfo_store_builder *b, sfo_vm *vm)
{
    return sfo_store_builder_add(b, SFO_STORE_COLL_VMS, b->inv->vms, vm,
                                 (GDestroyNotify)sfo_vm_free);
}

sfo_nic *
sfo_store_builder_add_nic(sfo_store_builder *b, sfo_nic *nic)
{
    return sfo_store_builder_add(b, SFO_STORE_COLL_NICS, b->inv->nics, nic,
                                 (GDestroyNotify)sfo_nic_free);
}

sfo_host *
sfo_store_builder_add_host(sfo_store_builder *b, sfo_host *host)
{
    return sfo_store_builder_add(b, SFO_STORE_COLL_HOSTS, b->inv->hosts, host,
                                 (GDestroyNotify)sfo_host_free);
}

/* ------------------------------------------------------------------------ */
/* Readers of results, and loaders (one statement, then its reader)         */
/* ------------------------------------------------------------------------ */

sfo_vnic_profile *
sfo_store_read_profile(sfo_store_builder *b, const PGresult *res)
{
    const int fcol = SFO_STORE_PROFILE_NCOLS + SFO_STORE_NETWORK_NCOLS;
    sfo_vnic_profile *p;
    sfo_network *net;

    if (PQntuples(res) == 0)
        return NULL;
    p = sfo_store_builder_add_profile(b, sfo_store_row_profile(res, 0, 0));
    if ((net = sfo_store_row_network(res, 0, SFO_STORE_PROFILE_NCOLS)))
        sfo_store_builder_add_network(b, net);
    /* with its failover profile and that one's network (PROFILE_WITH_FAILOVER_FOR_SHARE) */
    if (PQnfields(res) >= 2 * fcol) {
        sfo_vnic_profile *f = sfo_store_row_profile(res, 0, fcol);

        if (f)
            sfo_store_builder_add_profile(b, f);
        if ((net = sfo_store_row_network(res, 0, fcol + SFO_STORE_PROFILE_NCOLS)))
            sfo_store_builder_add_network(b, net);
    }
    return p;
}

void
sfo_store_read_network(sfo_store_builder *b, const PGresult *res)
{
    if (PQntuples(res) > 0)
        sfo_store_builder_add_network(b, sfo_store_row_network(res, 0, 0));
}

void
sfo_store_read_profiles(sfo_store_builder *b, const PGresult *res)
{
    int i;

    for (i = 0; i < PQntuples(res); i++)
        sfo_store_builder_add_profile(b, sfo_store_row_profile(res, i, 0));
}

void
sfo_store_read_nics_with_vms(sfo_store_builder *b, const PGresult *res)
{
    int i;

    for (i = 0; i < PQntuples(res); i++) {
        sfo_store_builder_add_nic(b, sfo_store_row_nic(res, i, 0));
        sfo_store_builder_add_vm(b, sfo_store_row_vm(res, i, SFO_STORE_NIC_NCOLS));
    }
}

void
sfo_store_read_nics_with_profiles(sfo_store_builder *b, const PGresult *res)
{
    int i;

    for (i = 0; i < PQntuples(res); i++) {
        sfo_vnic_profile *p = sfo_store_row_profile(res, i, SFO_STORE_NIC_NCOLS);

        sfo_store_builder_add_nic(b, sfo_store_row_nic(res, i, 0));
        if (p)
            sfo_store_builder_add_profile(b, p);
    }
}

sfo_vm *
sfo_store_read_vm(sfo_store_builder *b, const PGresult *res)
{
    sfo_vm *vm;

    if (PQntuples(res) == 0)
        return NULL;
    vm = sfo_store_builder_add_vm(b, sfo_store_row_vm(res, 0, 0));
    sfo_store_builder_add_cluster(b, sfo_store_row_cluster(res, 0, SFO_STORE_VM_NCOLS));
    return vm;
}

int
sfo_store_load_host(sfo_store *s, sfo_store_builder *b, const char *id)
{
    sfo_store_query q[] = {
        { SFO_STMT_HOST_GET, { id } },
        { SFO_STMT_HOST_PFS, { id } },
        { SFO_STMT_HOST_VFS, { id } },
    };
    g_autoptr(GHashTable) by_pf_id = g_hash_table_new(g_str_hash, g_str_equal);
    sfo_host *host;
    int i;

    if (g_hash_table_contains(b->ids[SFO_STORE_COLL_HOSTS], id))
        return 0;
    if (sfo_store_exec_pipeline(s, q, G_N_ELEMENTS(q)) < 0)
        return SFO_EDATABASE;
    if (PQntuples(q[0].res) > 0) {
        host = sfo_store_builder_add_host(b, sfo_store_row_host(q[0].res, 0, 0));
        for (i = 0; i < PQntuples(q[1].res); i++) {
            sfo_pf *pf = sfo_store_row_pf(q[1].res, i, 1);

            g_ptr_array_add(host->pfs, pf);
            g_hash_table_insert(by_pf_id, PQgetvalue(q[1].res, i, 0), pf);
        }
        for (i = 0; i < PQntuples(q[2].res); i++) {
            sfo_pf *pf = g_hash_table_lookup(by_pf_id, PQgetvalue(q[2].res, i, 0));

            g_ptr_array_add(pf->vfs, sfo_store_row_vf(q[2].res, i, 1));
        }
    }
    sfo_store_pipeline_clear(q, G_N_ELEMENTS(q));
    return 0;
}
