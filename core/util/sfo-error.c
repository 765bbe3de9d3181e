/*
 * sfo-error.c: the thread-local last error
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>

#include "sfo-error.h"

typedef struct {
    sfo_error pub;
    char *key;
    char *message;
    const char *file;
    int line;
} sfo_error_state;

static void
sfo_error_state_free(gpointer data)
{
    sfo_error_state *st = data;

    g_free(st->key);
    g_free(st->message);
    g_free(st);
}

static GPrivate sfo_error_key = G_PRIVATE_INIT(sfo_error_state_free);

void
sfo_error_report_full(const char *file, int line, int code, const char *key, const char *fmt, ...)
{
    sfo_error_state *st = g_new0(sfo_error_state, 1);
    va_list ap;

    va_start(ap, fmt);
    st->message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    st->key = g_strdup(key);
    st->file = file;
    st->line = line;
    st->pub.code = code;
    st->pub.key = st->key;
    st->pub.message = st->message;
    g_private_replace(&sfo_error_key, st);
}

const sfo_error *
sfo_error_last(void)
{
    sfo_error_state *st = g_private_get(&sfo_error_key);

    return st ? &st->pub : NULL;
}

void
sfo_error_clear(void)
{
    g_private_replace(&sfo_error_key, NULL);
}

void
sfo_free(void *ptr)
{
    g_free(ptr);
}
