/*
 * journal-test.c: the two journal implementations, for tests run over both
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib/gstdio.h>

#include "exec/sfo-journal-file.h"
#include "journal-test.h"
#include "store-test.h"
#include "../unit/sfo-test.h"

static char *sfo_file_dir;
static char *sfo_file_path;
static gboolean sfo_store_started;

static void
sfo_test_journal_file_reset(void)
{
    if (!sfo_file_dir)
        sfo_file_dir = g_dir_make_tmp("sfo-journal-XXXXXX", NULL);
    assert_non_null(sfo_file_dir);
    g_free(sfo_file_path);
    sfo_file_path = g_build_filename(sfo_file_dir, "journal.jsonl", NULL);
    g_unlink(sfo_file_path);
}

static sfo_journal *
sfo_test_journal_file_open(void)
{
    sfo_journal *journal = NULL;

    if (sfo_journal_file_open(sfo_file_path, &journal) < 0)
        fail_msg("journal file %s: %s", sfo_file_path, sfo_error_last()->message);
    return journal;
}

static void
sfo_test_journal_store_reset(void)
{
    g_autofree char *bindir = NULL;

    if (!sfo_store_started) {
        /* skipped, not failed, where PostgreSQL's server is not installed (CI has it) */
        if (sfo_store_server_bindir(&bindir) < 0)
            skip();
        sfo_store_started = sfo_store_test_start();
        assert_true(sfo_store_started);
    }
    sfo_store_close(sfo_store_test_open());
}

static sfo_journal *
sfo_test_journal_store_open(void)
{
    g_autoptr(sfo_store) store = NULL;
    sfo_journal *journal = NULL;

    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0 ||
        sfo_store_open_journal(store, 0, &journal) < 0)
        fail_msg("store journal: %s", sfo_error_last()->message);
    return journal; /* it has a connection of its own: the store is closed here */
}

const sfo_test_journal_kind sfo_test_journal_file = {
    "file",
    sfo_test_journal_file_reset,
    sfo_test_journal_file_open,
};

const sfo_test_journal_kind sfo_test_journal_store = {
    "store",
    sfo_test_journal_store_reset,
    sfo_test_journal_store_open,
};

void
sfo_test_journal_cleanup(void)
{
    if (sfo_file_dir)
        sfo_test_rmtree(sfo_file_dir);
    g_clear_pointer(&sfo_file_dir, g_free);
    g_clear_pointer(&sfo_file_path, g_free);
    if (sfo_store_started)
        sfo_store_test_stop();
    sfo_store_started = FALSE;
}

GPtrArray *
sfo_test_journal_unfinished(sfo_journal *journal)
{
    GPtrArray *entries = NULL;

    if (journal->ops->unfinished(journal, &entries) < 0)
        fail_msg("unfinished: %s", sfo_error_last()->message);
    return entries;
}
