/*
 * sfo-violations.c: the list of rule violations and its JSON form
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>

#include "sfo-violations.h"
#include "util/sfo-autoptr.h"
#include "util/sfo-messages.h"

static void
sfo_violation_free(gpointer data)
{
    sfo_violation *v = data;

    g_free(v->key);
    g_free(v->subject_type);
    g_free(v->subject_id);
    g_ptr_array_unref(v->args);
    g_free(v->message);
    g_free(v);
}

sfo_violations *
sfo_violations_new(void)
{
    sfo_violations *violations = g_new0(sfo_violations, 1);

    violations->items = g_ptr_array_new_with_free_func(sfo_violation_free);
    return violations;
}

void
sfo_violations_free(sfo_violations *violations)
{
    if (!violations)
        return;
    g_ptr_array_unref(violations->items);
    g_free(violations);
}

void
sfo_violations_addv(sfo_violations *violations, const char *key, const char *subject_type,
                    const char *subject_id, const char *const *args)
{
    sfo_violation *v = g_new0(sfo_violation, 1);
    size_t i;

    v->key = g_strdup(key);
    v->severity = sfo_messages_key_is_warning(key) ? SFO_SEVERITY_WARNING : SFO_SEVERITY_ERROR;
    v->subject_type = g_strdup(subject_type);
    v->subject_id = g_strdup(subject_id);
    v->args = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; args && args[i] && args[i + 1]; i += 2) {
        g_ptr_array_add(v->args, g_strdup(args[i]));
        g_ptr_array_add(v->args, g_strdup(args[i + 1]));
    }
    g_ptr_array_add(v->args, NULL);
    v->message = sfo_messages_render(key, (const char *const *)v->args->pdata);
    g_ptr_array_remove_index(v->args, v->args->len - 1);
    g_ptr_array_add(violations->items, v);
}

void
sfo_violations_add(sfo_violations *violations, const char *key, const char *subject_type,
                   const char *subject_id, ...)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    const char *s;
    va_list ap;

    va_start(ap, subject_id);
    while ((s = va_arg(ap, const char *)))
        g_ptr_array_add(args, (gpointer)s);
    va_end(ap);
    g_ptr_array_add(args, NULL);
    sfo_violations_addv(violations, key, subject_type, subject_id,
                        (const char *const *)args->pdata);
}

gboolean
sfo_violations_has_key(const sfo_violations *violations, const char *key)
{
    guint i;

    for (i = 0; i < violations->items->len; i++) {
        const sfo_violation *v = g_ptr_array_index(violations->items, i);

        if (g_str_equal(v->key, key))
            return TRUE;
    }
    return FALSE;
}

static const sfo_violation *
sfo_violations_at(const sfo_violations *violations, size_t index)
{
    if (!violations || index >= violations->items->len)
        return NULL;
    return g_ptr_array_index(violations->items, index);
}

size_t
sfo_violations_count(const sfo_violations *violations)
{
    return violations ? violations->items->len : 0;
}

size_t
sfo_violations_error_count(const sfo_violations *violations)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < sfo_violations_count(violations); i++)
        n += sfo_violations_at(violations, i)->severity == SFO_SEVERITY_ERROR;
    return n;
}

const char *
sfo_violations_key(const sfo_violations *violations, size_t index)
{
    const sfo_violation *v = sfo_violations_at(violations, index);

    return v ? v->key : NULL;
}

int
sfo_violations_severity(const sfo_violations *violations, size_t index)
{
    const sfo_violation *v = sfo_violations_at(violations, index);

    return v ? (int)v->severity : -1;
}

const char *
sfo_violations_message(const sfo_violations *violations, size_t index)
{
    const sfo_violation *v = sfo_violations_at(violations, index);

    return v ? v->message : NULL;
}

const char *
sfo_violations_subject_type(const sfo_violations *violations, size_t index)
{
    const sfo_violation *v = sfo_violations_at(violations, index);

    return v ? v->subject_type : NULL;
}

const char *
sfo_violations_subject_id(const sfo_violations *violations, size_t index)
{
    const sfo_violation *v = sfo_violations_at(violations, index);

    return v ? v->subject_id : NULL;
}

json_object *
sfo_violations_to_json(const sfo_violations *violations)
{
    json_object *list = json_object_new_array();
    size_t i;

    for (i = 0; i < violations->items->len; i++) {
        const sfo_violation *v = g_ptr_array_index(violations->items, i);
        json_object *item = json_object_new_object();
        json_object *args = json_object_new_object();
        guint a;

        json_object_object_add(item, "key", json_object_new_string(v->key));
        json_object_object_add(
            item, "severity",
            json_object_new_string(v->severity == SFO_SEVERITY_WARNING ? "warning" : "error"));
        json_object_object_add(item, "message", json_object_new_string(v->message));
        if (v->subject_type) {
            json_object *subject = json_object_new_object();

            json_object_object_add(subject, "type", json_object_new_string(v->subject_type));
            if (v->subject_id)
                json_object_object_add(subject, "id", json_object_new_string(v->subject_id));
            json_object_object_add(item, "subject", subject);
        }
        for (a = 0; a + 1 < v->args->len; a += 2)
            json_object_object_add(args, g_ptr_array_index(v->args, a),
                                   json_object_new_string(g_ptr_array_index(v->args, a + 1)));
        json_object_object_add(item, "args", args);
        json_object_array_add(list, item);
    }
    return list;
}

int
sfo_violations_format_json(const sfo_violations *violations, unsigned int flags, char **ret_json)
{
    g_autoptr(json_object) root = NULL;

    sfo_return_val_if_fail(violations != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    root = json_object_new_object();
    json_object_object_add(root, "violations", sfo_violations_to_json(violations));
    *ret_json = g_strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    return 0;
}
