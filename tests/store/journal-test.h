/*
 * journal-test.h: the two journal implementations, for tests run over both
 *
 * A test written once against sfo_test_journal_kind runs over the JSON-lines
 * file (exec/sfo-journal-file.h) and the store's tables
 * (sfo_store_open_journal(), on a throw-away PostgreSQL cluster, store-test.h),
 * so both keep one contract. Pass &sfo_test_journal_file or
 * &sfo_test_journal_store as a cmocka test's initial state.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "plan/sfo-journal.h"

typedef struct {
    const char *name;
    /*
     * A new, empty journal behind the kind (a new file; an empty, migrated database,
     * the cluster started on first use). Skips the test when the kind cannot exist here.
     */
    void (*reset)(void);
    /* A journal over it, as another process would open it; fails the test otherwise. */
    sfo_journal *(*open)(void);
} sfo_test_journal_kind;

extern const sfo_test_journal_kind sfo_test_journal_file;
extern const sfo_test_journal_kind sfo_test_journal_store;

/* A cmocka test running @f over the kind "file" or "store", named "KIND: f" */
#define SFO_TEST_JOURNAL_CASE(kind, f) \
    { \
#kind ": " #f, f, NULL, NULL, (void *)&sfo_test_journal_##kind \
    }

/* Removes what the kinds made (the files, the cluster); for a group teardown. */
void sfo_test_journal_cleanup(void);

/* The open sequences of @journal, as unfinished() returns them; fails the test on an error. */
GPtrArray *sfo_test_journal_unfinished(sfo_journal *journal);
