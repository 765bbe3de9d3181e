/*
 * sfo-messages.h: the message catalogue (ui-strings/AppErrors.properties)
 *
 * Keys are stable and follow oVirt's (ACTION_TYPE_FAILED_...); texts are
 * templates with ${name} variables, rendered into one line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

typedef struct {
    const char *key;
    const char *text;
} sfo_message;

/* generated, sorted by key (strcmp order) */
extern const sfo_message sfo_messages_table[];
extern const size_t sfo_messages_count;

/* The template of @key, or NULL when the catalogue has no such key. */
const char *sfo_messages_lookup(const char *key);

/*
 * Keys of this prefix are words that messages take as arguments (verbs,
 * kinds of objects: VAR__ACTION__ADD, VAR__TYPE__VM, ...), as oVirt's
 * VAR__ACTION__* and VAR__TYPE__*: a front end renders them per locale.
 */
#define SFO_MESSAGES_VAR_PREFIX "VAR__"

/*
 * Renders @key with @args, a NULL-terminated list of name, value pairs.
 * A value that is a VAR__* key is replaced by that key's text, itself
 * rendered with @args (one level: "type" = "VAR__TYPE__VM" with
 * "typeName" = "vm1" gives "VM 'vm1'").
 * Line breaks of the catalogue text become single spaces, so every message
 * is one line. A variable without a value is left as ${name}. An unknown
 * key renders as the key itself.
 */
char *sfo_messages_render(const char *key, const char *const *args);

/* Keys named WARNING_* are warnings; every other key is an error. */
gboolean sfo_messages_key_is_warning(const char *key);
