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
 * Renders @key with @args, a NULL-terminated list of name, value pairs.
 * Line breaks of the catalogue text become single spaces, so every message
 * is one line. A variable without a value is left as ${name}. An unknown
 * key renders as the key itself.
 */
char *sfo_messages_render(const char *key, const char *const *args);

/* Keys named WARNING_* are warnings; every other key is an error. */
gboolean sfo_messages_key_is_warning(const char *key);
