/*
 * sfo-rules-nic.c: rules of VM NICs, and of VMs at run and migration
 *
 * A "failover NIC" is a NIC whose profile names a failover profile; the
 * rules on it make sure the virtio standby can be built beside the VF
 * (cluster level, one standby alias per failover profile and VM, the
 * failover network reachable and on the same L2 segment, a PCIe machine,
 * a guest with a failover driver). oVirt checks only the cluster level,
 * and only on add/update; we check at hot plug, run and migration too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-rules-priv.h"

/* Ethernet MTU a network without one gets (VDSM's default) */
#define SFO_RULES_DEFAULT_MTU 1500

/*
 * Guest OS types (oVirt osinfo names) with a failover driver: Linux with
 * net_failover (merged in 4.17; oVirt documents RHEL 8's 4.18 as the
 * minimum), Windows with the virtio-win 0.1.189+ netkvm driver (assumed
 * installed on every Windows 10 / Server 2016 or later). The Linux entries
 * are the distributions whose *first* kernel has it: RHEL/RHCOS 8 and later
 * (4.18), Debian 10 (4.19), Ubuntu 20.04 (5.4); Ubuntu 18.04 (4.15) and
 * SLES 15 (4.12) shipped without it, so they warn, as does any unknown or
 * generic type ("other", "other_linux").
 */
static const char *const sfo_rules_failover_guest_os[] = {
    "rhel_8x64",    "rhel_9x64",       "rhel_10x64",      "rhcos_x64",
    "debian_10",    "debian_11",       "debian_12",       "ubuntu_20_04",
    "ubuntu_22_04", "ubuntu_24_04",    "windows_10",      "windows_10x64",
    "windows_11",   "windows_2016x64", "windows_2019x64", "windows_2022",
};

gboolean
sfo_rules_guest_os_supports_failover(const char *os_type)
{
    size_t i;

    for (i = 0; os_type && i < G_N_ELEMENTS(sfo_rules_failover_guest_os); i++) {
        if (g_str_equal(os_type, sfo_rules_failover_guest_os[i]))
            return TRUE;
    }
    return FALSE;
}

/* The profile of @nic when it names a failover profile, else NULL */
static const sfo_vnic_profile *
sfo_rules_nic_failover_profile(const sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vnic_profile *p = sfo_inventory_find_vnic_profile(ctx->inv, nic->vnic_profile_id);

    return p && p->failover_id ? p : NULL;
}

/* The network of the failover profile of @p (NULL when anything is missing) */
static const sfo_network *
sfo_rules_failover_network(const sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const sfo_vnic_profile *target = sfo_rules_profile_failover_target(ctx, p);

    return target ? sfo_inventory_find_network(ctx->inv, target->network_id) : NULL;
}

void
sfo_rules_nic_vm_exists(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    if (sfo_inventory_find_vm(ctx->inv, nic->vm_id))
        return;
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_VM_NOT_FOUND", nic, NULL);
}

void
sfo_rules_nic_profile_exists(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    if (!nic->vnic_profile_id || sfo_inventory_find_vnic_profile(ctx->inv, nic->vnic_profile_id))
        return;
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", nic, NULL);
}

void
sfo_rules_nic_type_matches_profile(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vnic_profile *p = sfo_inventory_find_vnic_profile(ctx->inv, nic->vnic_profile_id);

    /* oVirt: a NIC without a profile matches any type */
    if (!p || !p->pass_through == !(nic->interface == SFO_NIC_INTERFACE_PCI_PASSTHROUGH))
        return;
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE", nic, NULL);
}

void
sfo_rules_nic_mac_unique(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    /* MACs are normalised at load, so the index finds every holder of this one */
    const GPtrArray *same_mac = sfo_inventory_nics_with_mac(ctx->inv, nic->mac);
    guint i;

    for (i = 0; same_mac && i < same_mac->len; i++) {
        const sfo_nic *other = g_ptr_array_index(same_mac, i);
        const sfo_vm *vm;

        if (g_strcmp0(other->id, nic->id) == 0 ||
            !sfo_rules_nic_pair_reported_here(ctx, nic, other))
            continue;
        vm = sfo_inventory_find_vm(ctx->inv, other->vm_id);
        sfo_rules_report_nic(ctx, "NETWORK_MAC_ADDRESS_IN_USE", nic, "MacAddress", nic->mac,
                             "VmName", vm && vm->name ? vm->name : other->vm_id, NULL);
    }
}

void
sfo_rules_nic_failover_cluster_version(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vm *vm = sfo_inventory_find_vm(ctx->inv, nic->vm_id);
    const sfo_cluster *cluster = vm ? sfo_inventory_find_cluster(ctx->inv, vm->cluster_id) : NULL;

    if (!cluster || !sfo_rules_nic_failover_profile(ctx, nic))
        return;
    if (cluster->version_major > 4 || (cluster->version_major == 4 && cluster->version_minor >= 6))
        return;
    sfo_rules_report_nic(
        ctx,
        "ACTION_TYPE_FAILED_VM_INTERFACE_WITH_FAILOVER_IS_SUPPORTED_ONLY_IN_CLUSTER_4_6_AND_ABOVE",
        nic, NULL);
}

void
sfo_rules_nic_failover_unique_in_vm(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vnic_profile *p = sfo_rules_nic_failover_profile(ctx, nic);
    g_autoptr(GPtrArray) nics = NULL;
    const sfo_vnic_profile *target;
    guint i;

    if (!p || !nic->vm_id)
        return;
    target = sfo_inventory_find_vnic_profile(ctx->inv, p->failover_id);
    /* Every NIC of the VM, plugged or not: they clash (standby alias) once both are plugged */
    nics = sfo_inventory_nics_of_vm(ctx->inv, nic->vm_id);
    for (i = 0; nics && i < nics->len; i++) {
        const sfo_nic *other = g_ptr_array_index(nics, i);
        const sfo_vnic_profile *other_p;

        if (g_strcmp0(other->id, nic->id) == 0)
            continue;
        other_p = sfo_rules_nic_failover_profile(ctx, other);
        if (!other_p || g_strcmp0(other_p->failover_id, p->failover_id) != 0 ||
            !sfo_rules_nic_pair_reported_here(ctx, nic, other))
            continue;
        sfo_rules_report_nic(
            ctx, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE", nic,
            "FailoverProfileName", target && target->name ? target->name : p->failover_id,
            "InterfaceName", other->name ? other->name : other->id, NULL);
    }
}

void
sfo_rules_nic_failover_network_in_cluster(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vnic_profile *p = sfo_rules_nic_failover_profile(ctx, nic);
    const sfo_network *fo_net = p ? sfo_rules_failover_network(ctx, p) : NULL;
    const sfo_vm *vm = sfo_inventory_find_vm(ctx->inv, nic->vm_id);
    const sfo_cluster *cluster = vm ? sfo_inventory_find_cluster(ctx->inv, vm->cluster_id) : NULL;

    if (!fo_net || !cluster || sfo_id_list_contains(cluster->network_ids, fo_net->id))
        return;
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_NOT_ATTACHED_TO_CLUSTER", nic,
                         "NetworkName", fo_net->name, "ClusterName", cluster->name, NULL);
}

static char *
sfo_rules_vlan_string(int vlan_id)
{
    return vlan_id < 0 ? g_strdup("none") : g_strdup_printf("%d", vlan_id);
}

void
sfo_rules_nic_failover_vlan_matches(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vnic_profile *p = sfo_rules_nic_failover_profile(ctx, nic);
    const sfo_network *fo_net = p ? sfo_rules_failover_network(ctx, p) : NULL;
    const sfo_network *net = p ? sfo_inventory_find_network(ctx->inv, p->network_id) : NULL;
    g_autofree char *vlan = NULL;
    g_autofree char *fo_vlan = NULL;

    if (!net || !fo_net || (net->vlan_id < 0 && fo_net->vlan_id < 0) ||
        net->vlan_id == fo_net->vlan_id)
        return;
    vlan = sfo_rules_vlan_string(net->vlan_id);
    fo_vlan = sfo_rules_vlan_string(fo_net->vlan_id);
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_VLAN_MISMATCH", nic,
                         "NetworkName", net->name, "Vlan", vlan, "FailoverNetworkName",
                         fo_net->name, "FailoverVlan", fo_vlan, NULL);
}

void
sfo_rules_nic_failover_mtu_matches(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vnic_profile *p = sfo_rules_nic_failover_profile(ctx, nic);
    const sfo_network *fo_net = p ? sfo_rules_failover_network(ctx, p) : NULL;
    const sfo_network *net = p ? sfo_inventory_find_network(ctx->inv, p->network_id) : NULL;
    g_autofree char *mtu = NULL;
    g_autofree char *fo_mtu = NULL;
    int m;
    int fo_m;

    if (!net || !fo_net)
        return;
    m = net->mtu > 0 ? net->mtu : SFO_RULES_DEFAULT_MTU;
    fo_m = fo_net->mtu > 0 ? fo_net->mtu : SFO_RULES_DEFAULT_MTU;
    if (m == fo_m)
        return;
    mtu = g_strdup_printf("%d", m);
    fo_mtu = g_strdup_printf("%d", fo_m);
    sfo_rules_report_nic(ctx, "WARNING_FAILOVER_NETWORK_MTU_MISMATCH", nic, "NetworkName",
                         net->name, "Mtu", mtu, "FailoverNetworkName", fo_net->name, "FailoverMtu",
                         fo_mtu, NULL);
}

void
sfo_rules_nic_failover_guest_os(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vm *vm = sfo_inventory_find_vm(ctx->inv, nic->vm_id);

    if (!vm || !sfo_rules_nic_failover_profile(ctx, nic) ||
        sfo_rules_guest_os_supports_failover(vm->os_type))
        return;
    /* no os type is oVirt's default, "other" */
    sfo_rules_report_nic(ctx, "WARNING_FAILOVER_GUEST_OS_NOT_SUPPORTED", nic, "OsType",
                         vm->os_type ? vm->os_type : "other", NULL);
}

void
sfo_rules_nic_failover_pcie_machine(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    const sfo_vm *vm = sfo_inventory_find_vm(ctx->inv, nic->vm_id);
    sfo_bios_type bios;

    if (!vm || !sfo_rules_nic_failover_profile(ctx, nic))
        return;
    bios = sfo_vm_bios_type(ctx->inv, vm);
    if (sfo_bios_type_is_q35(bios))
        return;
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_FAILOVER_REQUIRES_PCIE_MACHINE", nic, "BiosType",
                         sfo_bios_type_to_string(bios), NULL);
}

/* TRUE when @host has @net_id attached, or (@vf_ok) one of its PFs serves it */
static gboolean
sfo_rules_host_has_network(const sfo_host *host, const char *net_id, gboolean vf_ok)
{
    guint i;

    if (sfo_id_list_contains(host->network_ids, net_id))
        return TRUE;
    for (i = 0; vf_ok && host->pfs && i < host->pfs->len; i++) {
        const sfo_pf *pf = g_ptr_array_index(host->pfs, i);

        if (sfo_id_list_contains(pf->network_ids, net_id))
            return TRUE;
    }
    return FALSE;
}

void
sfo_rules_nic_failover_networks_on_host(sfo_rule_ctx *ctx, const sfo_nic *nic, const sfo_host *host)
{
    const sfo_vnic_profile *p = sfo_rules_nic_failover_profile(ctx, nic);
    const sfo_network *fo_net = p ? sfo_rules_failover_network(ctx, p) : NULL;
    const sfo_network *net = p ? sfo_inventory_find_network(ctx->inv, p->network_id) : NULL;
    g_autoptr(GPtrArray) missing = g_ptr_array_new();
    g_autofree char *names = NULL;

    if (!p)
        return;
    /* The VF network: on the host or on one of its PFs; the failover network: a host bridge */
    if (net && !sfo_rules_host_has_network(host, net->id, TRUE))
        g_ptr_array_add(missing, net->name);
    if (fo_net && !sfo_rules_host_has_network(host, fo_net->id, FALSE))
        g_ptr_array_add(missing, fo_net->name);
    if (missing->len == 0)
        return;
    names = sfo_rules_join_names(missing, G_MAXUINT);
    sfo_rules_report_nic(ctx, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_MISSING_ON_HOST", nic,
                         "HostName", host->name ? host->name : host->id, "NetworkNames", names,
                         NULL);
}

void
sfo_rules_vm_passthrough_migratable(sfo_rule_ctx *ctx, const sfo_vm *vm)
{
    g_autoptr(GPtrArray) nics = sfo_inventory_nics_of_vm(ctx->inv, vm->id);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autofree char *list = NULL;
    guint i;

    for (i = 0; nics && i < nics->len; i++) {
        const sfo_nic *nic = g_ptr_array_index(nics, i);
        const sfo_vnic_profile *p;

        if (!nic->plugged)
            continue;
        p = sfo_inventory_find_vnic_profile(ctx->inv, nic->vnic_profile_id);
        if (p && p->pass_through && !p->migratable)
            g_ptr_array_add(names, nic->name ? nic->name : nic->id);
    }
    if (names->len == 0)
        return;
    list = sfo_rules_join_names(names, G_MAXUINT);
    sfo_rules_report_vm(
        ctx, "ACTION_TYPE_FAILED_MIGRATION_OF_NON_MIGRATABLE_PASSTHROUGH_VNICS_IS_NOT_SUPPORTED",
        vm->id, vm->name, "vmName", vm->name ? vm->name : vm->id, "interfaces", list, NULL);
}

void
sfo_rules_nic_failover(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    sfo_rules_nic_failover_cluster_version(ctx, nic);
    sfo_rules_nic_failover_unique_in_vm(ctx, nic);
    sfo_rules_nic_failover_network_in_cluster(ctx, nic);
    sfo_rules_nic_failover_vlan_matches(ctx, nic);
    sfo_rules_nic_failover_mtu_matches(ctx, nic);
    sfo_rules_nic_failover_guest_os(ctx, nic);
    sfo_rules_nic_failover_pcie_machine(ctx, nic);
}

void
sfo_rules_nic_state(sfo_rule_ctx *ctx, const sfo_nic *nic)
{
    sfo_rules_nic_vm_exists(ctx, nic);
    sfo_rules_nic_profile_exists(ctx, nic);
    sfo_rules_nic_type_matches_profile(ctx, nic);
    sfo_rules_nic_mac_unique(ctx, nic);
    sfo_rules_nic_failover(ctx, nic);
}
