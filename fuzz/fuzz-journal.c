/*
 * fuzz-journal.c: fuzz target of the journal file's reader
 *
 * Reads the input as the text of a journal file (sfo_journal_file_parse(),
 * by its length: NULs included). A refusal must leave JOURNAL_CORRUPT behind.
 * When it reads, the end of the whole lines it reports must be a line
 * boundary within the input, reading only those lines must give the same
 * sequences and holds (what the repair after a crash keeps is what was
 * read), and every open sequence's plan must format to JSON.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "exec/sfo-journal-file.h"
#include "fuzz.h"

static GHashTable *
sfo_fuzz_holds_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GHashTable) holds = sfo_fuzz_holds_new();
    g_autoptr(GHashTable) holds2 = sfo_fuzz_holds_new();
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GPtrArray) entries2 = NULL;
    const char *text = (const char *)data;
    size_t end = 0;
    size_t end2 = 0;
    guint i;

    if (sfo_journal_file_parse(text, size, "fuzz", holds, &entries, &end) < 0) {
        const sfo_error *err = sfo_error_last();

        if (!err || strcmp(err->key, "JOURNAL_CORRUPT") != 0)
            abort();
        return 0;
    }
    if (end > size || (end > 0 && text[end - 1] != '\n'))
        abort();
    /* the whole lines alone read the same */
    if (sfo_journal_file_parse(text, end, "fuzz", holds2, &entries2, &end2) < 0 || end2 != end ||
        entries2->len != entries->len || g_hash_table_size(holds2) != g_hash_table_size(holds))
        abort();
    for (i = 0; i < entries->len; i++) {
        const sfo_journal_entry *entry = entries->pdata[i];
        const sfo_journal_entry *entry2 = entries2->pdata[i];
        char *json = NULL;

        if (!entry->id || strcmp(entry->id, entry2->id) != 0)
            abort();
        if (sfo_plan_format_json(entry->plan, 0, &json) < 0)
            abort();
        sfo_free(json);
    }
    return 0;
}
