/*
 * sfo-rules.c: the rule drivers (check, validate), actions and reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-rules-priv.h"

SFO_ENUM_IMPL(sfo_action_name, SFO_ACTION_LAST, "add-vnic-profile", "update-vnic-profile",
              "remove-vnic-profile", "add-nic", "update-nic", "plug-nic", "run-vm", "migrate-vm");

/*
 * ${action} per sfo_action, in the enum's order: catalogue keys (oVirt's
 * VAR__ACTION__* verbs) that each locale translates; rendering puts in the text.
 */
static const char *const sfo_rules_verbs[] = {
    "VAR__ACTION__ADD",    "VAR__ACTION__UPDATE",   "VAR__ACTION__REMOVE", "VAR__ACTION__ADD",
    "VAR__ACTION__UPDATE", "VAR__ACTION__HOT_PLUG", "VAR__ACTION__RUN",    "VAR__ACTION__MIGRATE",
};
G_STATIC_ASSERT(G_N_ELEMENTS(sfo_rules_verbs) == SFO_ACTION_LAST);

int
sfo_action_from_string(const char *name)
{
    int action = sfo_action_name_from_string(name);

    if (action < 0) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "unknown action '%s'",
                         name ? name : "(null)");
        return SFO_EINVALID;
    }
    return action;
}

const char *
sfo_action_to_string(int action)
{
    return sfo_action_name_to_string(action);
}

const char *
sfo_rules_action_verb(int action)
{
    if (action < 0 || action >= SFO_ACTION_LAST)
        return "VAR__ACTION__USE";
    return sfo_rules_verbs[action];
}

void
sfo_rule_ctx_init(sfo_rule_ctx *ctx, const sfo_inventory *inv, int action,
                  sfo_violations *violations)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->inv = inv;
    ctx->action = action;
    ctx->verb = sfo_rules_action_verb(action);
    ctx->pairs_once =
        action == SFO_RULES_CHECK || action == SFO_ACTION_RUN_VM || action == SFO_ACTION_MIGRATE_VM;
    ctx->plugged_only = action == SFO_ACTION_RUN_VM || action == SFO_ACTION_MIGRATE_VM;
    ctx->violations = violations;
}

/* ------------------------------------------------------------------------ */
/* Reporting                                                                */
/* ------------------------------------------------------------------------ */

static void
sfo_rules_reportv(sfo_rule_ctx *ctx, const char *key, const char *subject_type,
                  const char *subject_id, const char *type_key, const char *type_name,
                  const char *type_vm_name, va_list ap)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    const char *s;

    g_ptr_array_add(args, (gpointer) "action");
    g_ptr_array_add(args, (gpointer)ctx->verb);
    g_ptr_array_add(args, (gpointer) "type");
    g_ptr_array_add(args, (gpointer)type_key);
    g_ptr_array_add(args, (gpointer) "typeName");
    g_ptr_array_add(args, (gpointer)(type_name ? type_name : ""));
    if (type_vm_name) {
        g_ptr_array_add(args, (gpointer) "typeVmName");
        g_ptr_array_add(args, (gpointer)type_vm_name);
    }
    while ((s = va_arg(ap, const char *)))
        g_ptr_array_add(args, (gpointer)s);
    g_ptr_array_add(args, NULL);
    sfo_violations_addv(ctx->violations, key, subject_type, subject_id,
                        (const char *const *)args->pdata);
}

/* The VM name of ${typeVmName} for @nic */
static const char *
sfo_rules_nic_vm_name(const sfo_inventory *inv, const sfo_nic *nic)
{
    const sfo_vm *vm = sfo_inventory_find_vm(inv, nic->vm_id);
    const char *vm_name = vm ? vm->name : nic->vm_id;

    return vm_name ? vm_name : "";
}

void
sfo_rules_report_profile(sfo_rule_ctx *ctx, const char *key, const char *id, const char *name, ...)
{
    va_list ap;

    va_start(ap, name);
    sfo_rules_reportv(ctx, key, SFO_RULES_SUBJECT_PROFILE, id, SFO_RULES_TYPE_PROFILE,
                      name ? name : id, NULL, ap);
    va_end(ap);
}

void
sfo_rules_report_nic(sfo_rule_ctx *ctx, const char *key, const sfo_nic *nic, ...)
{
    va_list ap;

    va_start(ap, nic);
    sfo_rules_reportv(ctx, key, SFO_RULES_SUBJECT_NIC, nic->id, SFO_RULES_TYPE_NIC, nic->name,
                      sfo_rules_nic_vm_name(ctx->inv, nic), ap);
    va_end(ap);
}

void
sfo_rules_report_vm(sfo_rule_ctx *ctx, const char *key, const char *id, const char *name, ...)
{
    va_list ap;

    va_start(ap, name);
    sfo_rules_reportv(ctx, key, SFO_RULES_SUBJECT_VM, id, SFO_RULES_TYPE_VM, name ? name : id, NULL,
                      ap);
    va_end(ap);
}

void
sfo_rules_report_nic_violation(const sfo_inventory *inventory, sfo_violations *violations,
                               const char *verb, const char *key, const sfo_nic *nic, ...)
{
    sfo_rule_ctx ctx;
    va_list ap;

    sfo_rule_ctx_init(&ctx, inventory, SFO_RULES_CHECK, violations);
    ctx.verb = verb;
    va_start(ap, nic);
    sfo_rules_reportv(&ctx, key, SFO_RULES_SUBJECT_NIC, nic->id, SFO_RULES_TYPE_NIC, nic->name,
                      sfo_rules_nic_vm_name(inventory, nic), ap);
    va_end(ap);
}

void
sfo_rules_report_vm_violation(const sfo_inventory *inventory, sfo_violations *violations,
                              const char *verb, const char *key, const sfo_vm *vm, ...)
{
    sfo_rule_ctx ctx;
    va_list ap;

    sfo_rule_ctx_init(&ctx, inventory, SFO_RULES_CHECK, violations);
    ctx.verb = verb;
    va_start(ap, vm);
    sfo_rules_reportv(&ctx, key, SFO_RULES_SUBJECT_VM, vm->id, SFO_RULES_TYPE_VM,
                      vm->name ? vm->name : vm->id, NULL, ap);
    va_end(ap);
}

static gint
sfo_rules_cmp_str(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

char *
sfo_rules_join_names(GPtrArray *names, guint max)
{
    GString *s = g_string_new(NULL);
    guint i;

    g_ptr_array_sort(names, sfo_rules_cmp_str);
    for (i = 0; i < names->len && i < max; i++) {
        if (i > 0)
            g_string_append(s, ", ");
        g_string_append(s, g_ptr_array_index(names, i));
    }
    if (names->len > max)
        g_string_append(s, ", ...");
    return g_string_free(s, FALSE);
}

gboolean
sfo_rules_nic_pair_reported_here(const sfo_rule_ctx *ctx, const sfo_nic *subject,
                                 const sfo_nic *other)
{
    if (!ctx->pairs_once)
        return TRUE;
    /* @other is not visited by this pass: only @subject can report the pair */
    if (ctx->plugged_only && !other->plugged)
        return TRUE;
    return g_strcmp0(other->id, subject->id) < 0;
}

/* ------------------------------------------------------------------------ */
/* Drivers over model objects (sfo-rules.h)                                 */
/* ------------------------------------------------------------------------ */

void
sfo_rules_check_inventory(const sfo_inventory *inventory, sfo_violations *violations)
{
    sfo_rule_ctx ctx;
    guint i;

    sfo_rule_ctx_init(&ctx, inventory, SFO_RULES_CHECK, violations);
    for (i = 0; i < inventory->vnic_profiles->len; i++)
        sfo_rules_profile_state(&ctx, g_ptr_array_index(inventory->vnic_profiles, i));
    for (i = 0; i < inventory->nics->len; i++)
        sfo_rules_nic_state(&ctx, g_ptr_array_index(inventory->nics, i));
}

void
sfo_rules_validate_profile(const sfo_inventory *inventory, int action,
                           const sfo_vnic_profile *profile, sfo_violations *violations)
{
    sfo_rule_ctx ctx;

    sfo_rule_ctx_init(&ctx, inventory, action, violations);
    if (action == SFO_ACTION_UPDATE_VNIC_PROFILE) {
        const sfo_vnic_profile *old_p =
            sfo_rules_profile_existing(&ctx, profile->id, profile->name);

        if (old_p) {
            sfo_rules_profile_update_not_failover_target(&ctx, profile);
            sfo_rules_profile_update_unchanged_while_used(&ctx, old_p, profile);
        }
    }
    sfo_rules_profile_state(&ctx, profile);
}

void
sfo_rules_validate_profile_removal(const sfo_inventory *inventory, const char *profile_id,
                                   sfo_violations *violations)
{
    const sfo_vnic_profile *p;
    sfo_rule_ctx ctx;

    sfo_rule_ctx_init(&ctx, inventory, SFO_ACTION_REMOVE_VNIC_PROFILE, violations);
    p = sfo_rules_profile_existing(&ctx, profile_id, NULL);
    if (!p)
        return;
    sfo_rules_profile_remove_not_failover_target(&ctx, p);
    sfo_rules_profile_remove_not_used(&ctx, p);
}

void
sfo_rules_validate_nic(const sfo_inventory *inventory, int action, const sfo_nic *nic,
                       sfo_violations *violations)
{
    sfo_rule_ctx ctx;

    sfo_rule_ctx_init(&ctx, inventory, action, violations);
    if ((action == SFO_ACTION_UPDATE_NIC || action == SFO_ACTION_PLUG_NIC) &&
        !sfo_inventory_find_nic(inventory, nic->id))
        sfo_rules_report_nic(&ctx, "VM_INTERFACE_NOT_EXIST", nic, NULL);
    sfo_rules_nic_state(&ctx, nic);

    /* Hot plug into a running VM: its host must carry the networks (oVirt does not check) */
    if (action == SFO_ACTION_PLUG_NIC) {
        const sfo_vm *vm = sfo_inventory_find_vm(inventory, nic->vm_id);
        const sfo_host *host = vm ? sfo_inventory_find_host(inventory, vm->host_id) : NULL;

        if (host)
            sfo_rules_nic_failover_networks_on_host(&ctx, nic, host);
    }
}

void
sfo_rules_validate_vm(const sfo_inventory *inventory, int action, const char *vm_id,
                      const char *host_id, sfo_violations *violations)
{
    g_autoptr(GPtrArray) nics = NULL;
    const sfo_host *host = NULL;
    const sfo_vm *vm;
    sfo_rule_ctx ctx;
    guint i;

    sfo_rule_ctx_init(&ctx, inventory, action, violations);
    vm = sfo_inventory_find_vm(inventory, vm_id);
    if (!vm)
        sfo_rules_report_vm(&ctx, "ACTION_TYPE_FAILED_VM_NOT_FOUND", vm_id, NULL, NULL);
    if (host_id) {
        host = sfo_inventory_find_host(inventory, host_id);
        if (!host)
            sfo_rules_report_vm(&ctx, "ACTION_TYPE_FAILED_HOST_NOT_EXIST", vm_id,
                                vm ? vm->name : NULL, NULL);
    }
    if (!vm)
        return;

    if (action == SFO_ACTION_MIGRATE_VM)
        sfo_rules_vm_passthrough_migratable(&ctx, vm);
    nics = sfo_inventory_nics_of_vm(inventory, vm->id);
    for (i = 0; nics && i < nics->len; i++) {
        const sfo_nic *nic = g_ptr_array_index(nics, i);

        if (!nic->plugged)
            continue;
        sfo_rules_nic_failover(&ctx, nic);
        if (host)
            sfo_rules_nic_failover_networks_on_host(&ctx, nic, host);
    }
}

/* ------------------------------------------------------------------------ */
/* Public entry points                                                      */
/* ------------------------------------------------------------------------ */

int
sfo_rules_check(const sfo_inventory *inventory, unsigned int flags, sfo_violations **ret_violations)
{
    sfo_violations *violations;

    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_violations != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    violations = sfo_violations_new();
    sfo_rules_check_inventory(inventory, violations);
    *ret_violations = violations;
    return 0;
}

/*
 * The id in @obj ({"id": ...}), or with @member in @obj[@member] ({"vm": {"id": ...}}).
 * @required: report INVENTORY_MISSING_FIELD when absent; otherwise NULL is returned.
 */
static int
sfo_rules_json_id(json_object *obj, const char *action, const char *member, gboolean required,
                  const char **ret_id)
{
    g_autofree char *field = member ? g_strdup_printf("%s.id", member) : g_strdup("id");
    json_object *holder = obj;
    json_object *id = NULL;

    if (member && !json_object_object_get_ex(obj, member, &holder))
        holder = NULL;
    if (holder && !json_object_is_type(holder, json_type_object)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s.%s: expected an object, found %s", action, member,
                         json_type_to_name(json_object_get_type(holder)));
        return SFO_EINVALID;
    }
    if (holder)
        json_object_object_get_ex(holder, "id", &id);
    if (!id || json_object_is_type(id, json_type_null)) {
        if (required) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD,
                             "%s: required field '%s' is missing", action, field);
            return SFO_EINVALID;
        }
        *ret_id = NULL;
        return 0;
    }
    if (!json_object_is_type(id, json_type_string)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s.%s: expected a string, found %s", action, field,
                         json_type_to_name(json_object_get_type(id)));
        return SFO_EINVALID;
    }
    *ret_id = json_object_get_string(id);
    return 0;
}

int
sfo_rules_validate(const sfo_inventory *inventory, int action, const char *object_json,
                   unsigned int flags, sfo_violations **ret_violations)
{
    g_autoptr(sfo_violations) violations = NULL;
    g_autoptr(json_object) obj = NULL;
    g_autoptr(sfo_vnic_profile) profile = NULL;
    g_autoptr(sfo_nic) nic = NULL;
    const char *name;
    const char *id = NULL;
    const char *host_id = NULL;
    int r;

    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(action >= 0 && action < SFO_ACTION_LAST, SFO_EINVALID);
    sfo_return_val_if_fail(object_json != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_violations != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    name = sfo_action_to_string(action);
    if ((r = sfo_json_parse(object_json, name, &obj)) < 0)
        return r;
    if (!json_object_is_type(obj, json_type_object)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s: expected an object, found %s", name,
                         json_type_to_name(json_object_get_type(obj)));
        return SFO_EINVALID;
    }

    violations = sfo_violations_new();
    switch ((sfo_action)action) {
    case SFO_ACTION_ADD_VNIC_PROFILE:
    case SFO_ACTION_UPDATE_VNIC_PROFILE:
        if ((r = sfo_vnic_profile_from_json(obj, "vnic_profile", &profile)) < 0)
            return r;
        sfo_rules_validate_profile(inventory, action, profile, violations);
        break;
    case SFO_ACTION_REMOVE_VNIC_PROFILE:
        if ((r = sfo_rules_json_id(obj, name, NULL, TRUE, &id)) < 0)
            return r;
        sfo_rules_validate_profile_removal(inventory, id, violations);
        break;
    case SFO_ACTION_ADD_NIC:
    case SFO_ACTION_UPDATE_NIC:
    case SFO_ACTION_PLUG_NIC:
        if ((r = sfo_nic_from_json(obj, "nic", &nic)) < 0)
            return r;
        sfo_rules_validate_nic(inventory, action, nic, violations);
        break;
    case SFO_ACTION_RUN_VM:
        /* {"id": VM, "host": {"id": ...}?}: without a host, the VM's own (if any) */
        if ((r = sfo_rules_json_id(obj, name, NULL, TRUE, &id)) < 0 ||
            (r = sfo_rules_json_id(obj, name, "host", FALSE, &host_id)) < 0)
            return r;
        if (!host_id) {
            const sfo_vm *vm = sfo_inventory_find_vm(inventory, id);

            host_id = vm ? vm->host_id : NULL;
        }
        sfo_rules_validate_vm(inventory, action, id, host_id, violations);
        break;
    case SFO_ACTION_MIGRATE_VM:
        if ((r = sfo_rules_json_id(obj, name, "vm", TRUE, &id)) < 0 ||
            (r = sfo_rules_json_id(obj, name, "host", TRUE, &host_id)) < 0)
            return r;
        sfo_rules_validate_vm(inventory, action, id, host_id, violations);
        break;
    case SFO_ACTION_LAST:
    default:
        g_assert_not_reached();
    }
    *ret_violations = g_steal_pointer(&violations);
    return 0;
}
