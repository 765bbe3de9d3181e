/*
 * sfo-violations.h: building the list of rule violations
 *
 * A violation is {key, severity, subject, args, message}. The key selects
 * the catalogue text (ui-strings/AppErrors.properties), the severity follows
 * from the key (WARNING_* are warnings), args fill the ${name} variables and
 * are kept for front ends (REST faults, Python exceptions).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

#include "util/sfo-error.h"

typedef struct {
    char *key;
    sfo_severity severity;
    char *subject_type; /* "vnic_profile", "nic", "vm", "interface" (domain XML), ... */
    char *subject_id;
    GPtrArray *args; /* char *: name, value, name, value, ... */
    char *message;
} sfo_violation;

struct sfo_violations {
    GPtrArray *items; /* sfo_violation * */
};

sfo_violations *sfo_violations_new(void);

/*
 * Adds a violation of @key about (@subject_type, @subject_id). The varargs
 * are name, value string pairs ending with NULL; values are copied.
 */
void sfo_violations_add(sfo_violations *violations, const char *key, const char *subject_type,
                        const char *subject_id, ...) G_GNUC_NULL_TERMINATED;

/* Same with a NULL-terminated name, value array. */
void sfo_violations_addv(sfo_violations *violations, const char *key, const char *subject_type,
                         const char *subject_id, const char *const *args);

/* The violations as the JSON array sfo_violations_format_json() prints (new reference). */
json_object *sfo_violations_to_json(const sfo_violations *violations);

/* TRUE when a violation with @key is in the list (tests, front ends). */
gboolean sfo_violations_has_key(const sfo_violations *violations, const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_violations, sfo_violations_free)
