/*
 * sfo-plan-json.c: a plan as JSON, and back (the journal keeps plans so)
 *
 * {"action","vm","nic"?,"host"?,"emulated"?,"steps":[STEP...],
 *  "undo":[STEP...],"violations":[...]}; a STEP has "index" (a step) or
 * "undoes" (an undo step), "op", then only the fields that are set.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-plan.h"

static void
sfo_plan_json_add_string(json_object *obj, const char *name, const char *value)
{
    if (value && *value)
        json_object_object_add(obj, name, json_object_new_string(value));
}

json_object *
sfo_plan_step_to_json(const sfo_plan_step *step)
{
    json_object *obj = json_object_new_object();

    if (step->undoes >= 0)
        json_object_object_add(obj, "undoes", json_object_new_int(step->undoes));
    else
        json_object_object_add(obj, "index", json_object_new_int(step->index));
    sfo_plan_json_add_string(obj, "op", sfo_plan_op_to_string(step->op));
    sfo_plan_json_add_string(obj, "host", step->host_id);
    sfo_plan_json_add_string(obj, "role", sfo_plan_role_to_string(step->role));
    sfo_plan_json_add_string(obj, "vm", step->vm_id);
    sfo_plan_json_add_string(obj, "domain", step->domain);
    sfo_plan_json_add_string(obj, "nic", step->nic_id);
    sfo_plan_json_add_string(obj, "device", sfo_plan_device_to_string(step->device));
    sfo_plan_json_add_string(obj, "alias", step->alias);
    sfo_plan_json_add_string(obj, "mac", step->mac);
    sfo_plan_json_add_string(obj, "vf", step->vf_address);
    sfo_plan_json_add_string(obj, "destination", step->destination_host_id);
    if (step->op == SFO_PLAN_OP_MIGRATE)
        json_object_object_add(obj, "live", json_object_new_boolean(step->live));
    if (step->commit)
        json_object_object_add(obj, "commit", json_object_new_boolean(TRUE));
    sfo_plan_json_add_string(obj, "xml", step->xml);
    return obj;
}

static json_object *
sfo_plan_steps_to_json(const GPtrArray *steps)
{
    json_object *list = json_object_new_array();
    guint i;

    for (i = 0; i < steps->len; i++)
        json_object_array_add(list, sfo_plan_step_to_json(steps->pdata[i]));
    return list;
}

json_object *
sfo_plan_to_json(const sfo_plan *plan)
{
    json_object *obj = json_object_new_object();

    sfo_plan_json_add_string(obj, "action", sfo_plan_action_to_string(plan->action));
    sfo_plan_json_add_string(obj, "vm", plan->vm_id);
    sfo_plan_json_add_string(obj, "nic", plan->nic_id);
    sfo_plan_json_add_string(obj, "host", plan->host_id);
    if (plan->flags & SFO_PLAN_EMULATED)
        json_object_object_add(obj, "emulated", json_object_new_boolean(TRUE));
    if (plan->flags & SFO_PLAN_EMULATED_BRIDGE)
        json_object_object_add(obj, "emulated_bridge", json_object_new_boolean(TRUE));
    json_object_object_add(obj, "steps", sfo_plan_steps_to_json(plan->steps));
    json_object_object_add(obj, "undo", sfo_plan_steps_to_json(plan->undo));
    json_object_object_add(obj, "violations", sfo_violations_to_json(plan->violations));
    return obj;
}

int
sfo_plan_format_json(const sfo_plan *plan, unsigned int flags, char **ret_json)
{
    g_autoptr(json_object) obj = NULL;

    sfo_return_val_if_fail(plan != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    obj = sfo_plan_to_json(plan);
    *ret_json = g_strconcat(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
                            "\n", NULL);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Back from JSON                                                           */
/* ------------------------------------------------------------------------ */

static int
sfo_plan_json_bad(const char *what, const char *field)
{
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE, "plan %s: bad or missing '%s'",
                     what, field);
    return SFO_EINVALID;
}

/* The string member @name of @obj, or NULL (absent, or not a string) */
static const char *
sfo_plan_json_string(json_object *obj, const char *name)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static gboolean
sfo_plan_json_bool(json_object *obj, const char *name)
{
    json_object *v = NULL;

    return json_object_object_get_ex(obj, name, &v) && json_object_is_type(v, json_type_boolean) &&
           json_object_get_boolean(v);
}

static int
sfo_plan_json_int(json_object *obj, const char *name, int *ret_value)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_int))
        return -1;
    *ret_value = json_object_get_int(v);
    return 0;
}

static int
sfo_plan_step_from_json(json_object *obj, gboolean undo, sfo_plan_step **ret_step)
{
    g_autoptr(sfo_plan_step) step = NULL;
    int op;
    int role = SFO_PLAN_ROLE_SOURCE;
    int device = SFO_PLAN_DEVICE_NONE;

    if (!json_object_is_type(obj, json_type_object))
        return sfo_plan_json_bad("step", "step");
    if ((op = sfo_plan_op_from_string(sfo_plan_json_string(obj, "op"))) < 0)
        return sfo_plan_json_bad("step", "op");
    step = sfo_plan_step_new(op);
    if (sfo_plan_json_int(obj, undo ? "undoes" : "index", undo ? &step->undoes : &step->index) < 0)
        return sfo_plan_json_bad("step", undo ? "undoes" : "index");
    if (sfo_plan_json_string(obj, "role") &&
        (role = sfo_plan_role_from_string(sfo_plan_json_string(obj, "role"))) < 0)
        return sfo_plan_json_bad("step", "role");
    if (sfo_plan_json_string(obj, "device") &&
        (device = sfo_plan_device_from_string(sfo_plan_json_string(obj, "device"))) < 0)
        return sfo_plan_json_bad("step", "device");
    step->role = role;
    step->device = device;
    step->host_id = g_strdup(sfo_plan_json_string(obj, "host"));
    step->vm_id = g_strdup(sfo_plan_json_string(obj, "vm"));
    step->domain = g_strdup(sfo_plan_json_string(obj, "domain"));
    step->nic_id = g_strdup(sfo_plan_json_string(obj, "nic"));
    step->alias = g_strdup(sfo_plan_json_string(obj, "alias"));
    step->mac = g_strdup(sfo_plan_json_string(obj, "mac"));
    step->vf_address = g_strdup(sfo_plan_json_string(obj, "vf"));
    step->destination_host_id = g_strdup(sfo_plan_json_string(obj, "destination"));
    step->live = sfo_plan_json_bool(obj, "live");
    step->commit = sfo_plan_json_bool(obj, "commit");
    step->xml = g_strdup(sfo_plan_json_string(obj, "xml"));
    *ret_step = g_steal_pointer(&step);
    return 0;
}

static int
sfo_plan_steps_from_json(json_object *obj, const char *name, gboolean undo, GPtrArray *steps)
{
    json_object *list = NULL;
    size_t i;
    int rc;

    if (!json_object_object_get_ex(obj, name, &list) || !json_object_is_type(list, json_type_array))
        return sfo_plan_json_bad("object", name);
    for (i = 0; i < json_object_array_length(list); i++) {
        sfo_plan_step *step = NULL;

        if ((rc = sfo_plan_step_from_json(json_object_array_get_idx(list, i), undo, &step)) < 0)
            return rc;
        g_ptr_array_add(steps, step);
    }
    return 0;
}

int
sfo_plan_from_json(json_object *obj, sfo_plan **ret_plan)
{
    g_autoptr(sfo_plan) plan = NULL;
    guint i;
    int action;
    int rc;

    if (!json_object_is_type(obj, json_type_object))
        return sfo_plan_json_bad("object", "plan");
    if ((action = sfo_plan_action_name_from_string(sfo_plan_json_string(obj, "action"))) < 0)
        return sfo_plan_json_bad("object", "action");
    plan = sfo_plan_new(action);
    plan->vm_id = g_strdup(sfo_plan_json_string(obj, "vm"));
    plan->nic_id = g_strdup(sfo_plan_json_string(obj, "nic"));
    plan->host_id = g_strdup(sfo_plan_json_string(obj, "host"));
    if (sfo_plan_json_bool(obj, "emulated"))
        plan->flags |= SFO_PLAN_EMULATED;
    if (sfo_plan_json_bool(obj, "emulated_bridge"))
        plan->flags |= SFO_PLAN_EMULATED_BRIDGE;
    if ((rc = sfo_plan_steps_from_json(obj, "steps", FALSE, plan->steps)) < 0 ||
        (rc = sfo_plan_steps_from_json(obj, "undo", TRUE, plan->undo)) < 0)
        return rc;
    /* indexes are positions; an undo step names a step that exists */
    for (i = 0; i < plan->steps->len; i++) {
        if (((sfo_plan_step *)plan->steps->pdata[i])->index != (int)i)
            return sfo_plan_json_bad("step", "index");
    }
    for (i = 0; i < plan->undo->len; i++) {
        int undoes = ((sfo_plan_step *)plan->undo->pdata[i])->undoes;

        if (undoes < 0 || undoes >= (int)plan->steps->len)
            return sfo_plan_json_bad("undo step", "undoes");
    }
    *ret_plan = g_steal_pointer(&plan);
    return 0;
}
