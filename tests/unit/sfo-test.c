/*
 * sfo-test.c: shared helpers of the cmocka unit tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sfo-test.h"

static const char *
sfo_test_srcdir(void)
{
    const char *dir = g_getenv("abs_srcdir");

    return dir ? dir : SFO_ABS_TOP_SRCDIR "/tests";
}

char *
sfo_test_data_path(const char *suite, const char *name)
{
    return g_build_filename(sfo_test_srcdir(), "data", suite, name, NULL);
}

gboolean
sfo_test_regenerating(void)
{
    return g_strcmp0(g_getenv("SFO_TEST_REGENERATE"), "1") == 0;
}

char *
sfo_test_read_data(const char *suite, const char *name)
{
    g_autofree char *path = sfo_test_data_path(suite, name);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        fail_msg("cannot read %s: %s", path, err->message);
    return text;
}

sfo_inventory *
sfo_test_load_inventory(const char *suite, const char *name)
{
    g_autofree char *path = sfo_test_data_path(suite, name);
    sfo_inventory *inv = NULL;

    if (sfo_inventory_load_file(path, 0, &inv) < 0)
        fail_msg("cannot load %s: %s", path, sfo_error_last()->message);
    return inv;
}

void
sfo_test_compare_golden(const char *suite, const char *name, const char *actual)
{
    g_autofree char *path = sfo_test_data_path(suite, name);
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (sfo_test_regenerating()) {
        if (!g_file_set_contents(path, actual, -1, &err))
            fail_msg("cannot write %s: %s", path, err->message);
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err))
        fail_msg("cannot read %s: %s (SFO_TEST_REGENERATE=1 writes it)", path, err->message);
    if (strcmp(expected, actual) != 0) {
        fprintf(stderr, "# %s differs from the output:\n", path);
        fprintf(stderr, "# --- actual ---\n%s\n# --- end ---\n", actual);
        fail_msg("output differs from golden file %s (SFO_TEST_REGENERATE=1 rewrites it)", path);
    }
}

void
sfo_test_rmtree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            sfo_test_rmtree(child);
        else
            g_unlink(child);
    }
    if (dir)
        g_dir_close(dir);
    g_rmdir(path);
}
