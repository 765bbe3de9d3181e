/*
 * sfo-plan.c: building plans of hot plug, unplug and migration steps
 *
 * Pure: inventory and action in, steps out (sfo-plan.h). The orders, and
 * why they differ from oVirt's, are in docs/sequencer.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "domxml/sfo-domxml.h"
#include "rules/sfo-rules.h"
#include "sfo-plan.h"

SFO_ENUM_IMPL(sfo_plan_op, SFO_PLAN_OP_LAST, "attach", "detach", "wait-removed", "reserve-vf",
              "release-vf", "migrate", "save", "restore", "snapshot", "start");
SFO_ENUM_IMPL(sfo_plan_role, SFO_PLAN_ROLE_LAST, "source", "destination");
SFO_ENUM_IMPL(sfo_plan_device, SFO_PLAN_DEVICE_LAST, "", "vf", "standby", "nic");
SFO_ENUM_IMPL(sfo_plan_action_name, SFO_PLAN_ACTION_LAST, "plug", "unplug", "migrate",
              "migrate-offline", "save", "restore", "snapshot", "run");

/*
 * ${action} of the violations of each sfo_plan_action: catalogue keys (oVirt's
 * VAR__ACTION__* verbs where it has one)
 */
static const char *const sfo_plan_verbs[] = {
    "VAR__ACTION__HOT_PLUG", "VAR__ACTION__HOT_UNPLUG", "VAR__ACTION__MIGRATE",
    "VAR__ACTION__MIGRATE",  "VAR__ACTION__HIBERNATE",  "VAR__ACTION__RUN",
    "VAR__ACTION__SNAPSHOT", "VAR__ACTION__RUN",
};
G_STATIC_ASSERT(G_N_ELEMENTS(sfo_plan_verbs) == SFO_PLAN_ACTION_LAST);

/* Violation keys of the plan's own preconditions (ui-strings/AppErrors.properties) */
#define SFO_PLAN_KEY_VM_IS_NOT_RUNNING "ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING"
#define SFO_PLAN_KEY_MIGRATION_TO_SAME_HOST "ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST"

struct sfo_planner {
    const sfo_inventory *inv;
    unsigned int flags;
    GHashTable *taken; /* "host id\nVF address" of the VFs earlier plans reserved */
};

typedef struct {
    sfo_planner *planner;
    sfo_plan *plan;
    const sfo_vm *vm;
    const char *verb;
    GPtrArray *reserved; /* char *: keys this plan reserves, into planner->taken on success */
} sfo_plan_ctx;

int
sfo_plan_action_from_string(const char *name)
{
    int action = sfo_plan_action_name_from_string(name);

    if (action < 0) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "unknown plan action '%s'",
                         name ? name : "(null)");
        return SFO_EINVALID;
    }
    return action;
}

const char *
sfo_plan_action_to_string(int action)
{
    return sfo_plan_action_name_to_string(action);
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */
/* ------------------------------------------------------------------------ */

sfo_plan_step *
sfo_plan_step_new(sfo_plan_op op)
{
    sfo_plan_step *step = g_new0(sfo_plan_step, 1);

    step->op = op;
    step->index = -1;
    step->undoes = -1;
    return step;
}

sfo_plan_step *
sfo_plan_step_copy(const sfo_plan_step *step)
{
    sfo_plan_step *copy = g_new0(sfo_plan_step, 1);

    *copy = *step;
    copy->host_id = g_strdup(step->host_id);
    copy->vm_id = g_strdup(step->vm_id);
    copy->domain = g_strdup(step->domain);
    copy->nic_id = g_strdup(step->nic_id);
    copy->alias = g_strdup(step->alias);
    copy->mac = g_strdup(step->mac);
    copy->vf_address = g_strdup(step->vf_address);
    copy->destination_host_id = g_strdup(step->destination_host_id);
    copy->xml = g_strdup(step->xml);
    return copy;
}

void
sfo_plan_step_free(sfo_plan_step *step)
{
    if (!step)
        return;
    g_free(step->host_id);
    g_free(step->vm_id);
    g_free(step->domain);
    g_free(step->nic_id);
    g_free(step->alias);
    g_free(step->mac);
    g_free(step->vf_address);
    g_free(step->destination_host_id);
    g_free(step->xml);
    g_free(step);
}

sfo_plan *
sfo_plan_new(int action)
{
    sfo_plan *plan = g_new0(sfo_plan, 1);

    plan->action = action;
    plan->steps = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_plan_step_free);
    plan->undo = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_plan_step_free);
    plan->violations = sfo_violations_new();
    return plan;
}

void
sfo_plan_free(sfo_plan *plan)
{
    if (!plan)
        return;
    g_free(plan->vm_id);
    g_free(plan->nic_id);
    g_free(plan->host_id);
    g_ptr_array_unref(plan->steps);
    g_ptr_array_unref(plan->undo);
    sfo_violations_free(plan->violations);
    g_free(plan);
}

int
sfo_plan_commit_index(const sfo_plan *plan)
{
    guint i;

    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];

        if (step->commit)
            return (int)i;
    }
    return -1;
}

size_t
sfo_plan_step_count(const sfo_plan *plan)
{
    return plan ? plan->steps->len : 0;
}

size_t
sfo_plan_undo_count(const sfo_plan *plan)
{
    return plan ? plan->undo->len : 0;
}

const sfo_violations *
sfo_plan_violations(const sfo_plan *plan)
{
    return plan ? plan->violations : NULL;
}

int
sfo_plan_is_refused(const sfo_plan *plan)
{
    return plan && sfo_violations_error_count(plan->violations) > 0;
}

sfo_planner *
sfo_planner_new(const sfo_inventory *inv, unsigned int flags)
{
    sfo_planner *planner = g_new0(sfo_planner, 1);

    planner->inv = inv;
    planner->flags = flags;
    planner->taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return planner;
}

void
sfo_planner_free(sfo_planner *planner)
{
    if (!planner)
        return;
    g_hash_table_unref(planner->taken);
    g_free(planner);
}

/* ------------------------------------------------------------------------ */
/* Steps                                                                    */
/* ------------------------------------------------------------------------ */

static sfo_plan_step *
sfo_plan_add(sfo_plan_ctx *ctx, sfo_plan_op op, sfo_plan_role role, const char *host_id)
{
    sfo_plan_step *step = sfo_plan_step_new(op);

    step->index = (int)ctx->plan->steps->len;
    step->role = role;
    step->host_id = g_strdup(host_id);
    step->vm_id = g_strdup(ctx->vm->id);
    step->domain = g_strdup(ctx->vm->name);
    g_ptr_array_add(ctx->plan->steps, step);
    return step;
}

/* The alias of a NIC part: ua-<nic id>, or ua-<failover profile id> for the standby */
static char *
sfo_plan_alias(const sfo_nic *nic, const sfo_domxml_nic_info *info, sfo_domxml_part part)
{
    if (part == SFO_DOMXML_PART_STANDBY)
        return g_strconcat("ua-", info->failover->id, NULL);
    return g_strconcat("ua-", nic->id, NULL);
}

/* The domxml flags of @plan's emulation: none, user-mode networking, or on the bridges */
static unsigned int
sfo_plan_domxml_flags(const sfo_plan *plan)
{
    if (!(plan->flags & SFO_PLAN_EMULATED))
        return 0;
    if (plan->flags & SFO_PLAN_EMULATED_BRIDGE)
        return SFO_DOMXML_EMULATED | SFO_DOMXML_EMULATED_BRIDGE;
    return SFO_DOMXML_EMULATED;
}

static sfo_plan_device
sfo_plan_device_of(const sfo_domxml_nic_info *info, sfo_domxml_part part)
{
    if (part == SFO_DOMXML_PART_STANDBY)
        return SFO_PLAN_DEVICE_STANDBY;
    return info->kind == SFO_DOMXML_NIC_VF ? SFO_PLAN_DEVICE_VF : SFO_PLAN_DEVICE_NIC;
}

/* attach or detach (with the XML that undoes it) of one interface of @nic */
static int
sfo_plan_add_interface(sfo_plan_ctx *ctx, sfo_plan_op op, const sfo_nic *nic, sfo_domxml_part part,
                       sfo_plan_role role, const char *host_id, const char *vf_address)
{
    const sfo_inventory *inv = ctx->planner->inv;
    unsigned int dflags = sfo_plan_domxml_flags(ctx->plan);
    g_autofree char *xml = NULL;
    sfo_domxml_nic_info info;
    sfo_plan_step *step;
    int rc;

    sfo_domxml_nic_shape(inv, nic, &info);
    if ((rc = sfo_domxml_format_nic_part(inv, nic, part, vf_address, dflags, &xml)) <= 0)
        return rc;
    step = sfo_plan_add(ctx, op, role, host_id);
    step->nic_id = g_strdup(nic->id);
    step->device = sfo_plan_device_of(&info, part);
    step->alias = sfo_plan_alias(nic, &info, part);
    step->mac = g_strdup(nic->mac);
    /* the VF the XML names (a hostdev pool picks its own; an emulated VF has none) */
    if (step->device == SFO_PLAN_DEVICE_VF && !(ctx->plan->flags & SFO_PLAN_EMULATED) &&
        info.network->link != SFO_NETWORK_LINK_LIBVIRT_HOSTDEV)
        step->vf_address = g_strdup(vf_address ? vf_address : nic->vf_address);
    step->xml = g_steal_pointer(&xml);
    return 0;
}

/* wait-removed after the detach @detach */
static void
sfo_plan_add_wait(sfo_plan_ctx *ctx, const sfo_plan_step *detach)
{
    sfo_plan_step *step =
        sfo_plan_add(ctx, SFO_PLAN_OP_WAIT_REMOVED, detach->role, detach->host_id);

    step->nic_id = g_strdup(detach->nic_id);
    step->device = detach->device;
    step->alias = g_strdup(detach->alias);
    step->mac = g_strdup(detach->mac);
}

static void
sfo_plan_add_vf_hold(sfo_plan_ctx *ctx, sfo_plan_op op, const sfo_nic *nic, sfo_plan_role role,
                     const char *host_id, const char *vf_address)
{
    sfo_plan_step *step = sfo_plan_add(ctx, op, role, host_id);

    step->nic_id = g_strdup(nic->id);
    step->device = SFO_PLAN_DEVICE_VF;
    step->vf_address = g_strdup(vf_address);
}

/* ------------------------------------------------------------------------ */
/* VF choice                                                                */
/* ------------------------------------------------------------------------ */

static char *
sfo_plan_vf_key(const char *host_id, const char *vf_address)
{
    return g_strconcat(host_id, "\n", vf_address, NULL);
}

static gboolean
sfo_plan_vf_taken(sfo_plan_ctx *ctx, const char *key)
{
    guint i;

    if (g_hash_table_contains(ctx->planner->taken, key))
        return TRUE;
    for (i = 0; i < ctx->reserved->len; i++) {
        if (strcmp(ctx->reserved->pdata[i], key) == 0)
            return TRUE;
    }
    return FALSE;
}

/*
 * The first free VF on @host of a PF serving network @net_id that no plan
 * of this planner reserved yet; NULL when there is none. Reserved by this
 * plan on return.
 */
static const char *
sfo_plan_pick_vf(sfo_plan_ctx *ctx, const sfo_host *host, const char *net_id)
{
    guint p;
    guint v;

    for (p = 0; host->pfs && p < host->pfs->len; p++) {
        const sfo_pf *pf = host->pfs->pdata[p];

        if (!sfo_id_list_contains(pf->network_ids, net_id))
            continue;
        for (v = 0; pf->vfs && v < pf->vfs->len; v++) {
            const sfo_vf *vf = pf->vfs->pdata[v];
            g_autofree char *key = NULL;

            if (vf->nic_id)
                continue;
            key = sfo_plan_vf_key(host->id, vf->address);
            if (sfo_plan_vf_taken(ctx, key))
                continue;
            g_ptr_array_add(ctx->reserved, g_steal_pointer(&key));
            return vf->address;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Plans per action                                                         */
/* ------------------------------------------------------------------------ */

/* The plugged VF NICs of @vm, in domain order */
static GPtrArray *
sfo_plan_vf_nics(const sfo_inventory *inv, const sfo_vm *vm)
{
    g_autoptr(GPtrArray) nics = sfo_inventory_nics_of_vm(inv, vm->id);
    GPtrArray *vfs = g_ptr_array_new();
    guint i;

    g_ptr_array_sort(nics, sfo_domxml_nic_compare);
    for (i = 0; i < nics->len; i++) {
        const sfo_nic *nic = nics->pdata[i];
        sfo_domxml_nic_info info;

        sfo_domxml_nic_shape(inv, nic, &info);
        if (nic->plugged && info.kind == SFO_DOMXML_NIC_VF)
            g_ptr_array_add(vfs, (gpointer)nic);
    }
    return vfs;
}

static const sfo_network *
sfo_plan_nic_network(const sfo_inventory *inv, const sfo_nic *nic)
{
    sfo_domxml_nic_info info;

    sfo_domxml_nic_shape(inv, nic, &info);
    return info.network;
}

static void
sfo_plan_no_suitable_vf(sfo_plan_ctx *ctx, const sfo_nic *nic, const sfo_host *host)
{
    const sfo_network *net = sfo_plan_nic_network(ctx->planner->inv, nic);

    sfo_rules_report_nic_violation(
        ctx->planner->inv, ctx->plan->violations, ctx->verb, SFO_PLAN_KEY_NO_SUITABLE_VF, nic,
        "NetworkName", net ? net->name : "", "HostName", host->name ? host->name : host->id, NULL);
}

/*
 * plug: the standby first, then the VF. QEMU hides a primary only when its
 * standby already exists, so the guest never sees a bare VF that it cannot
 * pair; oVirt plugs the VF first.
 */
static int
sfo_plan_plug(sfo_plan_ctx *ctx, const sfo_nic *nic)
{
    const sfo_inventory *inv = ctx->planner->inv;
    const char *host_id = ctx->vm->host_id;
    const sfo_host *host = sfo_inventory_find_host(inv, host_id);
    const char *vf = nic->vf_address;
    sfo_domxml_nic_info info;
    gboolean reserve = FALSE;
    int rc;

    sfo_rules_validate_nic(inv, SFO_ACTION_PLUG_NIC, nic, ctx->plan->violations);
    sfo_domxml_nic_shape(inv, nic, &info);
    if (!host || info.kind == SFO_DOMXML_NIC_NONE)
        return 0; /* runs nowhere (or nothing to plug): no libvirt step */
    if (info.kind == SFO_DOMXML_NIC_VF && !vf) {
        if (!(vf = sfo_plan_pick_vf(ctx, host, info.network->id)))
            sfo_plan_no_suitable_vf(ctx, nic, host);
        reserve = TRUE;
    }
    if (sfo_violations_error_count(ctx->plan->violations) > 0)
        return 0;

    if (reserve)
        sfo_plan_add_vf_hold(ctx, SFO_PLAN_OP_RESERVE_VF, nic, SFO_PLAN_ROLE_SOURCE, host_id, vf);
    if (info.failover &&
        (rc = sfo_plan_add_interface(ctx, SFO_PLAN_OP_ATTACH, nic, SFO_DOMXML_PART_STANDBY,
                                     SFO_PLAN_ROLE_SOURCE, host_id, NULL)) < 0)
        return rc;
    if ((rc = sfo_plan_add_interface(ctx, SFO_PLAN_OP_ATTACH, nic, SFO_DOMXML_PART_NIC,
                                     SFO_PLAN_ROLE_SOURCE, host_id, vf)) < 0)
        return rc;
    if (reserve)
        sfo_plan_add_vf_hold(ctx, SFO_PLAN_OP_RELEASE_VF, nic, SFO_PLAN_ROLE_SOURCE, host_id, vf);
    return 0;
}

/*
 * unplug: the VF first, wait until libvirt reports it removed, then the
 * standby (removing the standby also removes the guest's failover master).
 */
static int
sfo_plan_unplug(sfo_plan_ctx *ctx, const sfo_nic *nic)
{
    const sfo_inventory *inv = ctx->planner->inv;
    const char *host_id = ctx->vm->host_id;
    sfo_domxml_nic_info info;
    int rc;

    sfo_domxml_nic_shape(inv, nic, &info);
    if (!sfo_inventory_find_host(inv, host_id) || info.kind == SFO_DOMXML_NIC_NONE)
        return 0;
    if ((rc = sfo_plan_add_interface(ctx, SFO_PLAN_OP_DETACH, nic, SFO_DOMXML_PART_NIC,
                                     SFO_PLAN_ROLE_SOURCE, host_id, NULL)) < 0)
        return rc;
    sfo_plan_add_wait(ctx, g_ptr_array_index(ctx->plan->steps, ctx->plan->steps->len - 1));
    if (!info.failover)
        return 0;
    if ((rc = sfo_plan_add_interface(ctx, SFO_PLAN_OP_DETACH, nic, SFO_DOMXML_PART_STANDBY,
                                     SFO_PLAN_ROLE_SOURCE, host_id, NULL)) < 0)
        return rc;
    sfo_plan_add_wait(ctx, g_ptr_array_index(ctx->plan->steps, ctx->plan->steps->len - 1));
    return 0;
}

/* Detach every VF of @nics on the source, then wait for each: the guest ejects them in parallel */
static int
sfo_plan_unplug_vfs(sfo_plan_ctx *ctx, GPtrArray *nics)
{
    guint first = ctx->plan->steps->len;
    guint i;
    int rc;

    for (i = 0; i < nics->len; i++) {
        if ((rc = sfo_plan_add_interface(ctx, SFO_PLAN_OP_DETACH, nics->pdata[i],
                                         SFO_DOMXML_PART_NIC, SFO_PLAN_ROLE_SOURCE,
                                         ctx->vm->host_id, NULL)) < 0)
            return rc;
    }
    for (i = first; i < first + nics->len; i++)
        sfo_plan_add_wait(ctx, g_ptr_array_index(ctx->plan->steps, i));
    return 0;
}

/* Attach every VF of @nics; @vfs: the VF address of each (NULL: the NIC's own) */
static int
sfo_plan_plug_vfs(sfo_plan_ctx *ctx, GPtrArray *nics, const char *const *vfs, sfo_plan_role role,
                  const char *host_id)
{
    guint i;
    int rc;

    for (i = 0; i < nics->len; i++) {
        if ((rc = sfo_plan_add_interface(ctx, SFO_PLAN_OP_ATTACH, nics->pdata[i],
                                         SFO_DOMXML_PART_NIC, role, host_id, vfs ? vfs[i] : NULL)) <
            0)
            return rc;
    }
    return 0;
}

static gboolean
sfo_plan_vm_runs(sfo_plan_ctx *ctx)
{
    if (sfo_inventory_find_host(ctx->planner->inv, ctx->vm->host_id))
        return TRUE;
    sfo_rules_report_vm_violation(ctx->planner->inv, ctx->plan->violations, ctx->verb,
                                  SFO_PLAN_KEY_VM_IS_NOT_RUNNING, ctx->vm, NULL);
    return FALSE;
}

/*
 * migrate: reserve a VF of the right network on the destination for every
 * VF NIC, unplug only the VFs on the source and wait (bounded), migrate,
 * plug the VFs on the destination with the reserved VFs' addresses, release
 * the holds. Until the migration succeeds every failure is undone: the VFs
 * are plugged back on the source, the holds released, standbys untouched.
 */
static int
sfo_plan_migrate(sfo_plan_ctx *ctx, const sfo_host *dest, gboolean live)
{
    const sfo_inventory *inv = ctx->planner->inv;
    g_autoptr(GPtrArray) nics = sfo_plan_vf_nics(inv, ctx->vm);
    g_autofree const char **vfs = g_new0(const char *, nics->len + 1);
    sfo_plan_step *migrate;
    guint i;
    int rc;

    if (sfo_plan_vm_runs(ctx) && g_strcmp0(ctx->vm->host_id, dest->id) == 0)
        sfo_rules_report_vm_violation(inv, ctx->plan->violations, ctx->verb,
                                      SFO_PLAN_KEY_MIGRATION_TO_SAME_HOST, ctx->vm, NULL);
    sfo_rules_validate_vm(inv, SFO_ACTION_MIGRATE_VM, ctx->vm->id, dest->id, ctx->plan->violations);
    for (i = 0; i < nics->len; i++) {
        const sfo_network *net = sfo_plan_nic_network(inv, nics->pdata[i]);

        if (!(vfs[i] = sfo_plan_pick_vf(ctx, dest, net->id)))
            sfo_plan_no_suitable_vf(ctx, nics->pdata[i], dest);
    }
    if (sfo_violations_error_count(ctx->plan->violations) > 0)
        return 0;

    for (i = 0; i < nics->len; i++)
        sfo_plan_add_vf_hold(ctx, SFO_PLAN_OP_RESERVE_VF, nics->pdata[i], SFO_PLAN_ROLE_DESTINATION,
                             dest->id, vfs[i]);
    if ((rc = sfo_plan_unplug_vfs(ctx, nics)) < 0)
        return rc;
    migrate = sfo_plan_add(ctx, SFO_PLAN_OP_MIGRATE, SFO_PLAN_ROLE_SOURCE, ctx->vm->host_id);
    migrate->destination_host_id = g_strdup(dest->id);
    migrate->live = live;
    migrate->commit = TRUE;
    if ((rc = sfo_plan_plug_vfs(ctx, nics, vfs, SFO_PLAN_ROLE_DESTINATION, dest->id)) < 0)
        return rc;
    for (i = 0; i < nics->len; i++)
        sfo_plan_add_vf_hold(ctx, SFO_PLAN_OP_RELEASE_VF, nics->pdata[i], SFO_PLAN_ROLE_DESTINATION,
                             dest->id, vfs[i]);
    return 0;
}

/*
 * save / snapshot: libvirt pauses the guest before it writes the memory,
 * and QEMU then waits for an unplug of the VF the paused guest can never
 * acknowledge. Unplug the VFs first; plug them back after a snapshot (the
 * guest keeps running) or, for a save, when the VM is restored.
 */
static int
sfo_plan_wrap(sfo_plan_ctx *ctx, sfo_plan_op op)
{
    const sfo_inventory *inv = ctx->planner->inv;
    g_autoptr(GPtrArray) nics = sfo_plan_vf_nics(inv, ctx->vm);
    const char *host_id = ctx->vm->host_id;
    sfo_plan_step *step;
    int rc;

    if (!sfo_plan_vm_runs(ctx))
        return 0;
    if (op != SFO_PLAN_OP_RESTORE && (rc = sfo_plan_unplug_vfs(ctx, nics)) < 0)
        return rc;
    step = sfo_plan_add(ctx, op, SFO_PLAN_ROLE_SOURCE, host_id);
    step->commit = TRUE;
    if (op != SFO_PLAN_OP_SAVE &&
        (rc = sfo_plan_plug_vfs(ctx, nics, NULL, SFO_PLAN_ROLE_SOURCE, host_id)) < 0)
        return rc;
    return 0;
}

/* run: one start step carrying the domain's interfaces, as sfo_domxml_format_vm() writes them */
static int
sfo_plan_run(sfo_plan_ctx *ctx, const sfo_host *host)
{
    const sfo_inventory *inv = ctx->planner->inv;
    unsigned int dflags = sfo_plan_domxml_flags(ctx->plan);
    g_autoptr(xmlDoc) doc = NULL;
    sfo_plan_step *step;
    int rc;

    sfo_rules_validate_vm(inv, SFO_ACTION_RUN_VM, ctx->vm->id, host ? host->id : NULL,
                          ctx->plan->violations);
    if (sfo_violations_error_count(ctx->plan->violations) > 0)
        return 0;
    if ((rc = sfo_domxml_build_vm(inv, ctx->vm, dflags, &doc)) < 0)
        return rc;
    step = sfo_plan_add(ctx, SFO_PLAN_OP_START, SFO_PLAN_ROLE_SOURCE, host ? host->id : NULL);
    step->commit = TRUE;
    step->xml = sfo_domxml_node_to_string(xmlDocGetRootElement(doc));
    return 0;
}

/* The undo list: each step up to the commit step, reverted in reverse order */
static void
sfo_plan_add_undo(sfo_plan *plan)
{
    int commit = sfo_plan_commit_index(plan);
    int last = commit >= 0 ? commit : (int)plan->steps->len - 1;
    int i;

    for (i = last; i >= 0; i--) {
        const sfo_plan_step *step = plan->steps->pdata[i];
        sfo_plan_op undo[2] = { SFO_PLAN_OP_LAST, SFO_PLAN_OP_LAST };
        guint k;

        switch (step->op) {
        case SFO_PLAN_OP_ATTACH:
            undo[0] = SFO_PLAN_OP_DETACH;
            undo[1] = SFO_PLAN_OP_WAIT_REMOVED;
            break;
        case SFO_PLAN_OP_DETACH:
            undo[0] = SFO_PLAN_OP_ATTACH;
            break;
        case SFO_PLAN_OP_RESERVE_VF:
            undo[0] = SFO_PLAN_OP_RELEASE_VF;
            break;
        case SFO_PLAN_OP_RELEASE_VF:
            undo[0] = SFO_PLAN_OP_RESERVE_VF;
            break;
        case SFO_PLAN_OP_WAIT_REMOVED:
        case SFO_PLAN_OP_MIGRATE:
        case SFO_PLAN_OP_SAVE:
        case SFO_PLAN_OP_RESTORE:
        case SFO_PLAN_OP_SNAPSHOT:
        case SFO_PLAN_OP_START:
        case SFO_PLAN_OP_LAST:
        default:
            break; /* nothing to revert, or a commit step: a failed one changed nothing */
        }
        for (k = 0; k < G_N_ELEMENTS(undo) && undo[k] != SFO_PLAN_OP_LAST; k++) {
            sfo_plan_step *u = sfo_plan_step_copy(step);

            u->op = undo[k];
            u->index = -1;
            u->undoes = i;
            u->commit = FALSE;
            if (u->op == SFO_PLAN_OP_WAIT_REMOVED) {
                g_clear_pointer(&u->xml, g_free);
                g_clear_pointer(&u->vf_address, g_free);
            }
            g_ptr_array_add(plan->undo, u);
        }
    }
}

int
sfo_planner_build(sfo_planner *planner, int action, const char *subject_id, const char *host_id,
                  sfo_plan **ret_plan)
{
    const sfo_inventory *inv = planner->inv;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(GPtrArray) reserved = g_ptr_array_new_with_free_func(g_free);
    const sfo_nic *nic = NULL;
    const sfo_host *host = NULL;
    sfo_plan_ctx ctx = { 0 };
    guint i;
    int rc = 0;

    sfo_return_val_if_fail(action >= 0 && action < SFO_PLAN_ACTION_LAST, SFO_EINVALID);
    sfo_return_val_if_fail(subject_id != NULL, SFO_EINVALID);

    plan = sfo_plan_new(action);
    plan->flags = planner->flags;
    ctx.planner = planner;
    ctx.plan = plan;
    ctx.verb = sfo_plan_verbs[action];
    ctx.reserved = reserved;

    if (action == SFO_PLAN_PLUG || action == SFO_PLAN_UNPLUG) {
        if (!(nic = sfo_inventory_find_nic(inv, subject_id))) {
            sfo_error_report(SFO_ENOTFOUND, SFO_KEY_NIC_NOT_FOUND,
                             "NIC '%s' is not in the inventory", subject_id);
            return SFO_ENOTFOUND;
        }
        ctx.vm = sfo_inventory_find_vm(inv, nic->vm_id);
        plan->nic_id = g_strdup(nic->id);
    } else {
        ctx.vm = sfo_inventory_find_vm(inv, subject_id);
    }
    if (!ctx.vm) {
        sfo_error_report(SFO_ENOTFOUND, SFO_KEY_VM_NOT_FOUND, "VM '%s' is not in the inventory",
                         nic ? nic->vm_id : subject_id);
        return SFO_ENOTFOUND;
    }
    plan->vm_id = g_strdup(ctx.vm->id);
    if (action == SFO_PLAN_MIGRATE || action == SFO_PLAN_MIGRATE_OFFLINE ||
        action == SFO_PLAN_RUN) {
        const char *want = host_id ? host_id : (action == SFO_PLAN_RUN ? ctx.vm->host_id : NULL);

        sfo_return_val_if_fail(want != NULL || action == SFO_PLAN_RUN, SFO_EINVALID);
        if (want && !(host = sfo_inventory_find_host(inv, want))) {
            sfo_error_report(SFO_ENOTFOUND, SFO_KEY_HOST_NOT_FOUND,
                             "host '%s' is not in the inventory", want);
            return SFO_ENOTFOUND;
        }
        plan->host_id = g_strdup(want);
    }

    switch ((sfo_plan_action)action) {
    case SFO_PLAN_PLUG:
        rc = sfo_plan_plug(&ctx, nic);
        break;
    case SFO_PLAN_UNPLUG:
        rc = sfo_plan_unplug(&ctx, nic);
        break;
    case SFO_PLAN_MIGRATE:
    case SFO_PLAN_MIGRATE_OFFLINE:
        rc = sfo_plan_migrate(&ctx, host, action == SFO_PLAN_MIGRATE);
        break;
    case SFO_PLAN_SAVE:
        rc = sfo_plan_wrap(&ctx, SFO_PLAN_OP_SAVE);
        break;
    case SFO_PLAN_RESTORE:
        rc = sfo_plan_wrap(&ctx, SFO_PLAN_OP_RESTORE);
        break;
    case SFO_PLAN_SNAPSHOT:
        rc = sfo_plan_wrap(&ctx, SFO_PLAN_OP_SNAPSHOT);
        break;
    case SFO_PLAN_RUN:
        rc = sfo_plan_run(&ctx, host);
        break;
    case SFO_PLAN_ACTION_LAST:
    default:
        g_assert_not_reached();
    }
    if (rc < 0)
        return rc;
    if (sfo_violations_error_count(plan->violations) > 0) {
        g_ptr_array_set_size(plan->steps, 0); /* refused: nothing runs */
        *ret_plan = g_steal_pointer(&plan);
        return 0;
    }
    sfo_plan_add_undo(plan);
    for (i = 0; i < reserved->len; i++)
        g_hash_table_add(planner->taken, g_strdup(reserved->pdata[i]));
    *ret_plan = g_steal_pointer(&plan);
    return 0;
}

int
sfo_plan_build(const sfo_inventory *inventory, int action, const char *subject_id,
               const char *host_id, unsigned int flags, sfo_plan **ret_plan)
{
    g_autoptr(sfo_planner) planner = NULL;

    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_plan != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_PLAN_EMULATED | SFO_PLAN_EMULATED_BRIDGE);

    planner = sfo_planner_new(inventory, flags);
    return sfo_planner_build(planner, action, subject_id, host_id, ret_plan);
}
