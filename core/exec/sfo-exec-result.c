/*
 * sfo-exec-result.c: what a run (or a reconcile) did, as JSON or text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "sfo-exec.h"

SFO_ENUM_IMPL(sfo_exec_outcome, SFO_EXEC_OUTCOME_LAST, "done", "already", "failed");

static void
sfo_exec_step_result_free(sfo_exec_step_result *r)
{
    if (!r)
        return;
    sfo_plan_step_free(r->step);
    g_free(r->error_key);
    g_free(r->error_message);
    g_free(r);
}

sfo_exec_result *
sfo_exec_result_new(void)
{
    sfo_exec_result *result = g_new0(sfo_exec_result, 1);

    result->status = SFO_EXEC_COMPLETED;
    result->steps = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_exec_step_result_free);
    result->undone = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_exec_step_result_free);
    result->domains = g_ptr_array_new_with_free_func(g_free);
    result->violations = json_object_new_array();
    return result;
}

void
sfo_exec_result_free(sfo_exec_result *result)
{
    if (!result)
        return;
    g_free(result->sequence_id);
    g_free(result->action);
    g_ptr_array_unref(result->steps);
    g_ptr_array_unref(result->undone);
    json_object_put(result->violations);
    g_free(result->error_key);
    g_free(result->error_message);
    g_ptr_array_unref(result->domains);
    g_free(result);
}

int
sfo_exec_result_status(const sfo_exec_result *result)
{
    sfo_return_val_if_fail(result != NULL, SFO_EINVALID);
    return result->status;
}

const char *
sfo_exec_result_error_key(const sfo_exec_result *result)
{
    return result ? result->error_key : NULL;
}

const char *
sfo_exec_result_error_message(const sfo_exec_result *result)
{
    return result ? result->error_message : NULL;
}

/* A duration in milliseconds, written with microsecond precision ("12.345") */
static json_object *
sfo_exec_json_ms(gint64 us)
{
    g_autofree char *text = g_strdup_printf("%.3f", us / 1000.0);

    return json_object_new_double_s(us / 1000.0, text);
}

static json_object *
sfo_exec_step_result_to_json(const sfo_exec_step_result *r)
{
    json_object *obj = sfo_plan_step_to_json(r->step);

    json_object_object_del(obj, "xml");
    json_object_object_add(obj, "outcome",
                           json_object_new_string(sfo_exec_outcome_to_string(r->outcome)));
    json_object_object_add(obj, "duration_ms", sfo_exec_json_ms(r->duration_us));
    json_object_object_add(obj, "libvirt_ms", sfo_exec_json_ms(r->libvirt_us));
    json_object_object_add(obj, "probe_ms", sfo_exec_json_ms(r->probe_us));
    if (r->error_key) {
        json_object *err = json_object_new_object();

        json_object_object_add(err, "key", json_object_new_string(r->error_key));
        json_object_object_add(err, "message", json_object_new_string(r->error_message));
        json_object_object_add(obj, "error", err);
    }
    return obj;
}

static json_object *
sfo_exec_step_results_to_json(const GPtrArray *list)
{
    json_object *array = json_object_new_array();
    guint i;

    for (i = 0; i < list->len; i++)
        json_object_array_add(array, sfo_exec_step_result_to_json(list->pdata[i]));
    return array;
}

int
sfo_exec_result_format_json(const sfo_exec_result *result, unsigned int flags, char **ret_json)
{
    g_autoptr(json_object) obj = NULL;
    json_object *domains;
    guint i;

    sfo_return_val_if_fail(result != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    obj = json_object_new_object();
    if (result->action)
        json_object_object_add(obj, "action", json_object_new_string(result->action));
    if (result->sequence_id)
        json_object_object_add(obj, "sequence", json_object_new_string(result->sequence_id));
    json_object_object_add(obj, "status",
                           json_object_new_string(sfo_exec_status_to_string(result->status)));
    if (result->error_key) {
        json_object *err = json_object_new_object();

        json_object_object_add(err, "key", json_object_new_string(result->error_key));
        json_object_object_add(err, "message", json_object_new_string(result->error_message));
        json_object_object_add(obj, "error", err);
    }
    json_object_object_add(obj, "steps", sfo_exec_step_results_to_json(result->steps));
    json_object_object_add(obj, "undone", sfo_exec_step_results_to_json(result->undone));
    json_object_object_add(obj, "violations", json_object_get(result->violations));
    domains = json_object_new_object();
    for (i = 0; i + 1 < result->domains->len; i += 2)
        json_object_object_add(domains, result->domains->pdata[i],
                               json_object_new_string(result->domains->pdata[i + 1]));
    json_object_object_add(obj, "domains", domains);
    json_object_object_add(obj, "duration_ms", sfo_exec_json_ms(result->total_us));
    *ret_json = g_strconcat(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
                            "\n", NULL);
    return 0;
}

static void
sfo_exec_step_result_to_text(GString *out, const sfo_exec_step_result *r)
{
    const sfo_plan_step *s = r->step;
    const char *device = sfo_plan_device_to_string(s->device);

    if (r->undo)
        g_string_append_printf(out, "undo of step %d: %s", s->undoes, sfo_plan_op_to_string(s->op));
    else
        g_string_append_printf(out, "step %d: %s", s->index, sfo_plan_op_to_string(s->op));
    if (device && *device)
        g_string_append_printf(out, " %s", device);
    if (s->alias)
        g_string_append_printf(out, " %s", s->alias);
    else if (s->vf_address)
        g_string_append_printf(out, " %s", s->vf_address);
    if (s->destination_host_id)
        g_string_append_printf(out, " to %s", s->destination_host_id);
    if (s->host_id)
        g_string_append_printf(out, " on %s", s->host_id);
    g_string_append_printf(out, ": %s in %.1f ms", sfo_exec_outcome_to_string(r->outcome),
                           r->duration_us / 1000.0);
    if (r->error_key)
        g_string_append_printf(out, ": %s: %s", r->error_key, r->error_message);
    g_string_append_c(out, '\n');
}

int
sfo_exec_result_format_text(const sfo_exec_result *result, unsigned int flags, char **ret_text)
{
    GString *out;
    guint i;

    sfo_return_val_if_fail(result != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_text != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    out = g_string_new(NULL);
    for (i = 0; i < result->steps->len; i++)
        sfo_exec_step_result_to_text(out, result->steps->pdata[i]);
    for (i = 0; i < result->undone->len; i++)
        sfo_exec_step_result_to_text(out, result->undone->pdata[i]);
    g_string_append_printf(out, "%s: %s", result->action ? result->action : "sequence",
                           sfo_exec_status_to_string(result->status));
    if (result->error_key)
        g_string_append_printf(out, ": %s: %s", result->error_key, result->error_message);
    g_string_append_printf(out, " (%.1f ms)\n", result->total_us / 1000.0);
    *ret_text = g_string_free(out, FALSE);
    return 0;
}
