/*
 * sfo-test.h: shared helpers of the cmocka unit tests
 *
 * Include after <cmocka.h>'s prerequisites; every test binary runs its
 * groups through sfo_test_run() so the output is TAP for Automake.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>

#include "model/sfo-model.h"

/* $abs_srcdir/data/<suite>/<name>: path of a test data file (g_free it). */
char *sfo_test_data_path(const char *suite, const char *name);

/* Reads a test data file; fails the test when it cannot. */
char *sfo_test_read_data(const char *suite, const char *name);

/* Loads tests/data/<suite>/<name> as an inventory; fails the test on error. */
sfo_inventory *sfo_test_load_inventory(const char *suite, const char *name);

/*
 * Compares @actual with the golden file tests/data/<suite>/<name>. With
 * SFO_TEST_REGENERATE=1 in the environment the file is (re)written instead
 * and the difference is left to review with git diff.
 */
void sfo_test_compare_golden(const char *suite, const char *name, const char *actual);

/* Removes @path and everything below it (test scratch directories); symlinks are not followed. */
void sfo_test_rmtree(const char *path);

/* TRUE when SFO_TEST_REGENERATE=1 */
gboolean sfo_test_regenerating(void);
