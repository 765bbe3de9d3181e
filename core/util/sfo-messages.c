/*
 * sfo-messages.c: catalogue lookup and template rendering
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "sfo-messages.h"

static int
sfo_messages_compare(const void *key, const void *elem)
{
    return strcmp(key, ((const sfo_message *)elem)->key);
}

const char *
sfo_messages_lookup(const char *key)
{
    const sfo_message *m;

    m = bsearch(key, sfo_messages_table, sfo_messages_count, sizeof(sfo_message),
                sfo_messages_compare);
    return m ? m->text : NULL;
}

static const char *
sfo_messages_arg(const char *const *args, const char *name, size_t namelen)
{
    size_t i;

    for (i = 0; args && args[i] && args[i + 1]; i += 2) {
        if (strlen(args[i]) == namelen && strncmp(args[i], name, namelen) == 0)
            return args[i + 1];
    }
    return NULL;
}

/*
 * Appends @text with @args filled in. A value that is a VAR__* key of the
 * catalogue (a verb, a kind of object) is itself rendered with @args, one
 * level deep (@nested), so that the words come from the catalogue.
 */
static void
sfo_messages_append(GString *out, const char *text, const char *const *args, gboolean nested)
{
    const char *p;

    for (p = text; *p; p++) {
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');

            if (end) {
                const char *val = sfo_messages_arg(args, p + 2, end - (p + 2));
                const char *var_text = NULL;

                if (val && !nested && g_str_has_prefix(val, SFO_MESSAGES_VAR_PREFIX))
                    var_text = sfo_messages_lookup(val);
                if (var_text) {
                    sfo_messages_append(out, var_text, args, TRUE);
                    p = end;
                    continue;
                }
                if (val) {
                    g_string_append(out, val);
                    p = end;
                    continue;
                }
            }
        }
        if (*p == '\n') {
            /* one line: a break and the indentation after it become one space */
            while (p[1] == ' ' || p[1] == '\t')
                p++;
            if (out->len && out->str[out->len - 1] != ' ')
                g_string_append_c(out, ' ');
            continue;
        }
        g_string_append_c(out, *p);
    }
}

char *
sfo_messages_render(const char *key, const char *const *args)
{
    const char *text = sfo_messages_lookup(key);
    GString *out;

    if (!text)
        return g_strdup(key);

    out = g_string_sized_new(strlen(text) + 64);
    sfo_messages_append(out, text, args, FALSE);
    return g_string_free(out, FALSE);
}

gboolean
sfo_messages_key_is_warning(const char *key)
{
    return g_str_has_prefix(key, "WARNING_");
}
