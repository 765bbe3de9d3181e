/*
 * sfo-model.c: inventory objects, lookups and enum tables
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-model.h"

SFO_ENUM_IMPL(sfo_bios_type, SFO_BIOS_TYPE_LAST, "cluster_default", "i440fx_sea_bios",
              "q35_sea_bios", "q35_ovmf", "q35_secure_boot");

SFO_ENUM_IMPL(sfo_nic_interface, SFO_NIC_INTERFACE_LAST, "virtio", "pci_passthrough", "e1000",
              "e1000e", "rtl8139", "spapr_vlan");

SFO_ENUM_IMPL(sfo_network_link, SFO_NETWORK_LINK_LAST, "", "bridge", "macvtap", "hostdev");

SFO_ENUM_IMPL(sfo_vm_status, SFO_VM_STATUS_LAST, "down", "up", "powering_up", "paused", "migrating",
              "suspended");

enum {
    SFO_COLL_DATA_CENTERS,
    SFO_COLL_CLUSTERS,
    SFO_COLL_NETWORKS,
    SFO_COLL_VNIC_PROFILES,
    SFO_COLL_VMS,
    SFO_COLL_NICS,
    SFO_COLL_HOSTS,
};

void
sfo_data_center_free(sfo_data_center *dc)
{
    if (!dc)
        return;
    g_free(dc->id);
    g_free(dc->name);
    g_free(dc);
}

void
sfo_cluster_free(sfo_cluster *cluster)
{
    if (!cluster)
        return;
    g_free(cluster->id);
    g_free(cluster->name);
    g_free(cluster->data_center_id);
    if (cluster->network_ids)
        g_ptr_array_unref(cluster->network_ids);
    g_free(cluster);
}

void
sfo_network_free(sfo_network *net)
{
    if (!net)
        return;
    g_free(net->id);
    g_free(net->name);
    g_free(net->data_center_id);
    g_free(net->external_provider_id);
    g_free(net->bridge);
    g_free(net->libvirt_network);
    g_free(net);
}

void
sfo_vnic_profile_free(sfo_vnic_profile *profile)
{
    if (!profile)
        return;
    g_free(profile->id);
    g_free(profile->name);
    g_free(profile->network_id);
    g_free(profile->failover_id);
    g_free(profile->qos_id);
    g_free(profile->network_filter_id);
    g_free(profile);
}

void
sfo_vm_free(sfo_vm *vm)
{
    if (!vm)
        return;
    g_free(vm->id);
    g_free(vm->name);
    g_free(vm->cluster_id);
    g_free(vm->os_type);
    g_free(vm->host_id);
    g_free(vm);
}

void
sfo_nic_free(sfo_nic *nic)
{
    if (!nic)
        return;
    g_free(nic->id);
    g_free(nic->name);
    g_free(nic->vm_id);
    g_free(nic->vnic_profile_id);
    g_free(nic->mac);
    g_free(nic->vf_address);
    g_free(nic);
}

static void
sfo_vf_free(sfo_vf *vf)
{
    if (!vf)
        return;
    g_free(vf->address);
    g_free(vf->nic_id);
    g_free(vf);
}

static void
sfo_pf_free(sfo_pf *pf)
{
    if (!pf)
        return;
    g_free(pf->name);
    g_free(pf->address);
    if (pf->network_ids)
        g_ptr_array_unref(pf->network_ids);
    if (pf->vfs)
        g_ptr_array_unref(pf->vfs);
    g_free(pf);
}

void
sfo_host_free(sfo_host *host)
{
    if (!host)
        return;
    g_free(host->id);
    g_free(host->name);
    g_free(host->cluster_id);
    g_free(host->libvirt_uri);
    if (host->network_ids)
        g_ptr_array_unref(host->network_ids);
    if (host->pfs)
        g_ptr_array_unref(host->pfs);
    g_free(host);
}

GPtrArray *
sfo_pf_list_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)sfo_pf_free);
}

GPtrArray *
sfo_vf_list_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)sfo_vf_free);
}

static void sfo_index_unref(GHashTable *index);

sfo_inventory *
sfo_inventory_new(void)
{
    sfo_inventory *inv = g_new0(sfo_inventory, 1);
    guint i;

    inv->data_centers = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_data_center_free);
    inv->clusters = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_cluster_free);
    inv->networks = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_network_free);
    inv->vnic_profiles = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_vnic_profile_free);
    inv->vms = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_vm_free);
    inv->nics = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_nic_free);
    inv->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_host_free);
    for (i = 0; i < G_N_ELEMENTS(inv->by_id); i++)
        inv->by_id[i] = g_hash_table_new(g_str_hash, g_str_equal);
    return inv;
}

void
sfo_inventory_free(sfo_inventory *inv)
{
    guint i;

    if (!inv)
        return;
    for (i = 0; i < G_N_ELEMENTS(inv->by_id); i++)
        g_hash_table_unref(inv->by_id[i]);
    sfo_index_unref(inv->nics_by_vm);
    sfo_index_unref(inv->nics_by_mac);
    sfo_index_unref(inv->nics_by_profile);
    sfo_index_unref(inv->profiles_by_failover);
    sfo_index_unref(inv->profiles_by_network);
    g_ptr_array_unref(inv->hosts);
    g_ptr_array_unref(inv->nics);
    g_ptr_array_unref(inv->vms);
    g_ptr_array_unref(inv->vnic_profiles);
    g_ptr_array_unref(inv->networks);
    g_ptr_array_unref(inv->clusters);
    g_ptr_array_unref(inv->data_centers);
    g_free(inv);
}

static gpointer
sfo_inventory_find(const sfo_inventory *inv, int coll, const char *id)
{
    if (!inv || !id)
        return NULL;
    return g_hash_table_lookup(inv->by_id[coll], id);
}

sfo_data_center *
sfo_inventory_find_data_center(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_DATA_CENTERS, id);
}

sfo_cluster *
sfo_inventory_find_cluster(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_CLUSTERS, id);
}

sfo_network *
sfo_inventory_find_network(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_NETWORKS, id);
}

sfo_vnic_profile *
sfo_inventory_find_vnic_profile(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_VNIC_PROFILES, id);
}

sfo_vm *
sfo_inventory_find_vm(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_VMS, id);
}

sfo_nic *
sfo_inventory_find_nic(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_NICS, id);
}

sfo_host *
sfo_inventory_find_host(const sfo_inventory *inv, const char *id)
{
    return sfo_inventory_find(inv, SFO_COLL_HOSTS, id);
}

sfo_vnic_profile *
sfo_inventory_failover_of(const sfo_inventory *inv, const sfo_vnic_profile *profile)
{
    if (!profile || !profile->failover_id)
        return NULL;
    return sfo_inventory_find_vnic_profile(inv, profile->failover_id);
}

gboolean
sfo_bios_type_is_q35(sfo_bios_type type)
{
    switch (type) {
    case SFO_BIOS_TYPE_UNSET:
    case SFO_BIOS_TYPE_Q35_SEA_BIOS:
    case SFO_BIOS_TYPE_Q35_OVMF:
    case SFO_BIOS_TYPE_Q35_SECURE_BOOT:
        return TRUE;
    case SFO_BIOS_TYPE_I440FX_SEA_BIOS:
    case SFO_BIOS_TYPE_LAST:
    default:
        return FALSE;
    }
}

sfo_bios_type
sfo_vm_bios_type(const sfo_inventory *inv, const sfo_vm *vm)
{
    const sfo_cluster *cluster;

    if (vm->bios_type != SFO_BIOS_TYPE_UNSET)
        return vm->bios_type;
    cluster = sfo_inventory_find_cluster(inv, vm->cluster_id);
    if (cluster && cluster->bios_type != SFO_BIOS_TYPE_UNSET)
        return cluster->bios_type;
    return SFO_BIOS_TYPE_Q35_SEA_BIOS;
}

GPtrArray *
sfo_inventory_nics_of_vm(const sfo_inventory *inv, const char *vm_id)
{
    GPtrArray *nics = g_ptr_array_new();
    const GPtrArray *indexed =
        inv->nics_by_vm && vm_id ? g_hash_table_lookup(inv->nics_by_vm, vm_id) : NULL;
    guint i;

    for (i = 0; indexed && i < indexed->len; i++)
        g_ptr_array_add(nics, g_ptr_array_index(indexed, i));
    return nics;
}

gboolean
sfo_id_list_contains(const GPtrArray *ids, const char *id)
{
    guint i;

    if (!ids || !id)
        return FALSE;
    for (i = 0; i < ids->len; i++) {
        if (g_str_equal(g_ptr_array_index(ids, i), id))
            return TRUE;
    }
    return FALSE;
}

static void
sfo_index_add(GHashTable *index, const char *key, gpointer obj)
{
    GPtrArray *list;

    if (!key)
        return;
    list = g_hash_table_lookup(index, key);
    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(index, (gpointer)key, list);
    }
    g_ptr_array_add(list, obj);
}

static GHashTable *
sfo_index_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
}

static void
sfo_index_unref(GHashTable *index)
{
    if (index)
        g_hash_table_unref(index);
}

static int
sfo_inventory_index_ids(GHashTable *table, GPtrArray *objs, const char *collection)
{
    guint i;

    g_hash_table_remove_all(table);
    for (i = 0; i < objs->len; i++) {
        /* every object struct starts with its id */
        char *id = *(char **)g_ptr_array_index(objs, i);

        if (!g_hash_table_insert(table, id, g_ptr_array_index(objs, i))) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_DUPLICATE_ID,
                             "%s[%u].id: id '%s' is used twice in %s", collection, i, id,
                             collection);
            return SFO_EINVALID;
        }
    }
    return 0;
}

int
sfo_inventory_index(sfo_inventory *inv)
{
    GPtrArray *colls[] = { inv->data_centers, inv->clusters, inv->networks, inv->vnic_profiles,
                           inv->vms,          inv->nics,     inv->hosts };
    static const char *const names[] = { "data_centers", "clusters", "networks", "vnic_profiles",
                                         "vms",          "nics",     "hosts" };
    guint i;

    G_STATIC_ASSERT(G_N_ELEMENTS(colls) == G_N_ELEMENTS(inv->by_id));
    for (i = 0; i < G_N_ELEMENTS(colls); i++) {
        if (sfo_inventory_index_ids(inv->by_id[i], colls[i], names[i]) < 0)
            return SFO_EINVALID;
    }

    sfo_index_unref(inv->nics_by_vm);
    sfo_index_unref(inv->nics_by_mac);
    sfo_index_unref(inv->nics_by_profile);
    sfo_index_unref(inv->profiles_by_failover);
    sfo_index_unref(inv->profiles_by_network);
    inv->nics_by_vm = sfo_index_new();
    inv->nics_by_mac = sfo_index_new();
    inv->nics_by_profile = sfo_index_new();
    inv->profiles_by_failover = sfo_index_new();
    inv->profiles_by_network = sfo_index_new();
    for (i = 0; i < inv->nics->len; i++) {
        sfo_nic *nic = g_ptr_array_index(inv->nics, i);

        sfo_index_add(inv->nics_by_vm, nic->vm_id, nic);
        sfo_index_add(inv->nics_by_mac, nic->mac, nic);
        sfo_index_add(inv->nics_by_profile, nic->vnic_profile_id, nic);
    }
    for (i = 0; i < inv->vnic_profiles->len; i++) {
        sfo_vnic_profile *profile = g_ptr_array_index(inv->vnic_profiles, i);

        sfo_index_add(inv->profiles_by_failover, profile->failover_id, profile);
        sfo_index_add(inv->profiles_by_network, profile->network_id, profile);
    }
    return 0;
}

static const GPtrArray *
sfo_index_lookup(GHashTable *index, const char *key)
{
    if (!index || !key)
        return NULL;
    return g_hash_table_lookup(index, key);
}

const GPtrArray *
sfo_inventory_nics_with_mac(const sfo_inventory *inv, const char *mac)
{
    return sfo_index_lookup(inv->nics_by_mac, mac);
}

const GPtrArray *
sfo_inventory_nics_with_profile(const sfo_inventory *inv, const char *profile_id)
{
    return sfo_index_lookup(inv->nics_by_profile, profile_id);
}

const GPtrArray *
sfo_inventory_profiles_of_network(const sfo_inventory *inv, const char *network_id)
{
    return sfo_index_lookup(inv->profiles_by_network, network_id);
}

const GPtrArray *
sfo_inventory_profiles_with_failover(const sfo_inventory *inv, const char *failover_id)
{
    return sfo_index_lookup(inv->profiles_by_failover, failover_id);
}
