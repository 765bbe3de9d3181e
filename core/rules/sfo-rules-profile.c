/*
 * sfo-rules-profile.c: rules of vNIC profiles and their failover reference
 *
 * The failover rules follow oVirt's VnicProfileValidator (validFailoverId,
 * validateProfileNotUpdatedIfFailover, failoverNotChangedIfUsedByVms and
 * the passthrough/port-mirroring in-use checks); the data-center rule and
 * the remove guard close gaps oVirt leaves (research/ovirt.md §2).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "sfo-rules-priv.h"

const sfo_vnic_profile *
sfo_rules_profile_failover_target(const sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    if (!p->failover_id || g_strcmp0(p->failover_id, p->id) == 0)
        return NULL;
    return sfo_inventory_find_vnic_profile(ctx->inv, p->failover_id);
}

/*
 * What a failover target must be, one predicate per rule, shared by the rules
 * below and by sfo_rules_failover_candidate() (the profiles a front end offers).
 */

/* rule 2: a profile that is not passthrough */
static gboolean
sfo_rules_target_valid(const sfo_vnic_profile *target)
{
    return target && !target->pass_through;
}

/* rule 3: its network has no external provider */
static gboolean
sfo_rules_target_not_external(const sfo_inventory *inv, const sfo_vnic_profile *target)
{
    const sfo_network *net = sfo_inventory_find_network(inv, target->network_id);

    return !net || !net->external_provider_id;
}

/* rule 10: in @p's data center */
static gboolean
sfo_rules_target_same_data_center(const sfo_inventory *inv, const sfo_vnic_profile *p,
                                  const sfo_vnic_profile *target)
{
    const sfo_network *net = sfo_inventory_find_network(inv, p->network_id);
    const sfo_network *target_net = sfo_inventory_find_network(inv, target->network_id);

    return !net || !target_net || g_strcmp0(net->data_center_id, target_net->data_center_id) == 0;
}

/* rule 11, seen from the profile: every cluster with @p's network has the target's too */
static gboolean
sfo_rules_target_in_clusters(const sfo_inventory *inv, const sfo_vnic_profile *p,
                             const sfo_vnic_profile *target)
{
    guint i;

    for (i = 0; i < inv->clusters->len; i++) {
        const sfo_cluster *cl = g_ptr_array_index(inv->clusters, i);

        if (sfo_id_list_contains(cl->network_ids, p->network_id) &&
            !sfo_id_list_contains(cl->network_ids, target->network_id))
            return FALSE;
    }
    return TRUE;
}

gboolean
sfo_rules_failover_candidate(const sfo_inventory *inv, const sfo_vnic_profile *p,
                             const sfo_vnic_profile *target)
{
    return g_strcmp0(target->id, p->id) != 0 && sfo_rules_target_valid(target) &&
           sfo_rules_target_not_external(inv, target) &&
           sfo_rules_target_same_data_center(inv, p, target) &&
           sfo_rules_target_in_clusters(inv, p, target);
}

GPtrArray *
sfo_rules_failover_candidates(const sfo_inventory *inv, const sfo_vnic_profile *p)
{
    GPtrArray *ids = g_ptr_array_new();
    guint i;

    for (i = 0; i < inv->vnic_profiles->len; i++) {
        const sfo_vnic_profile *target = g_ptr_array_index(inv->vnic_profiles, i);

        if (sfo_rules_failover_candidate(inv, p, target))
            g_ptr_array_add(ids, target->id);
    }
    return ids;
}

/* The target when it is a valid one (exists, not passthrough, not @p): the rules on it run */
static const sfo_vnic_profile *
sfo_rules_profile_valid_target(const sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const sfo_vnic_profile *target = sfo_rules_profile_failover_target(ctx, p);

    return sfo_rules_target_valid(target) ? target : NULL;
}

void
sfo_rules_profile_network_exists(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    if (!p->network_id || sfo_inventory_find_network(ctx->inv, p->network_id))
        return;
    sfo_rules_report_profile(ctx, "ACTION_TYPE_FAILED_NETWORK_NOT_EXIST", p->id, p->name,
                             "networkId", p->network_id, NULL);
}

void
sfo_rules_profile_name_unique(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const GPtrArray *same_network = sfo_inventory_profiles_of_network(ctx->inv, p->network_id);
    guint i;

    for (i = 0; p->name && same_network && i < same_network->len; i++) {
        const sfo_vnic_profile *other = g_ptr_array_index(same_network, i);

        if (g_strcmp0(other->id, p->id) != 0 && g_strcmp0(other->name, p->name) == 0) {
            sfo_rules_report_profile(ctx, "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE", p->id,
                                     p->name, NULL);
            return;
        }
    }
}

void
sfo_rules_profile_failover_not_self(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    if (!p->failover_id || g_strcmp0(p->failover_id, p->id) != 0)
        return;
    sfo_rules_report_profile(ctx,
                             "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF",
                             p->id, p->name, NULL);
}

void
sfo_rules_profile_failover_valid(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const sfo_vnic_profile *target;

    /* pointing to itself is rule 1's */
    if (!p->failover_id || g_strcmp0(p->failover_id, p->id) == 0)
        return;
    target = sfo_rules_profile_failover_target(ctx, p);
    if (sfo_rules_target_valid(target))
        return;
    sfo_rules_report_profile(ctx, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID", p->id,
                             p->name, NULL);
}

void
sfo_rules_profile_failover_not_external(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const sfo_vnic_profile *target = sfo_rules_profile_valid_target(ctx, p);

    if (!target || sfo_rules_target_not_external(ctx->inv, target))
        return;
    sfo_rules_report_profile(
        ctx, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_NOT_SUPPORTED_WITH_EXTERNAL_NETWORK", p->id,
        p->name, NULL);
}

void
sfo_rules_profile_failover_needs_migratable_passthrough(sfo_rule_ctx *ctx,
                                                        const sfo_vnic_profile *p)
{
    if (!p->failover_id || (p->pass_through && p->migratable))
        return;
    sfo_rules_report_profile(
        ctx, "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH", p->id,
        p->name, NULL);
}

void
sfo_rules_profile_failover_same_data_center(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const sfo_vnic_profile *target = sfo_rules_profile_valid_target(ctx, p);

    if (!target || sfo_rules_target_same_data_center(ctx->inv, p, target))
        return;
    sfo_rules_report_profile(ctx,
                             "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_NOT_IN_SAME_DATA_CENTER",
                             p->id, p->name, "FailoverProfileName", target->name, NULL);
}

void
sfo_rules_profile_passthrough_properties(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    if (!p->pass_through || (!p->port_mirroring && !p->qos_id && !p->network_filter_id))
        return;
    sfo_rules_report_profile(
        ctx, "ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES", p->id,
        p->name, NULL);
}

void
sfo_rules_profile_state(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    sfo_rules_profile_network_exists(ctx, p);
    sfo_rules_profile_name_unique(ctx, p);
    /* oVirt's validFailoverId order */
    sfo_rules_profile_failover_not_self(ctx, p);
    sfo_rules_profile_failover_valid(ctx, p);
    sfo_rules_profile_failover_not_external(ctx, p);
    sfo_rules_profile_failover_needs_migratable_passthrough(ctx, p);
    sfo_rules_profile_failover_same_data_center(ctx, p);
    sfo_rules_profile_passthrough_properties(ctx, p);
}

/* ------------------------------------------------------------------------ */
/* Transitions: update and remove                                           */
/* ------------------------------------------------------------------------ */

const sfo_vnic_profile *
sfo_rules_profile_existing(sfo_rule_ctx *ctx, const char *id, const char *name)
{
    const sfo_vnic_profile *p = sfo_inventory_find_vnic_profile(ctx->inv, id);

    if (!p)
        sfo_rules_report_profile(ctx, "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", id, name, NULL);
    return p;
}

/* Names of the other profiles naming @p as failover; NULL when none */
static GPtrArray *
sfo_rules_profile_failover_users(const sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    const GPtrArray *referring = sfo_inventory_profiles_with_failover(ctx->inv, p->id);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    guint i;

    for (i = 0; referring && i < referring->len; i++) {
        const sfo_vnic_profile *other = g_ptr_array_index(referring, i);

        if (g_strcmp0(other->id, p->id) != 0)
            g_ptr_array_add(names, other->name ? other->name : other->id);
    }
    return names->len ? g_steal_pointer(&names) : NULL;
}

static void
sfo_rules_profile_failover_target_guard(sfo_rule_ctx *ctx, const char *key,
                                        const sfo_vnic_profile *p)
{
    g_autoptr(GPtrArray) users = sfo_rules_profile_failover_users(ctx, p);
    g_autofree char *list = NULL;
    g_autofree char *count = NULL;

    if (!users)
        return;
    count = g_strdup_printf("%u", users->len);
    list = sfo_rules_join_names(users, SFO_RULES_MAX_NAMES);
    sfo_rules_report_profile(ctx, key, p->id, p->name, "ENTITIES_USING_FAILOVER", list,
                             "ENTITIES_USING_FAILOVER_COUNTER", count, NULL);
}

void
sfo_rules_profile_update_not_failover_target(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    sfo_rules_profile_failover_target_guard(
        ctx, "ACTION_TYPE_FAILED_UPDATE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED", p);
}

void
sfo_rules_profile_remove_not_failover_target(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    sfo_rules_profile_failover_target_guard(
        ctx, "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED", p);
}

/*
 * oVirt's vnicProfileNotUsedByVms(): IN_ONE_USE or IN_MANY_USES naming the
 * distinct VMs with a NIC on profile @p (subject @p_id / @p_name).
 */
static void
sfo_rules_profile_report_used(sfo_rule_ctx *ctx, const char *p_id, const char *p_name)
{
    const GPtrArray *users = sfo_inventory_nics_with_profile(ctx->inv, p_id);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autofree char *list = NULL;
    g_autofree char *count = NULL;
    guint i;

    for (i = 0; users && i < users->len; i++) {
        const sfo_nic *nic = g_ptr_array_index(users, i);
        const sfo_vm *vm;

        if (!nic->vm_id || !g_hash_table_add(seen, nic->vm_id))
            continue;
        vm = sfo_inventory_find_vm(ctx->inv, nic->vm_id);
        g_ptr_array_add(names, vm && vm->name ? vm->name : nic->vm_id);
    }
    if (names->len == 0)
        return;
    count = g_strdup_printf("%u", names->len);
    list = sfo_rules_join_names(names, SFO_RULES_MAX_NAMES);
    sfo_rules_report_profile(
        ctx,
        names->len == 1 ? "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE"
                        : "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES",
        p_id, p_name, "entities", names->len == 1 ? "VAR__ENTITIES__VM" : "VAR__ENTITIES__VMS",
        "ENTITIES_USING_VNIC_PROFILE", list, "ENTITIES_USING_VNIC_PROFILE_COUNTER", count, NULL);
}

void
sfo_rules_profile_update_unchanged_while_used(sfo_rule_ctx *ctx, const sfo_vnic_profile *old_p,
                                              const sfo_vnic_profile *new_p)
{
    /* One report, however many of the three change: they share key and text */
    if (g_strcmp0(old_p->failover_id, new_p->failover_id) == 0 &&
        !old_p->pass_through == !new_p->pass_through &&
        !old_p->port_mirroring == !new_p->port_mirroring)
        return;
    sfo_rules_profile_report_used(ctx, new_p->id, new_p->name);
}

void
sfo_rules_profile_remove_not_used(sfo_rule_ctx *ctx, const sfo_vnic_profile *p)
{
    sfo_rules_profile_report_used(ctx, p->id, p->name);
}
